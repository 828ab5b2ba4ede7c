package io.hanzo.kms.scim.protocol.filter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** The compiled filter gives the evaluator's answer for every filter on every resource. */
class FilterCompilerTest {
    static final String ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    private static final FilterEvaluator EVALUATOR = new FilterEvaluator(UserSchemas.USER);

    static final List<JsonNode> USERS = List.of(
            Json.parse("""
                    {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","%1$s"],
                     "id":"2819c223-7f76-453a-919d-413861904646","externalId":"Bjensen-701984",
                     "userName":"bjensen@example.com",
                     "name":{"formatted":"Ms. Barbara J Jensen III","familyName":"Jensen","givenName":"Barbara"},
                     "displayName":"Babs Jensen","title":"Tour Guide","active":true,
                     "emails":[{"value":"bjensen@example.com","type":"work","primary":true},
                               {"value":"babs@jensen.org","type":"home"}],
                     "groups":[{"value":"e9e30dba-f08f-4109-8486-d5c6a331660a","display":"Tour Guides","type":"direct"}],
                     "%1$s":{"employeeNumber":"701984","department":"Tour Operations",
                             "manager":{"value":"26118915-6090-4610-87e4-49d8ca9f808d","displayName":"John Smith"}},
                     "meta":{"resourceType":"User","created":"2010-01-23T04:56:22Z","lastModified":"2011-05-13T04:42:34Z",
                             "location":"https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646",
                             "version":"W/\\"3\\""}}""".formatted(ENT)),
            Json.parse("""
                    {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
                     "id":"0190aa00-0000-7000-8000-000000000001","userName":"Zed.Smith@Example.org",
                     "title":"","nickName":"zed","active":false,
                     "emails":[{"value":"ZED@example.org","type":"work"}],
                     "meta":{"resourceType":"User","created":"2024-03-01T10:00:00.123Z","lastModified":"not a date"}}"""),
            Json.parse("""
                    {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
                     "id":"0190aa00-0000-7000-8000-000000000002","userName":"tour","active":"true",
                     "emails":{"value":"single@example.com","type":"home"},
                     "%1$s":{"department":""},
                     "meta":{"resourceType":"User","created":"2024-03-01T10:00:00Z","lastModified":"2024-03-02T10:00:00+01:00"}}"""
                    .formatted(ENT)),
            Json.parse("""
                    {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"x","userName":"empty",
                     "emails":[],"name":{},"title":null}"""));

    static final List<String> FILTERS = List.of(
            "userName eq \"BJensen@Example.com\"", "userName ne \"tour\"", "userName co \"JENSEN\"",
            "userName sw \"zed\"", "userName ew \".ORG\"", "userName gt \"m\"", "userName le \"tour\"",
            "emails eq \"BABS@jensen.ORG\"", "emails.value co \"example\"", "emails.type eq \"Work\"",
            "emails pr", "emails.value pr", "name pr", "name.givenName sw \"bar\"",
            "externalId eq \"Bjensen-701984\"", "externalId co \"jensen\"", "externalId pr",
            "id eq \"2819C223-7F76-453A-919D-413861904646\"", "id sw \"0190\"",
            "title pr", "title eq null", "title ne null", "nickName eq null", "nickName ne null", "title co \"\"",
            "title gt \"Tour\"", "title eq \"\"", "displayName lt \"C\"",
            "meta.lastModified gt \"2011-05-13T04:42:33Z\"", "meta.lastModified ge \"2024-03-02T09:00:00Z\"",
            "meta.lastModified eq \"2024-03-02T09:00:00Z\"", "meta.lastModified lt \"2011-05-13T04:42:34.001Z\"",
            "meta.lastModified ne \"2011-05-13T04:42:34Z\"",
            "meta.created eq \"2024-03-01T10:00:00.000Z\"", "meta.created gt \"2024-03-01T10:00:00Z\"",
            "active eq true", "active eq false", "active ne false", "active eq \"True\"", "active pr",
            "department co \"Operations\"", "department pr", ENT + ":department eq \"\"",
            ENT + ":manager.displayName sw \"john\"", "manager.value pr",
            "not (userName eq \"x\")", "not (title pr)",
            "userName eq \"x\" or title pr", "userName eq \"x\" and title pr",
            "userType eq \"Employee\" or (title pr and active eq true)",
            "emails[type eq \"work\" and value co \"example\"]", "emails[type eq \"home\" and not (primary eq true)]",
            "emails[primary eq true and type eq \"home\"]", "emails[type eq \"work\"].value eq \"ZED@EXAMPLE.org\"",
            "emails[value pr]", "emails[not (value ew \".com\")]", "groups[display sw \"tour\"]",
            "emails.value ne \"bjensen@example.com\"", "emails ne \"ZED@example.ORG\"", "emails.type ne \"work\"",
            "emails[value ne \"bjensen@example.com\"]", "groups.value ne \"e9e30dba-f08f-4109-8486-d5c6a331660a\"",
            "userName co \"a\" or userName co \"e\" or userName co \"z\" or title pr or emails.value sw \"single\"");

