package io.hanzo.kms.scim.protocol.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.patch.PatchRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

/** Members as group bodies and group PATCHes give them. */
class MemberValuesTest {

    private static GroupPatchPlan plan(String operations) {
        return GroupPatchPlanner.plan(PatchRequest.parse(Json.parse("{\"Operations\":" + operations + "}")));
    }

    @Test
    void aBareStringIsTheMembersValue() {
        GroupBody bare = GroupBody.split(Json.parse("""
                {"displayName":"Guides","members":["u-1"," u-2 "]}"""));
        GroupBody objects = GroupBody.split(Json.parse("""
                {"displayName":"Guides","members":[{"value":"u-1"},{"value":" u-2 "}]}"""));
        assertThat(bare).isEqualTo(objects);
        assertThat(bare.memberIds()).containsExactly("u-1", "u-2");
        assertThat(GroupBody.split(Json.parse("{\"displayName\":\"G\",\"members\":[\"u-1\",{\"value\":\"u-2\"}]}"))
                .memberIds()).containsExactly("u-1", "u-2");
    }

    @Test
    void aBareStringInAGroupPatchIsTheMembersValue() {
        for (String[] sameMeaning : new String[][] {
                {"[{\"op\":\"add\",\"path\":\"members\",\"value\":[\"u-1\",\"u-2\"]}]",
                 "[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"u-1\"},{\"value\":\"u-2\"}]}]"},
                {"[{\"op\":\"add\",\"path\":\"members\",\"value\":\"u-1\"}]",
                 "[{\"op\":\"add\",\"path\":\"members\",\"value\":{\"value\":\"u-1\"}}]"},
                {"[{\"op\":\"replace\",\"path\":\"members\",\"value\":[\"u-1\"]}]",
                 "[{\"op\":\"replace\",\"path\":\"members\",\"value\":[{\"value\":\"u-1\"}]}]"},
                {"[{\"op\":\"replace\",\"value\":{\"displayName\":\"G\",\"members\":[\"u-1\"]}}]",
                 "[{\"op\":\"replace\",\"value\":{\"displayName\":\"G\",\"members\":[{\"value\":\"u-1\"}]}}]"},
                {"[{\"op\":\"Remove\",\"path\":\"members\",\"value\":[\"u-1\"]}]",
                 "[{\"op\":\"Remove\",\"path\":\"members\",\"value\":[{\"value\":\"u-1\"}]}]"}}) {
            GroupPatchPlan bare = plan(sameMeaning[0]);
            assertThat(bare).as(sameMeaning[0]).isEqualTo(plan(sameMeaning[1]));
            assertThat(bare.memberOps()).as(sameMeaning[0]).hasSize(1);
            assertThat(bare.memberOps().get(0).ids()).as(sameMeaning[0]).isNotEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"7", "true", "false", "null", "[\"u-2\"]", "\"\"", "\"  \"", "{\"value\":7}", "{\"display\":\"x\"}"})
    void anyOtherMemberThatIsNotAnIdIsRefused(String member) {
        for (String body : List.of("{\"displayName\":\"G\",\"members\":[\"u-1\"," + member + "]}",
                "{\"displayName\":\"G\",\"members\":[" + member + "]}")) {
            assertThatThrownBy(() -> GroupBody.split(Json.parse(body))).as(body)
                    .isInstanceOfSatisfying(ScimException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.scimType()).isEqualTo("invalidValue");
                    });
        }
        assertThatThrownBy(() -> plan("[{\"op\":\"add\",\"path\":\"members\",\"value\":[" + member + "]}]"))
                .as(member).isInstanceOf(ScimException.class);
    }

    @Test
    void theRefusalSaysWhatTheMemberWas() {
        for (String[] memberAndWord : new String[][] {
                {"7", "not a number"}, {"true", "not true"}, {"null", "not null"}, {"[\"u-1\"]", "not an array"}}) {
            assertThatThrownBy(() -> MemberValues.ids(Json.parse("[" + memberAndWord[0] + "]")))
                    .isInstanceOfSatisfying(ScimException.class, e -> assertThat(e.detail())
                            .contains("{\"value\": \"<user id>\"} or the user's id as a string")
                            .endsWith(memberAndWord[1] + "."));
        }
    }
}
