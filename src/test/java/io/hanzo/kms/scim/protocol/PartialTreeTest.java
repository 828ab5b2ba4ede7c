package io.hanzo.kms.scim.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/** A partial tree holds exactly the named members of the full parse, each equal to the full parse's. */
class PartialTreeTest {
    private static final String ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    /** Brackets, quotes and backslashes inside strings, nesting, every kind of value, non-ASCII text. */
    private static final String DOCUMENT = """
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","%1$s"],"id":"0190aa00-0000-7000-8000-000000000001",
             "userName":"Zo\\u00eb \\"Z\\" \\\\ \u00c5ngstr\u00f6m","title":null,"active":false,"nickName":"",
             "name":{"givenName":"Zo\u00eb","familyName":"\u00c5ngstr\u00f6m","formatted":"} ] \\" { [ \\\\",
                     "nested":{"deep":[[{"a":[1,2,{}]}],[]]}},
             "emails":[{"value":"a@x.com","type":"work","primary":true},{"value":"b@x.com","type":"home"}],
             "\u00e9t\u00e9":{"}":"]","[":"{"},
             "numbers":{"int":42,"big":123456789012345678901234567890,"decimal":1.50,"negative":-2e-3},
             "count":7,"ratio":-0.25,"on":true,"empty":{},"none":[],
             "%1$s":{"department":"R&D","manager":{"value":"m-1","displayName":"M"}},
             "meta":{"resourceType":"User","created":"2024-03-01T10:00:00Z","lastModified":"2024-03-02T10:00:00+01:00",
                     "location":"https://example.com/Users/0190aa00-0000-7000-8000-000000000001","version":"W/\\"3\\""}}"""
            .formatted(ENT);

    private static final List<Set<String>> SELECTIONS = List.of(
            Set.of("userName"), Set.of("meta"), Set.of(ENT), Set.of("title"), Set.of("active", "nickName"),
            Set.of("name", "emails"), Set.of("\u00e9t\u00e9", "numbers"), Set.of("count", "ratio", "on"),
            Set.of("empty", "none", "schemas", "id"), Set.of("emails", "meta", ENT, "userName"));

    @Test
    void eachNamedMemberIsTheFullParsesMember() {
        JsonNode full = Json.parse(DOCUMENT);
        List<String> documents = List.of(DOCUMENT, full.toString(), full.toPrettyString(),
                // A name with an escape (this server writes none) is read by a full parse instead.
                DOCUMENT.replace("\"count\":7", "\"c\\u006funt\":7"));
        for (String document : documents) {
            byte[] json = document.getBytes(StandardCharsets.UTF_8);
            for (Set<String> names : SELECTIONS) {
                ObjectNode partial = new PartialTree(names).read(json);
                ObjectNode expected = ((ObjectNode) Json.parse(document)).retain(names);
                assertThat(partial).as("members %s", names).isEqualTo(expected);
                assertThat(partial.size()).as("members %s", names).isEqualTo(names.size());
            }
        }
        byte[] json = DOCUMENT.getBytes(StandardCharsets.UTF_8);
        // Present as JSON null: a NullNode, as in the full parse, not a missing member.
        assertThat(new PartialTree(Set.of("title")).read(json).get("title").isNull()).isTrue();
        // Numbers as the full parse types them (equality alone would not tell an int from a long).
        ObjectNode numbers = new PartialTree(Set.of("numbers", "count", "ratio")).read(json);
        assertThat(numbers.get("count").getClass()).isEqualTo(full.get("count").getClass());
        assertThat(numbers.get("ratio").getClass()).isEqualTo(full.get("ratio").getClass());
        assertThat(numbers.get("numbers").get("big").getClass()).isEqualTo(full.get("numbers").get("big").getClass());
    }

    @Test
    void namesAreMatchedExactlyAndAbsentOnesAreLeftOut() {
        byte[] json = DOCUMENT.getBytes(StandardCharsets.UTF_8);
        // As ObjectNode.get: a name in another letter case is another member.
        assertThat(new PartialTree(Set.of("USERNAME", "Meta")).read(json)).isEmpty();
        assertThat(new PartialTree(Set.of("userType", "department")).read(json)).isEmpty();
        ObjectNode some = new PartialTree(Set.of("userType", "active")).read(json);
        assertThat(some.fieldNames()).toIterable().containsExactly("active");
        assertThat(new PartialTree(Set.of()).read(json)).isEmpty();
        assertThat(new PartialTree(Set.of("a")).read("{}".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(new PartialTree(Set.of("a")).read(" { } ".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void onlyAnObjectIsRead() {
        for (String bad : List.of("[1]", "{\"a\":", "{\"a\" 1}", "{\"b\":1 \"a\":2}", "{\"a\":nul}", "")) {
            assertThatThrownBy(() -> new PartialTree(Set.of("a")).read(bad.getBytes(StandardCharsets.UTF_8)))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