    @Test
    void compiledFiltersAnswerAsTheEvaluator() {
        int compared = 0;
        List<String> differences = new ArrayList<>();
        for (String text : FILTERS) {
            Filter filter = FilterResolver.parse(text, UserSchemas.USER);
            CompiledFilter compiled = EVALUATOR.compile(filter);
            for (int i = 0; i < USERS.size(); i++) {
                boolean expected = EVALUATOR.matches(filter, USERS.get(i));
                if (compiled.matches(USERS.get(i)) != expected) {
                    differences.add(text + " on user " + i + ": evaluator says " + expected);
                }
                compared++;
            }
        }
        assertThat(differences).isEmpty();
        assertThat(compared).isEqualTo(FILTERS.size() * USERS.size());
    }

    @Test
    void theFiltersTellTheUsersApart() {
        // The comparison above means something only if the answers vary: each user matches some
        // filters and fails others.
        for (JsonNode user : USERS) {
            long matched = FILTERS.stream()
                    .filter(f -> EVALUATOR.compile(FilterResolver.parse(f, UserSchemas.USER)).matches(user)).count();
            assertThat(matched).isBetween(1L, FILTERS.size() - 1L);
        }
    }

    @Test
    void neOnAMultiValuedAttributeAsksForSomeValueNotEqual() {
        // Users 0..3: two emails (work, home) and a group; one work email; one home email given bare; none.
        String group = "e9e30dba-f08f-4109-8486-d5c6a331660a";
        String[][] expected = {
                {"emails.value ne \"bjensen@example.com\"", "true", "true", "true", "false"},
                {"emails ne \"ZED@EXAMPLE.ORG\"", "true", "false", "true", "false"},
                {"emails.type ne \"work\"", "true", "false", "true", "false"},
                {"emails[value ne \"bjensen@example.com\"]", "true", "true", "true", "false"},
                {"emails[type ne \"work\"]", "true", "false", "true", "false"},
                {"groups.value ne \"" + group + "\"", "false", "false", "false", "false"},
                {"groups.value ne \"" + group.replace('e', 'f') + "\"", "true", "false", "false", "false"},
                {"not (emails.value eq \"bjensen@example.com\")", "false", "true", "true", "true"},
                {"userName ne \"tour\"", "true", "true", "false", "true"},
                {"nickName ne \"zed\"", "true", "false", "true", "true"}};
        for (String[] row : expected) {
            Filter filter = FilterResolver.parse(row[0], UserSchemas.USER);
            CompiledFilter compiled = EVALUATOR.compile(filter);
            for (int i = 0; i < USERS.size(); i++) {
                boolean want = Boolean.parseBoolean(row[i + 1]);
                assertThat(EVALUATOR.matches(filter, USERS.get(i))).as("evaluator: %s on user %d", row[0], i).isEqualTo(want);
                assertThat(compiled.matches(USERS.get(i))).as("compiled: %s on user %d", row[0], i).isEqualTo(want);
            }
        }
    }

    @Test
    void oneCompiledFilterServesManyResources() {
        CompiledFilter co = EVALUATOR.compile(FilterResolver.parse("userName co \"SMITH\"", UserSchemas.USER));
        assertThat(co.matches(USERS.get(1))).isTrue();
        assertThat(co.matches(USERS.get(0))).isFalse();
        assertThat(co.matches(USERS.get(1))).isTrue();
        CompiledFilter gt = EVALUATOR.compile(
                FilterResolver.parse("meta.lastModified gt \"2020-01-01T00:00:00Z\"", UserSchemas.USER));
        assertThat(gt.matches(USERS.get(2))).isTrue();
        assertThat(gt.matches(USERS.get(0))).isFalse();
        assertThat(gt.matches(USERS.get(1))).isFalse(); // not a timestamp: never ordered
    }
}
