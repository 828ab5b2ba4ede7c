package io.hanzo.kms.scim.protocol.filter;

import static io.hanzo.kms.scim.protocol.filter.FilterCompilerTest.ENT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.PartialTree;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A compiled filter names the top-level members it reads, and answers on a tree of only those
 * members (parsed by {@link PartialTree}) exactly as on the whole resource.
 */
class FilterReadingTest {
    private static final FilterEvaluator EVALUATOR = new FilterEvaluator(UserSchemas.USER);

    /** Beside the compiler's filters: names in other letter cases, URN paths, absent attributes. */
    private static final List<String> MORE = List.of(
            "USERNAME co \"jensen\"", "Emails[TYPE eq \"work\" and Value co \"EXAMPLE\"]", "eMails.VALUE sw \"zed\"",
            "NAME.familyname eq \"jensen\"", "META.LASTMODIFIED gt \"2011-01-01T00:00:00Z\"", "meta.resourceType eq \"User\"",
            "meta.location co \"2819c223\"", "meta.version pr", "meta pr",
            ENT.toUpperCase() + ":DEPARTMENT co \"tour\"", ENT + ":manager pr", ENT + ":employeeNumber pr",
            "urn:ietf:params:scim:schemas:core:2.0:User:userName sw \"b\"",
            "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName pr",
            "not (" + ENT + ":department pr) and not (emails[type eq \"home\"])",
            "addresses[country eq \"US\"] or phoneNumbers pr or x509Certificates.value pr",
            "not (nickName pr) or not (userType eq \"x\")", "groups.display co \"guides\"",
            "title pr and (emails[primary eq true] or meta.created lt \"2020-01-01T00:00:00Z\")");

    @Test
    void aTreeOfTheMembersReadGivesTheFullAnswer() {
        List<String> differences = new ArrayList<>();
        int compared = 0;
        int matched = 0;
        for (String text : filters()) {
            FilterCompiler.Reading reading = EVALUATOR.compileReading(FilterResolver.parse(text, UserSchemas.USER));
            for (JsonNode user : FilterCompilerTest.USERS) {
                boolean full = reading.predicate().matches(user);
                boolean partial = reading.predicate().matches(new PartialTree(reading.members()).read(Json.bytes(user)));
                if (partial != full) {
                    differences.add(text + " on " + user.get("id") + ": full " + full + ", partial " + partial);
                }
                matched += full ? 1 : 0;
                compared++;
            }
        }
        assertThat(differences).isEmpty();
        assertThat(compared).isEqualTo(filters().size() * FilterCompilerTest.USERS.size());
        // Both answers occur, so the comparison could have failed either way.
        assertThat(matched).isBetween(compared / 5, compared - compared / 5);
    }

    @Test
    void aDocumentWhoseNamesDifferInCaseIsMissedAlikeByBoth() {
        // Resources are rendered with the schema's names; a member in another case is another member,
        // for the full tree's get as for the partial parse.
        JsonNode odd = Json.parse("{\"UserName\":\"bjensen\",\"EMAILS\":[{\"value\":\"b@x.com\"}],\"title\":\"t\"}");
        for (String text : List.of("userName pr", "emails pr", "title pr", "userName pr or title eq \"t\"")) {
            FilterCompiler.Reading reading = EVALUATOR.compileReading(FilterResolver.parse(text, UserSchemas.USER));
            assertThat(reading.predicate().matches(new PartialTree(reading.members()).read(Json.bytes(odd))))
                    .as(text).isEqualTo(reading.predicate().matches(odd));
        }
    }

    @Test
    void theMembersReadAreTheTopLevelOnes() {
        assertThat(members("userName co \"x\"")).containsExactly("userName");
        assertThat(members("USERNAME co \"x\"")).containsExactly("userName");
        assertThat(members("emails[type eq \"work\" and not (value pr)]")).containsExactly("emails");
        assertThat(members("meta.lastModified gt \"2011-01-01T00:00:00Z\"")).containsExactly("meta");
        assertThat(members(ENT + ":manager.value pr")).containsExactly(ENT);
        assertThat(members("department eq \"x\"")).containsExactly(ENT);
        assertThat(members("urn:ietf:params:scim:schemas:core:2.0:User:name.givenName pr")).containsExactly("name");
        assertThat(members("not (title pr) or (name.familyName eq \"a\" and emails eq \"b\")"))
                .containsExactlyInAnyOrder("title", "name", "emails");
    }

    private static Set<String> members(String filter) {
        return EVALUATOR.compileReading(FilterResolver.parse(filter, UserSchemas.USER)).members();
    }

    private static List<String> filters() {
        List<String> all = new ArrayList<>(FilterCompilerTest.FILTERS);
        all.addAll(MORE);
        return all;
    }
}
