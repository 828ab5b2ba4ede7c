package io.hanzo.kms.scim.protocol.patch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.resource.ResourceNormalizer;
import io.hanzo.kms.scim.protocol.schema.GroupSchemas;
import org.junit.jupiter.api.Test;

/** Membership changes as Entra and Okta send them. */
class PatchEngineGroupTest {
    private static final PatchEngine ENGINE = new PatchEngine(GroupSchemas.GROUP);

    private static ObjectNode tourGuides() {
        return new ResourceNormalizer(GroupSchemas.GROUP).normalize(Json.parse("""
                {"displayName":"Tour Guides","members":[{"value":"u-1"},{"value":"u-2"}]}"""));
    }

    private static ObjectNode patch(ObjectNode stored, String operations) {
        return ENGINE.apply(stored, PatchRequest.parse(Json.parse("{\"Operations\":" + operations + "}")));
    }

    @Test
    void addAppendsMembersOnce() {
        ObjectNode out = patch(tourGuides(), """
                [{"op":"Add","path":"members","value":[{"value":"u-2"},{"value":"u-3"},{"value":"U-3"}]}]""");
        assertThat(out.get("members")).isEqualTo(Json.parse(
                "[{\"value\":\"u-1\"},{\"value\":\"u-2\"},{\"value\":\"u-3\"},{\"value\":\"U-3\"}]"));
    }

    @Test
    void removeWithValueListRemovesThoseMembers() {
        ObjectNode out = patch(tourGuides(), """
                [{"op":"Remove","path":"members","value":[{"value":"u-1"},{"value":"u-9"}]}]""");
        assertThat(out.get("members")).isEqualTo(Json.parse("[{\"value\":\"u-2\"}]"));
    }

    @Test
    void removeWithFilterRemovesTheMatchingMember() {
        ObjectNode out = patch(tourGuides(), """
                [{"op":"remove","path":"members[value eq \\"u-2\\"]"},
                 {"op":"remove","path":"members[value eq \\"u-2\\"]"}]""");
        assertThat(out.get("members")).isEqualTo(Json.parse("[{\"value\":\"u-1\"}]"));
    }

    @Test
    void oktaRenameAndReplaceOfAllMembers() {
        ObjectNode out = patch(tourGuides(), """
                [{"op":"replace","value":{"id":"g-1","displayName":"Guides"}},
                 {"op":"replace","path":"members","value":[{"value":"u-7","display":"ignored"}]}]""");
        assertThat(out).isEqualTo(Json.parse("{\"displayName\":\"Guides\",\"members\":[{\"value\":\"u-7\"}]}"));
    }
}
