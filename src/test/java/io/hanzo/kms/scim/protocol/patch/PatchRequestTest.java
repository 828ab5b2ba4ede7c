package io.hanzo.kms.scim.protocol.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.filter.AttributePath;
import io.hanzo.kms.scim.protocol.filter.CompareOp;
import io.hanzo.kms.scim.protocol.filter.Filter;
import io.hanzo.kms.scim.protocol.filter.PatchPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PatchRequestTest {

    private static PatchRequest parse(String json) {
        return PatchRequest.parse(Json.parse(json));
    }

    private static void assertRejected(String json, String scimType) {
        assertThatThrownBy(() -> parse(json))
                .isInstanceOfSatisfying(ScimException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.scimType()).isEqualTo(scimType);
                });
    }

    @Test
    void readsOperationsWithTheirPathsAndValues() {
        PatchRequest request = parse("""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[
                   {"op":"Replace","path":"emails[type eq \\"work\\"].value","value":"a@x.com"},
                   {"op":"ADD","value":{"active":true}},
                   {"op":"remove","path":"title"}]}""");

        assertThat(request.operations()).hasSize(3);
        PatchOperation first = request.operations().get(0);
        assertThat(first.op()).isEqualTo(PatchOp.REPLACE);
        assertThat(first.path()).isEqualTo(new PatchPath(AttributePath.of("emails"),
                new Filter.Compare(AttributePath.of("type"), CompareOp.EQ, TextNode.valueOf("work")), "value"));
        assertThat(first.value()).isEqualTo(TextNode.valueOf("a@x.com"));
        assertThat(request.operations().get(1).op()).isEqualTo(PatchOp.ADD);
        assertThat(request.operations().get(1).path()).isNull();
        assertThat(request.operations().get(2).op()).isEqualTo(PatchOp.REMOVE);
        assertThat(request.operations().get(2).value()).isNull();
    }

    @Test
    void matchesKeyNamesInAnyCaseAndAcceptsAMissingSchemas() {
        PatchRequest request = parse("""
                {"operations":[{"OP":"replace","Path":"displayName","VALUE":"Babs"}]}""");

        PatchOperation op = request.operations().get(0);
        assertThat(op.op()).isEqualTo(PatchOp.REPLACE);
        assertThat(op.path().attribute()).isEqualTo(AttributePath.of("displayName"));
        assertThat(op.value().asText()).isEqualTo("Babs");
    }

    @Test
    void treatsABlankPathAsNoPath() {
        PatchRequest request = parse("""
                {"Operations":[{"op":"replace","path":"","value":{"active":false}}]}""");

        assertThat(request.operations().get(0).path()).isNull();
    }

    @Test
    void keepsAnExplicitNullValueOfReplace() {
        PatchRequest request = parse("""
                {"Operations":[{"op":"replace","path":"title","value":null}]}""");

        assertThat(request.operations().get(0).value().isNull()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "[]",
            "\"Operations\"",
            "{}",
            "{\"Operations\":null}",
            "{\"Operations\":{\"op\":\"add\"}}",
            "{\"Operations\":[]}",
            "{\"Operations\":[42]}",
            "{\"Operations\":[{\"path\":\"title\",\"value\":\"x\"}]}",
            "{\"Operations\":[{\"op\":\"move\",\"path\":\"title\",\"value\":\"x\"}]}",
            "{\"Operations\":[{\"op\":7,\"path\":\"title\",\"value\":\"x\"}]}",
            "{\"Operations\":[{\"op\":\"add\",\"path\":7,\"value\":\"x\"}]}",
            "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],\"Operations\":[{\"op\":\"add\",\"path\":\"title\",\"value\":\"x\"}]}",
            "{\"Operations\":[{\"op\":\"replace\",\"OP\":\"remove\",\"path\":\"title\",\"value\":\"x\"}]}",
            "{\"Operations\":[{\"op\":\"add\",\"path\":\"title\",\"Path\":\"nickName\",\"value\":\"x\"}]}",
            "{\"Operations\":[{\"op\":\"add\",\"path\":\"title\",\"value\":\"x\"}],\"operations\":[]}"
    })
    void rejectsMalformedBodiesAsInvalidSyntax(String json) {
        assertRejected(json, "invalidSyntax");
    }

    @Test
    void rejectsAnUnparseablePathAsInvalidPath() {
        assertRejected("""
                {"Operations":[{"op":"replace","path":"emails[type eq \\"work\\"","value":"x"}]}""", "invalidPath");
    }

    @Test
    void rejectsAPathLongerThanAFilterMayBe() {
        StringBuilder terms = new StringBuilder();
        for (int i = 0; i < 12_000; i++) {
            terms.append(i == 0 ? "" : " or ").append("value eq \\\"q").append(i).append("\\\"");
        }
        assertRejected("{\"Operations\":[{\"op\":\"remove\",\"path\":\"emails[" + terms + "]\"}]}", "invalidPath");
    }

    @Test
    void boundsTheCharactersOfAllPathsTogether() {
        StringBuilder terms = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            terms.append(i == 0 ? "" : " or ").append("value eq \\\"q").append(i).append("\\\"");
        }
        String op = "{\"op\":\"remove\",\"path\":\"emails[" + terms + "]\"}";
        String many = String.join(",", java.util.Collections.nCopies(30, op));
        assertRejected("{\"Operations\":[" + many + "]}", "invalidValue");
        // A thousand short paths, as an IdP removing members one by one sends, fit.
        String member = "{\"op\":\"remove\",\"path\":\"members[value eq \\\"01a24775-c9fb-70f0-a010-57b86268a1e4\\\"]\"}";
        assertThat(parse("{\"Operations\":[" + String.join(",", java.util.Collections.nCopies(1000, member)) + "]}")
                .operations()).hasSize(1000);
    }

    @Test
    void rejectsRemoveWithoutPathAsNoTarget() {
        assertRejected("""
                {"Operations":[{"op":"remove"}]}""", "noTarget");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"Operations\":[{\"op\":\"add\",\"path\":\"title\"}]}",
            "{\"Operations\":[{\"op\":\"add\",\"path\":\"title\",\"value\":null}]}",
            "{\"Operations\":[{\"op\":\"replace\",\"path\":\"title\"}]}"
    })
    void rejectsAddOrReplaceWithoutValueAsInvalidValue(String json) {
        assertRejected(json, "invalidValue");
    }

    @Test
    void capsTheNumberOfOperations() {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode ops = body.putArray("Operations");
        for (int i = 0; i <= PatchRequest.MAX_OPERATIONS; i++) {
            ops.addObject().put("op", "replace").put("path", "title").put("value", "t" + i);
        }
        assertThatThrownBy(() -> PatchRequest.parse(body))
                .isInstanceOfSatisfying(ScimException.class, e -> {
                    assertThat(e.scimType()).isEqualTo("invalidValue");
                    assertThat(e.detail()).contains("1000");
                });

        ops.remove(0);
        assertThat(PatchRequest.parse(body).operations()).hasSize(PatchRequest.MAX_OPERATIONS);
    }

    @Test
    void parsesOpNamesInAnyCase() {
        assertThat(PatchOp.fromName("Replace")).isEqualTo(PatchOp.REPLACE);
        assertThat(PatchOp.fromName("ADD")).isEqualTo(PatchOp.ADD);
        assertThat(PatchOp.fromName("Remove")).isEqualTo(PatchOp.REMOVE);
        assertThat(PatchOp.fromName("copy")).isNull();
        assertThat(PatchOp.fromName(null)).isNull();
    }
}
