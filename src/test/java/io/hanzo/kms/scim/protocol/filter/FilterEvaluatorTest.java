package io.hanzo.kms.scim.protocol.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.schema.GroupSchemas;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FilterEvaluatorTest {
    private static final String ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    private static final FilterEvaluator EVALUATOR = new FilterEvaluator(UserSchemas.USER);

    /** A User as the server renders it. */
    private static final JsonNode BARBARA = Json.parse("""
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","%1$s"],
             "id":"2819c223-7f76-453a-919d-413861904646",
             "externalId":"Bjensen-701984",
             "userName":"bjensen@example.com",
             "name":{"formatted":"Ms. Barbara J Jensen III","familyName":"Jensen","givenName":"Barbara"},
             "displayName":"Babs Jensen",
             "title":"Tour Guide",
             "active":true,
             "emails":[{"value":"bjensen@example.com","type":"work","primary":true},
                       {"value":"babs@jensen.org","type":"home"}],
             "groups":[{"value":"e9e30dba-f08f-4109-8486-d5c6a331660a","display":"Tour Guides","type":"direct"}],
             "%1$s":{"employeeNumber":"701984","department":"Tour Operations",
                     "manager":{"value":"26118915-6090-4610-87e4-49d8ca9f808d","displayName":"John Smith"}},
             "meta":{"resourceType":"User","created":"2010-01-23T04:56:22Z",
                     "lastModified":"2011-05-13T04:42:34Z",
                     "location":"https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646",
                     "version":"W/\\"3\\""}}""".formatted(ENT));

    private static boolean matches(String filter) {
        return EVALUATOR.matches(FilterResolver.parse(filter, UserSchemas.USER), BARBARA);
    }

    private static void assertInvalidFilter(String filter) {
        assertThatThrownBy(() -> FilterResolver.parse(filter, UserSchemas.USER))
                .isInstanceOfSatisfying(ScimException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.scimType()).isEqualTo("invalidFilter");
                });
    }

    @Test
    void userNameComparesInAnyCase() {
        assertThat(matches("userName eq \"BJensen@Example.com\"")).isTrue();
        assertThat(matches("UserName Eq \"bjensen@example.com\"")).isTrue();
        assertThat(matches("userName eq \"jensen@example.com\"")).isFalse();
    }

    @Test
    void emailsCompareInAnyCaseWithOrWithoutValue() {
        assertThat(matches("emails eq \"BABS@jensen.ORG\"")).isTrue();
        assertThat(matches("emails.value eq \"Bjensen@Example.com\"")).isTrue();
        assertThat(matches("email.value eq \"babs@jensen.org\"")).isTrue();
        assertThat(matches("emails.type eq \"Work\"")).isTrue();
        assertThat(matches("emails eq \"nobody@example.com\"")).isFalse();
    }

    @Test
    void externalIdIsCaseExact() {
        assertThat(matches("externalId eq \"Bjensen-701984\"")).isTrue();
        assertThat(matches("externalId eq \"bjensen-701984\"")).isFalse();
    }

    /** A UUID's text has no case (RFC 9562 §4): the filter finds what GET /Users/<ID IN UPPER CASE> finds. */
    @Test
    void idsMatchInAnyLetterCase() {
        assertThat(matches("id eq \"2819c223-7f76-453a-919d-413861904646\"")).isTrue();
        assertThat(matches("id eq \"2819C223-7F76-453A-919D-413861904646\"")).isTrue();
        assertThat(matches("id ne \"2819C223-7F76-453A-919D-413861904646\"")).isFalse();
        assertThat(matches("groups.value eq \"E9E30DBA-F08F-4109-8486-D5C6A331660A\"")).isTrue();
        assertThat(matches("groups[value eq \"E9E30DBA-F08F-4109-8486-D5C6A331660A\"]")).isTrue();
        assertThat(matches("id eq \"2819C223-7F76-453A-919D-413861904647\"")).isFalse();
        Filter members = FilterResolver.parse("members.value eq \"E9E30DBA-F08F-4109-8486-D5C6A331660A\"",
                GroupSchemas.GROUP);
        assertThat(members.toString()).isEqualTo("members.value eq \"e9e30dba-f08f-4109-8486-d5c6a331660a\"");
    }

    /** An unquoted value compared with a string attribute is the text sent, even when it reads as a number. */
    @ParameterizedTest
    @ValueSource(strings = {"1E3", "-0", "0.0000001", "1.50", "12345", "007"})
    void aBareNumberMatchesAStringAttributeAsTheTextSent(String externalId) {
        JsonNode user = Json.parse("{\"id\":\"2819c223-7f76-453a-919d-413861904646\",\"externalId\":\"" + externalId + "\"}");
        Filter filter = FilterResolver.parse("externalId eq " + externalId, UserSchemas.USER);
        assertThat(EVALUATOR.matches(filter, user)).as(filter.toString()).isTrue();
        assertThat(EVALUATOR.compile(filter).matches(user)).as(filter.toString()).isTrue();
        assertThat(filter.toString()).isEqualTo("externalId eq \"" + externalId + "\"");
    }

    @Test
    void singularAliasesAfterTheCoreSchemaUrn() {
        assertThat(matches("urn:ietf:params:scim:schemas:core:2.0:User:email.value eq \"babs@jensen.org\"")).isTrue();
        assertThat(matches("urn:ietf:params:scim:schemas:core:2.0:User:Email eq \"babs@jensen.org\"")).isTrue();
        assertThat(matches("urn:ietf:params:scim:schemas:core:2.0:User:email[type eq \"home\"]")).isTrue();
        assertThat(matches("urn:ietf:params:scim:schemas:core:2.0:User:email.value eq \"nobody@jensen.org\"")).isFalse();
        assertInvalidFilter(ENT + ":email.value eq \"babs@jensen.org\"");
    }

    @Test
    void stringOperators() {
        assertThat(matches("userName ne \"someone@example.com\"")).isTrue();
        assertThat(matches("userName ne \"BJENSEN@example.com\"")).isFalse();
        assertThat(matches("userName co \"JENSEN\"")).isTrue();
        assertThat(matches("userName co \"smith\"")).isFalse();
        assertThat(matches("userName sw \"BJ\"")).isTrue();
        assertThat(matches("userName sw \"jensen\"")).isFalse();
        assertThat(matches("userName ew \"@EXAMPLE.COM\"")).isTrue();
        assertThat(matches("userName ew \"example\"")).isFalse();
        assertThat(matches("title gt \"Tour\"")).isTrue();
        assertThat(matches("title ge \"TOUR GUIDE\"")).isTrue();
        assertThat(matches("title lt \"Tour\"")).isFalse();
        assertThat(matches("title le \"tour guide\"")).isTrue();
        assertThat(matches("displayName lt \"C\"")).isTrue();
    }

    @Test
    void caseExactStringOperators() {
        assertThat(matches("externalId sw \"Bjensen\"")).isTrue();
        assertThat(matches("externalId sw \"bjensen\"")).isFalse();
        assertThat(matches("externalId co \"jensen-7\"")).isTrue();
    }

    @Test
    void dateTimesCompareAsInstants() {
        assertThat(matches("meta.lastModified gt \"2011-05-13T04:42:33Z\"")).isTrue();
        assertThat(matches("meta.lastModified gt \"2011-05-13T04:42:34Z\"")).isFalse();
        assertThat(matches("meta.lastModified ge \"2011-05-13T06:42:34+02:00\"")).isTrue();
        assertThat(matches("meta.lastModified eq \"2011-05-13T06:42:34+02:00\"")).isTrue();
        assertThat(matches("meta.lastModified lt \"2012-01-01T00:00:00Z\"")).isTrue();
        assertThat(matches("meta.created le \"2010-01-23T04:56:21Z\"")).isFalse();
        assertThat(matches("meta.created lt \"2011-05-13T04:42:34Z\" and meta.lastModified ge \"2011-01-01T00:00:00Z\""))
                .isTrue();
    }

    @Test
    void presence() {
        assertThat(matches("title pr")).isTrue();
        assertThat(matches("nickName pr")).isFalse();
        assertThat(matches("emails pr")).isTrue();
        assertThat(matches("name.middleName pr")).isFalse();
        assertThat(matches(ENT + ":manager pr")).isTrue();
        assertThat(matches("phoneNumbers pr")).isFalse();
    }

    @Test
    void nullComparisonMeansAbsence() {
        assertThat(matches("nickName eq null")).isTrue();
        assertThat(matches("title eq null")).isFalse();
        assertThat(matches("title ne null")).isTrue();
        assertThat(matches("nickName ne null")).isFalse();
    }

    @Test
    void logicalOperators() {
        assertThat(matches("not (userName eq \"x\")")).isTrue();
        assertThat(matches("not (title pr)")).isFalse();
        assertThat(matches("userName eq \"x\" or title pr")).isTrue();
        assertThat(matches("userName eq \"x\" and title pr")).isFalse();
        assertThat(matches("userType eq \"Employee\" or (title pr and active eq true)")).isTrue();
    }

    @Test
    void valuePathRequiresOneValueToMatchAllConditions() {
        assertThat(matches("emails[type eq \"work\" and value co \"example.com\"]")).isTrue();
        assertThat(matches("emails[type eq \"home\" and value co \"example.com\"]")).isFalse();
        assertThat(matches("emails[type eq \"home\" and not (primary eq true)]")).isTrue();
        assertThat(matches("emails[primary eq true and type eq \"home\"]")).isFalse();
        assertThat(matches("emails[type eq \"work\"].value eq \"BJENSEN@example.com\"")).isTrue();
        assertThat(matches("emails[type eq \"work\"].value eq \"babs@jensen.org\"")).isFalse();
        assertThat(matches("groups[display sw \"tour\"]")).isTrue();
    }

    @Test
    void enterpriseAttributesQualifiedOrNot() {
        assertThat(matches(ENT + ":employeeNumber eq \"701984\"")).isTrue();
        assertThat(matches(ENT + ":employeeNumber eq \"701985\"")).isFalse();
        assertThat(matches(ENT.toUpperCase() + ":DEPARTMENT eq \"tour operations\"")).isTrue();
        assertThat(matches("department co \"Operations\"")).isTrue();
        assertThat(matches(ENT + ":manager.value eq \"26118915-6090-4610-87e4-49d8ca9f808d\"")).isTrue();
        assertThat(matches(ENT + ":manager eq \"26118915-6090-4610-87e4-49d8ca9f808d\"")).isTrue();
    }

    @Test
    void booleanComparesWithBooleansOrTheirText() {
        assertThat(matches("active eq true")).isTrue();
        assertThat(matches("active eq \"True\"")).isTrue();
        assertThat(matches("active eq \"False\"")).isFalse();
        assertThat(matches("active ne false")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "favouriteColour eq \"teal\"",
            "name.nickname eq \"x\"",
            "urn:example:unknown:User:thing eq \"x\"",
            "password eq \"x\"",
            "name eq \"x\"",
            "active gt true",
            "active eq \"yes\"",
            "meta.lastModified gt \"yesterday\"",
            "meta.lastModified gt 5",
            "userName gt null",
            "emails[kind eq \"work\"]",
            "userName[value eq \"x\"]",
            "x509Certificates.value eq \"AAAA\""
    })
    void filtersThatCannotApplyAreInvalidFilter(String filter) {
        assertInvalidFilter(filter);
    }

    @Test
    void resolvedFilterUsesCanonicalNames() {
        Filter f = FilterResolver.parse("EMAIL eq \"x\" and " + ENT.toUpperCase() + ":Manager.Value pr", UserSchemas.USER);
        assertThat(f.toString()).isEqualTo("(emails.value eq \"x\" and " + ENT + ":manager.value pr)");
    }

    @Test
    void matchesValueEvaluatesOneElementOfAMultiValuedAttribute() {
        Filter.ValuePath vp = (Filter.ValuePath) FilterResolver.parse("emails[type eq \"WORK\"]", UserSchemas.USER);
        JsonNode work = BARBARA.get("emails").get(0);
        JsonNode home = BARBARA.get("emails").get(1);
        var emailsDef = UserSchemas.CORE.attribute("emails");

        assertThat(FilterEvaluator.matchesValue(vp.inner(), work, emailsDef)).isTrue();
        assertThat(FilterEvaluator.matchesValue(vp.inner(), home, emailsDef)).isFalse();
    }
}
