package io.hanzo.kms.scim.protocol.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.ScimUris;
import io.hanzo.kms.scim.protocol.resource.ResourceNormalizer;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PatchEngineTest {
    private static final String ENT = ScimUris.ENTERPRISE_USER;
    private static final PatchEngine ENGINE = new PatchEngine(UserSchemas.USER);
    private static final ResourceNormalizer NORMALIZER = new ResourceNormalizer(UserSchemas.USER);

    /** Barbara Jensen of RFC 7643 §8.2, in stored form. */
    private static ObjectNode barbara() {
        return NORMALIZER.normalize(Json.parse("""
                {"userName":"bjensen@example.com","externalId":"701984",
                 "name":{"givenName":"Barbara","familyName":"Jensen"},
                 "displayName":"Babs Jensen","active":true,
                 "emails":[{"value":"bjensen@example.com","type":"work","primary":true},
                           {"value":"babs@jensen.org","type":"home"}],
                 "addresses":[{"type":"work","streetAddress":"100 Universal City Plaza","locality":"Hollywood"}],
                 "%s":{"employeeNumber":"701984","department":"Tour Operations",
                       "manager":{"value":"26118915-6090-4610-87e4-49d8ca9f808d"}}}""".formatted(ENT)));
    }

    private static ObjectNode minimal() {
        return NORMALIZER.normalize(Json.parse("{\"userName\":\"alice@example.com\"}"));
    }

    private static ObjectNode patch(ObjectNode stored, String operations) {
        return ENGINE.apply(stored, request(operations));
    }

    private static PatchRequest request(String operations) {
        return PatchRequest.parse(Json.parse(
                "{\"schemas\":[\"" + ScimUris.PATCH_OP + "\"],\"Operations\":" + operations + "}"));
    }

    private static void assertFails(ObjectNode stored, String operations, String scimType) {
        ObjectNode before = stored.deepCopy();
        assertThatThrownBy(() -> patch(stored, operations))
                .isInstanceOfSatisfying(ScimException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.scimType()).isEqualTo(scimType);
                });
        assertThat(stored).isEqualTo(before);
    }

    private static JsonNode email(ObjectNode user, String value) {
        for (JsonNode e : user.path("emails")) {
            if (e.path("value").asText().equals(value)) {
                return e;
            }
        }
        return null;
    }

    // Single-valued attributes

    @Test
    void replaceSetsTheAttribute() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Barbara J\"}]");
        assertThat(out.get("displayName").asText()).isEqualTo("Barbara J");
    }

    @Test
    void pathNamesAreMatchedInAnyCaseAndWrittenCanonically() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"Replace\",\"path\":\"DISPLAYNAME\",\"value\":\"B\"},"
                + "{\"op\":\"ADD\",\"path\":\"Title\",\"value\":\"Tour Guide\"}]");
        assertThat(out.get("displayName").asText()).isEqualTo("B");
        assertThat(out.get("title").asText()).isEqualTo("Tour Guide");
        assertThat(out.has("DISPLAYNAME")).isFalse();
        assertThat(out.has("Title")).isFalse();
    }

    @Test
    void addSetsAnAbsentAttribute() {
        ObjectNode out = patch(minimal(), "[{\"op\":\"add\",\"path\":\"nickName\",\"value\":\"Al\"}]");
        assertThat(out.get("nickName").asText()).isEqualTo("Al");
    }

    @Test
    void booleanGivenAsStringIsCoerced() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}]");
        assertThat(out.get("active").isBoolean()).isTrue();
        assertThat(out.get("active").booleanValue()).isFalse();
    }

    @Test
    void replaceWithNullClearsTheAttribute() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":null}]");
        assertThat(out.has("displayName")).isFalse();
    }

    @Test
    void removeDeletesTheAttributeAndIgnoresAnAbsentOne() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"remove\",\"path\":\"displayName\"},"
                + "{\"op\":\"remove\",\"path\":\"nickName\"}]");
        assertThat(out.has("displayName")).isFalse();
        assertThat(out.get("userName").asText()).isEqualTo("bjensen@example.com");
    }

    @Test
    void externalIdIsWrittenAtTheTopLevel() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"replace\",\"path\":\"externalid\",\"value\":\"E-2\"}]");
        assertThat(out.get("externalId").asText()).isEqualTo("E-2");
    }

    @Test
    void passwordIsAcceptedAndDiscarded() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"replace\",\"path\":\"password\",\"value\":\"s3cret\"}]");
        assertThat(out.has("password")).isFalse();
        assertThat(out).isEqualTo(barbara());
    }

    @Test
    void wrongTypeIsInvalidValue() {
        assertFails(barbara(), "[{\"op\":\"replace\",\"path\":\"active\",\"value\":\"maybe\"}]", "invalidValue");
        assertFails(barbara(), "[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":{\"a\":1}}]", "invalidValue");
    }

    @Test
    void removingUserNameIsRejected() {
        assertFails(barbara(), "[{\"op\":\"remove\",\"path\":\"userName\"}]", "invalidValue");
    }

    // Complex attributes

    @Test
    void addMergesSubAttributes() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"add\",\"path\":\"name\",\"value\":{\"MiddleName\":\"Jane\"}}]");
        assertThat(out.get("name")).isEqualTo(Json.parse(
                "{\"givenName\":\"Barbara\",\"familyName\":\"Jensen\",\"middleName\":\"Jane\"}"));
    }

    @Test
    void replaceSetsTheGivenSubAttributesAndKeepsTheOthers() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"replace\",\"path\":\"name\",\"value\":{\"givenName\":\"Babs\"}}]");
        assertThat(out.get("name")).isEqualTo(Json.parse("{\"givenName\":\"Babs\",\"familyName\":\"Jensen\"}"));
    }

    @Test
    void aSubAttributeGivenAsNullIsCleared() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"replace\",\"path\":\"name\",\"value\":{\"familyName\":null}}]");
        assertThat(out.get("name")).isEqualTo(Json.parse("{\"givenName\":\"Barbara\"}"));
    }

    @Test
    void subAttributePathSetsOneSubAttribute() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"replace\",\"path\":\"name.givenName\",\"value\":\"Babs\"}]");
        assertThat(out.get("name")).isEqualTo(Json.parse("{\"givenName\":\"Babs\",\"familyName\":\"Jensen\"}"));
    }

    @Test
    void subAttributePathCreatesTheComplexAttribute() {
        ObjectNode out = patch(minimal(), "[{\"op\":\"add\",\"path\":\"NAME.GIVENNAME\",\"value\":\"Alice\"}]");
        assertThat(out.get("name")).isEqualTo(Json.parse("{\"givenName\":\"Alice\"}"));
    }

    @Test
    void removingTheLastSubAttributeRemovesTheAttribute() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"remove\",\"path\":\"name.givenName\"}]");
        assertThat(out.get("name")).isEqualTo(Json.parse("{\"familyName\":\"Jensen\"}"));

        out = patch(out, "[{\"op\":\"remove\",\"path\":\"name.familyName\"}]");
        assertThat(out.has("name")).isFalse();
    }

    @Test
    void aStringForAComplexAttributeWithoutValueIsInvalid() {
        assertFails(barbara(), "[{\"op\":\"replace\",\"path\":\"name\",\"value\":\"Barbara Jensen\"}]", "invalidValue");
    }

    // Multi-valued attributes without a filter

    @Test
    void addAppendsNewValuesAndSkipsOnesAlreadyPresent() {
        ObjectNode out = patch(barbara(), """
                [{"op":"add","path":"emails","value":[
                    {"value":"BJENSEN@example.com","type":"work"},
                    {"value":"babs@other.net","type":"other"}]}]""");
        assertThat(out.get("emails")).hasSize(3);
        assertThat(email(out, "bjensen@example.com").get("primary").asBoolean()).isTrue();
        assertThat(email(out, "babs@other.net").get("type").asText()).isEqualTo("other");
    }

    @Test
    void addAcceptsASingleValue() {
        ObjectNode out = patch(minimal(), "[{\"op\":\"add\",\"path\":\"emails\",\"value\":{\"value\":\"a@x.com\"}}]");
        assertThat(out.get("emails")).isEqualTo(Json.parse("[{\"value\":\"a@x.com\"}]"));
    }

    @Test
    void addingAPrimaryValueUnmarksThePreviousPrimary() {
        ObjectNode out = patch(barbara(), """
                [{"op":"add","path":"emails","value":[{"value":"new@example.com","type":"work","primary":"True"}]}]""");
        assertThat(email(out, "new@example.com").get("primary").booleanValue()).isTrue();
        assertThat(email(out, "bjensen@example.com").get("primary").booleanValue()).isFalse();
    }

    @Test
    void reAddingAValueUpdatesItInsteadOfRepeatingIt() {
        ObjectNode out = patch(barbara(), """
                [{"op":"add","path":"emails","value":{"value":"babs@jensen.org","type":"HOME","primary":true,"display":"Home"}}]""");
        assertThat(out.get("emails")).hasSize(2);
        assertThat(email(out, "babs@jensen.org")).isEqualTo(Json.parse(
                "{\"value\":\"babs@jensen.org\",\"type\":\"home\",\"primary\":true,\"display\":\"Home\"}"));
        assertThat(email(out, "bjensen@example.com").get("primary").booleanValue()).isFalse();
    }

    @Test
    void sameAddressUnderAnotherTypeIsAnotherValue() {
        ObjectNode out = patch(barbara(), """
                [{"op":"add","path":"emails","value":[{"value":"babs@jensen.org","type":"other"}]}]""");
        assertThat(out.get("emails")).hasSize(3);
    }

    @Test
    void replaceSwapsTheWholeArray() {
        ObjectNode out = patch(barbara(), """
                [{"op":"replace","path":"emails","value":[{"value":"only@example.com","type":"work"}]}]""");
        assertThat(out.get("emails")).isEqualTo(Json.parse("[{\"value\":\"only@example.com\",\"type\":\"work\"}]"));
    }

    @Test
    void removeWithAValueOfASingleValuedAttributeRemovesOnlyTheValueHeld() {
        String[] others = {
                "{\"op\":\"remove\",\"path\":\"displayName\",\"value\":\"Babs\"}",
                "{\"op\":\"remove\",\"path\":\"" + ENT + ":manager\",\"value\":[{\"value\":\"m-other\"}]}",
                "{\"op\":\"remove\",\"path\":\"" + ENT + ":manager\",\"value\":{\"displayName\":\"Boss\"}}",
                "{\"op\":\"remove\",\"path\":\"" + ENT + ":manager.value\",\"value\":\"m-other\"}",
                "{\"op\":\"remove\",\"path\":\"name\",\"value\":{\"givenName\":\"Barbara\"}}",
                "{\"op\":\"remove\",\"path\":\"name.givenName\",\"value\":\"Babs\"}",
                "{\"op\":\"remove\",\"path\":\"active\",\"value\":\"False\"}",
                "{\"op\":\"remove\",\"path\":\"nickName\",\"value\":\"Babs\"}"};
        for (String op : others) {
            assertThat(patch(barbara(), "[" + op + "]")).as(op).isEqualTo(barbara());
        }
        ObjectNode out = patch(barbara(), """
                [{"op":"remove","path":"DISPLAYNAME","value":"babs jensen"},
                 {"op":"remove","path":"%1$s:manager","value":"26118915-6090-4610-87e4-49d8ca9f808d"},
                 {"op":"remove","path":"%1$s:employeeNumber","value":["701984"]},
                 {"op":"remove","path":"name.givenName","value":"barbara"},
                 {"op":"remove","path":"active","value":"True"}]""".formatted(ENT));
        assertThat(out.has("displayName")).isFalse();
        assertThat(out.has("active")).isFalse();
        assertThat(out.get("name").has("givenName")).isFalse();
        assertThat(out.get("name").get("familyName").asText()).isEqualTo("Jensen");
        assertThat(out.get(ENT)).isEqualTo(Json.parse("{\"department\":\"Tour Operations\"}"));
    }

    @Test
    void removeWithAValueThatNamesNothingRemovesTheAttributeAsWithoutValue() {
        ObjectNode out = patch(barbara(), """
                [{"op":"remove","path":"displayName","value":""},
                 {"op":"remove","path":"%1$s:manager","value":{}},
                 {"op":"remove","path":"%1$s:employeeNumber","value":[null]},
                 {"op":"remove","path":"name.givenName","value":{"value":null}}]""".formatted(ENT));
        assertThat(out.has("displayName")).isFalse();
        assertThat(out.get(ENT).has("manager")).isFalse();
        assertThat(out.get(ENT).has("employeeNumber")).isFalse();
        assertThat(out.get("name").has("givenName")).isFalse();
        // An empty list names no value, so none goes, as from a multi-valued attribute.
        assertThat(patch(barbara(), "[{\"op\":\"remove\",\"path\":\"" + ENT + ":manager\",\"value\":[]}]"))
                .isEqualTo(barbara());
    }

    @Test
    void removeWithoutValueRemovesTheAttribute() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"remove\",\"path\":\"emails\"}]");
        assertThat(out.has("emails")).isFalse();
    }

    @Test
    void removeWithValueRemovesJustThoseValues() {
        ObjectNode out = patch(barbara(), """
                [{"op":"remove","path":"emails","value":[{"value":"Babs@Jensen.org"}]}]""");
        assertThat(out.get("emails")).hasSize(1);
        assertThat(email(out, "bjensen@example.com")).isNotNull();

        out = patch(out, "[{\"op\":\"remove\",\"path\":\"emails\",\"value\":[{\"value\":\"bjensen@example.com\"}]}]");
        assertThat(out.has("emails")).isFalse();
    }

    @Test
    void subAttributeWithoutFilterAppliesToEveryValueOrCreatesOne() {
        ObjectNode out = patch(minimal(), "[{\"op\":\"replace\",\"path\":\"emails.value\",\"value\":\"a@x.com\"}]");
        assertThat(out.get("emails")).isEqualTo(Json.parse("[{\"value\":\"a@x.com\"}]"));

        out = patch(barbara(), "[{\"op\":\"replace\",\"path\":\"emails.display\",\"value\":\"mail\"}]");
        assertThat(out.get("emails")).allSatisfy(e -> assertThat(e.get("display").asText()).isEqualTo("mail"));
    }

    @Test
    void singularAliasIsAccepted() {
        ObjectNode out = patch(minimal(), "[{\"op\":\"add\",\"path\":\"email\",\"value\":\"a@x.com\"}]");
        assertThat(out.get("emails")).isEqualTo(Json.parse("[{\"value\":\"a@x.com\"}]"));
    }

    // Paths with a value filter

    @Test
    void replaceSetsTheSubAttributeOfMatchingValues() {
        ObjectNode out = patch(barbara(), """
                [{"op":"replace","path":"emails[type eq \\"work\\"].value","value":"barbara@example.com"}]""");
        assertThat(email(out, "barbara@example.com").get("type").asText()).isEqualTo("work");
        assertThat(email(out, "barbara@example.com").get("primary").booleanValue()).isTrue();
        assertThat(email(out, "babs@jensen.org")).isNotNull();
        assertThat(out.get("emails")).hasSize(2);
    }

    @Test
    void filterMatchesCaseInsensitively() {
        ObjectNode out = patch(barbara(), """
                [{"op":"replace","path":"EMAILS[TYPE EQ \\"Work\\"].Value","value":"barbara@example.com"}]""");
        assertThat(email(out, "barbara@example.com")).isNotNull();
        assertThat(out.get("emails")).hasSize(2);
    }

    @Test
    void addCreatesTheValueThatAnEqualityFilterDescribes() {
        ObjectNode out = patch(minimal(), """
                [{"op":"Add","path":"emails[type eq \\"work\\"].value","value":"alice@example.com"}]""");
        assertThat(out.get("emails")).isEqualTo(Json.parse("[{\"type\":\"work\",\"value\":\"alice@example.com\"}]"));
    }

    @Test
    void replaceCreatesAValueForACompoundEqualityFilter() {
        ObjectNode out = patch(barbara(), """
                [{"op":"replace","path":"phoneNumbers[type eq \\"mobile\\" and primary eq true].value","value":"+1 555 0100"}]""");
        assertThat(out.get("phoneNumbers")).isEqualTo(Json.parse(
                "[{\"type\":\"mobile\",\"primary\":true,\"value\":\"+1 555 0100\"}]"));
    }

    @Test
    void replaceWithoutSubAttributeMergesIntoMatchingValues() {
        ObjectNode out = patch(barbara(), """
                [{"op":"replace","path":"emails[type eq \\"home\\"]","value":{"value":"babs@home.net","display":"Home"}}]""");
        assertThat(email(out, "babs@home.net")).isEqualTo(Json.parse(
                "{\"value\":\"babs@home.net\",\"type\":\"home\",\"display\":\"Home\"}"));
    }

    @Test
    void replaceWithoutSubAttributeCreatesAMissingValue() {
        ObjectNode out = patch(barbara(), """
                [{"op":"replace","path":"emails[type eq \\"other\\"]","value":{"value":"b@other.net"}}]""");
        assertThat(email(out, "b@other.net")).isEqualTo(Json.parse("{\"type\":\"other\",\"value\":\"b@other.net\"}"));
    }

    @Test
    void setsTheSubAttributeOfAComplexValue() {
        ObjectNode out = patch(barbara(), """
                [{"op":"replace","path":"addresses[type eq \\"work\\"].streetAddress","value":"1 Main St"}]""");
        assertThat(out.get("addresses")).isEqualTo(Json.parse(
                "[{\"type\":\"work\",\"streetAddress\":\"1 Main St\",\"locality\":\"Hollywood\"}]"));
    }

    @Test
    void settingPrimaryThroughAFilterUnmarksTheOthers() {
        ObjectNode out = patch(barbara(), """
                [{"op":"replace","path":"emails[value eq \\"babs@jensen.org\\"].primary","value":"True"}]""");
        assertThat(email(out, "babs@jensen.org").get("primary").booleanValue()).isTrue();
        assertThat(email(out, "bjensen@example.com").get("primary").booleanValue()).isFalse();
    }

    @Test
    void removeDeletesMatchingValues() {
        ObjectNode out = patch(barbara(), """
                [{"op":"remove","path":"emails[value eq \\"babs@jensen.org\\"]"}]""");
        assertThat(out.get("emails")).hasSize(1);
        assertThat(email(out, "bjensen@example.com")).isNotNull();
    }

    @Test
    void removingTheLastMatchingValueRemovesTheAttribute() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"remove\",\"path\":\"addresses[type eq \\\"work\\\"]\"}]");
        assertThat(out.has("addresses")).isFalse();
    }

    @Test
    void removingTheValueSubAttributeRemovesTheWholeValue() {
        ObjectNode out = patch(barbara(), """
                [{"op":"Remove","path":"emails[type eq \\"home\\"].value"}]""");
        assertThat(out.get("emails")).hasSize(1);
        assertThat(email(out, "bjensen@example.com")).isNotNull();
    }

    @Test
    void removingAnotherSubAttributeKeepsTheValue() {
        ObjectNode out = patch(barbara(), """
                [{"op":"remove","path":"addresses[type eq \\"work\\"].locality"}]""");
        assertThat(out.get("addresses")).isEqualTo(Json.parse(
                "[{\"type\":\"work\",\"streetAddress\":\"100 Universal City Plaza\"}]"));
    }

    @Test
    void removeMatchingNothingSucceedsWithoutChange() {
        ObjectNode out = patch(barbara(), """
                [{"op":"remove","path":"emails[type eq \\"other\\"]"},
                 {"op":"remove","path":"phoneNumbers[type eq \\"work\\"].value"}]""");
        assertThat(out).isEqualTo(barbara());
    }

    @Test
    void replaceMatchingNothingWithAFilterThatDescribesNoValueIsNoTarget() {
        assertFails(barbara(), """
                [{"op":"replace","path":"emails[value co \\"nobody\\"].display","value":"x"}]""", "noTarget");
        assertFails(barbara(), """
                [{"op":"replace","path":"emails[type eq \\"x\\" or type eq \\"y\\"].display","value":"x"}]""", "noTarget");
    }

    @Test
    void filterOnASingleValuedAttributeIsInvalidPath() {
        assertFails(barbara(), "[{\"op\":\"replace\",\"path\":\"name[givenName eq \\\"B\\\"].familyName\",\"value\":\"x\"}]",
                "invalidPath");
    }

    @Test
    void unknownSubAttributeInOrAfterTheFilterIsInvalidPath() {
        assertFails(barbara(), "[{\"op\":\"replace\",\"path\":\"emails[kind eq \\\"work\\\"].value\",\"value\":\"x\"}]",
                "invalidPath");
        assertFails(barbara(), "[{\"op\":\"replace\",\"path\":\"emails[type eq \\\"work\\\"].address\",\"value\":\"x\"}]",
                "invalidPath");
    }

    // Enterprise extension

    @Test
    void urnQualifiedPathSetsAnExtensionAttribute() {
        ObjectNode out = patch(minimal(), "[{\"op\":\"add\",\"path\":\"" + ENT + ":employeeNumber\",\"value\":\"42\"}]");
        assertThat(out.get(ENT)).isEqualTo(Json.parse("{\"employeeNumber\":\"42\"}"));
    }

    @Test
    void urnQualifiedPathReplacesWithinTheExtension() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"replace\",\"path\":\"" + ENT + ":Department\",\"value\":\"Sales\"}]");
        assertThat(out.get(ENT).get("department").asText()).isEqualTo("Sales");
        assertThat(out.get(ENT).get("employeeNumber").asText()).isEqualTo("701984");
    }

    @Test
    void unqualifiedExtensionAttributeIsFound() {
        ObjectNode out = patch(minimal(), "[{\"op\":\"add\",\"path\":\"costCenter\",\"value\":\"4130\"}]");
        assertThat(out.get(ENT)).isEqualTo(Json.parse("{\"costCenter\":\"4130\"}"));
    }

    @Test
    void managerGivenAsAnIdOrAsSubAttribute() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"Replace\",\"path\":\"" + ENT + ":manager\",\"value\":\"m-2\"}]");
        assertThat(out.get(ENT).get("manager")).isEqualTo(Json.parse("{\"value\":\"m-2\"}"));

        out = patch(minimal(), "[{\"op\":\"add\",\"path\":\"" + ENT + ":manager.value\",\"value\":\"m-3\"}]");
        assertThat(out.get(ENT).get("manager")).isEqualTo(Json.parse("{\"value\":\"m-3\"}"));
    }

    @Test
    void pathThatIsTheExtensionUrnTakesAnObjectOfItsAttributes() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"replace\",\"path\":\"" + ENT
                + "\",\"value\":{\"Division\":\"Theme Park\",\"department\":\"Rides\",\"unknown\":1}}]");
        assertThat(out.get(ENT)).isEqualTo(Json.parse("""
                {"employeeNumber":"701984","department":"Rides",
                 "manager":{"value":"26118915-6090-4610-87e4-49d8ca9f808d"},"division":"Theme Park"}"""));
    }

    @Test
    void removingTheLastExtensionAttributeRemovesTheExtension() {
        ObjectNode out = patch(minimal(), "[{\"op\":\"add\",\"path\":\"" + ENT + ":division\",\"value\":\"D\"},"
                + "{\"op\":\"remove\",\"path\":\"" + ENT + ":division\"}]");
        assertThat(out.has(ENT)).isFalse();
    }

    @Test
    void removeOfTheExtensionUrnRemovesAllItsAttributes() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"remove\",\"path\":\"" + ENT + "\"}]");
        assertThat(out.has(ENT)).isFalse();
        assertThat(out.get("userName").asText()).isEqualTo("bjensen@example.com");
    }

    @Test
    void managerDisplayNameIsReadOnly() {
        assertFails(barbara(), "[{\"op\":\"replace\",\"path\":\"" + ENT + ":manager.displayName\",\"value\":\"x\"}]",
                "mutability");
    }

    // Operations without a path

    @Test
    void oktaDeactivate() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"replace\",\"value\":{\"active\":false}}]");
        assertThat(out.get("active").booleanValue()).isFalse();
    }

    @Test
    void keysAreAttributeNamesInAnyCase() {
        ObjectNode out = patch(barbara(), """
                [{"op":"replace","value":{"DisplayName":"B","NAME":{"givenName":"Babs"},"emails":[{"value":"n@x.com"}]}}]""");
        assertThat(out.get("displayName").asText()).isEqualTo("B");
        assertThat(out.get("name")).isEqualTo(Json.parse("{\"givenName\":\"Babs\",\"familyName\":\"Jensen\"}"));
        assertThat(out.get("emails")).isEqualTo(Json.parse("[{\"value\":\"n@x.com\"}]"));
    }

    @Test
    void addAppendsToMultiValuedAttributes() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"add\",\"value\":{\"emails\":[{\"value\":\"n@x.com\"}]}}]");
        assertThat(out.get("emails")).hasSize(3);
    }

    @Test
    void readOnlySchemasAndUnknownKeysAreIgnored() {
        ObjectNode out = patch(barbara(), """
                [{"op":"replace","value":{"id":"other-id","meta":{"created":"2020-01-01T00:00:00Z"},
                  "schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
                  "groups":[{"value":"g1"}],"favouriteColour":"teal","bad key[":1,"title":"Guide"}}]""");
        ObjectNode expected = barbara();
        expected.put("title", "Guide");
        assertThat(out).isEqualTo(expected);
    }

    @Test
    void entraStylePathKeys() {
        ObjectNode out = patch(minimal(), """
                [{"op":"Add","value":{
                   "name.givenName":"Alice","name.familyName":"Smith",
                   "emails[type eq \\"work\\"].value":"alice@work.com",
                   "%1$s:department":"Finance",
                   "%1$s:manager":"m-1"}}]""".formatted(ENT));
        assertThat(out.get("name")).isEqualTo(Json.parse("{\"givenName\":\"Alice\",\"familyName\":\"Smith\"}"));
        assertThat(out.get("emails")).isEqualTo(Json.parse("[{\"type\":\"work\",\"value\":\"alice@work.com\"}]"));
        assertThat(out.get(ENT)).isEqualTo(Json.parse("{\"department\":\"Finance\",\"manager\":{\"value\":\"m-1\"}}"));
    }

    @Test
    void extensionUrnKeyHoldsExtensionAttributes() {
        ObjectNode out = patch(minimal(), """
                [{"op":"replace","value":{"%s":{"EmployeeNumber":"7","manager":{"value":"m","displayName":"ignored"}}}}]"""
                .formatted(ENT));
        assertThat(out.get(ENT)).isEqualTo(Json.parse("{\"employeeNumber\":\"7\",\"manager\":{\"value\":\"m\"}}"));
    }

    @Test
    void coreSchemaUrnAsPathOrKeyMeansTheResource() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"replace\",\"path\":\"" + ScimUris.CORE_USER
                + "\",\"value\":{\"title\":\"A\"}},{\"op\":\"replace\",\"value\":{\"" + ScimUris.CORE_USER
                + "\":{\"nickName\":\"B\"}}}]");
        assertThat(out.get("title").asText()).isEqualTo("A");
        assertThat(out.get("nickName").asText()).isEqualTo("B");
    }

    @Test
    void nullValuesInReplaceClearAttributes() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"replace\",\"value\":{\"displayName\":null}}]");
        assertThat(out.has("displayName")).isFalse();
    }

    @Test
    void valueMustBeAnObject() {
        assertFails(barbara(), "[{\"op\":\"replace\",\"value\":\"active\"}]", "invalidValue");
        assertFails(barbara(), "[{\"op\":\"add\",\"value\":[{\"active\":true}]}]", "invalidValue");
    }

    @Test
    void extensionKeyMustHoldAnObject() {
        assertFails(barbara(), "[{\"op\":\"replace\",\"value\":{\"" + ENT + "\":\"Sales\"}}]", "invalidValue");
    }

    @Test
    void nullExtensionKeyIsNothingToAddButClearsOnReplace() {
        ObjectNode added = patch(barbara(), "[{\"op\":\"add\",\"value\":{\"" + ENT + "\":null}}]");
        assertThat(added).isEqualTo(barbara());

        ObjectNode replaced = patch(barbara(), "[{\"op\":\"replace\",\"value\":{\"" + ENT + "\":null}}]");
        assertThat(replaced.has(ENT)).isFalse();
    }

    @Test
    void badValueOfAKnownKeyIsStillInvalid() {
        assertFails(barbara(), "[{\"op\":\"replace\",\"value\":{\"active\":\"perhaps\"}}]", "invalidValue");
    }

    // Errors

    @ParameterizedTest
    @ValueSource(strings = {"id", "ID", "meta", "meta.created", "groups", "groups[value eq \\\"g\\\"].display"})
    void explicitPathToAReadOnlyAttributeIsMutability(String path) {
        assertFails(barbara(), "[{\"op\":\"replace\",\"path\":\"" + path + "\",\"value\":\"x\"}]", "mutability");
    }

    @Test
    void removeOfAReadOnlyAttributeIsMutability() {
        assertFails(barbara(), "[{\"op\":\"remove\",\"path\":\"meta\"}]", "mutability");
    }

    @ParameterizedTest
    @ValueSource(strings = {"urn:example:unknown:1.0:User:thing", "urn:example:unknown:1.0:User:thing.part",
            "urn:example:unknown:1.0:User:things[type eq \\\"a\\\"].value", "urn:example:unknown:1.0:User"})
    void pathToWhatABodyWouldDropChangesNothingAndTheRestApplies(String path) {
        for (String op : new String[] {"add", "replace", "remove"}) {
            ObjectNode out = patch(barbara(), "[{\"op\":\"" + op + "\",\"path\":\"" + path + "\",\"value\":\"x\"},"
                    + "{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]");
            ObjectNode expected = barbara();
            expected.put("active", false);
            assertThat(out).as(op + " " + path).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"favouriteColour", "name.nickname", "userName.first", "emails[type eq \\\"work\\\"].value.x",
            ScimUris.CORE_USER + ":favouriteColour", ENT + ":shoeSize", ENT + ":manager.badge", "meta.lastModifiedBy",
            "urn:ietf:params:scim:schemas:core:2.0:Group:displayName", "urn:ietf:params:scim:schemas:core:2.0:Group",
            "urn:ietf:params:scim:api:messages:2.0:PatchOp:Operations"})
    void unknownAttributeInAPathIsInvalidPath(String path) {
        assertThatThrownBy(() -> patch(barbara(), "[{\"op\":\"replace\",\"path\":\"" + path + "\",\"value\":\"x\"}]"))
                .isInstanceOfSatisfying(ScimException.class, e -> assertThat(e.scimType()).isEqualTo("invalidPath"));
    }

    @Test
    void removeOfTheResourceItselfIsNoTarget() {
        assertFails(barbara(), "[{\"op\":\"remove\",\"path\":\"" + ScimUris.CORE_USER + "\"}]", "noTarget");
    }

    // Atomicity and order

    @Test
    void aFailingOperationLeavesTheInputUntouchedAndReturnsNothing() {
        ObjectNode stored = barbara();
        ObjectNode before = stored.deepCopy();
        PatchRequest request = request("""
                [{"op":"replace","path":"displayName","value":"Changed"},
                 {"op":"remove","path":"emails"},
                 {"op":"replace","path":"id","value":"hijack"},
                 {"op":"add","path":"title","value":"Never"}]""");

        assertThatThrownBy(() -> ENGINE.apply(stored, request))
                .isInstanceOfSatisfying(ScimException.class, e -> assertThat(e.scimType()).isEqualTo("mutability"));
        assertThat(stored).isEqualTo(before);
    }

    @Test
    void successfulPatchDoesNotMutateTheInput() {
        ObjectNode stored = barbara();
        ObjectNode before = stored.deepCopy();
        ObjectNode out = patch(stored, """
                [{"op":"replace","path":"name.givenName","value":"B"},
                 {"op":"add","path":"emails","value":[{"value":"z@x.com"}]},
                 {"op":"remove","path":"%s:manager"}]""".formatted(ENT));
        assertThat(stored).isEqualTo(before);
        assertThat(out).isNotEqualTo(before);
        assertThat(out.get(ENT).has("manager")).isFalse();
    }

    @Test
    void operationsApplyInOrder() {
        ObjectNode out = patch(barbara(), """
                [{"op":"remove","path":"title"},
                 {"op":"add","path":"title","value":"First"},
                 {"op":"replace","path":"title","value":"Second"}]""");
        assertThat(out.get("title").asText()).isEqualTo("Second");
    }

    @Test
    void resultIsInStoredForm() {
        ObjectNode out = patch(barbara(), "[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"X\"}]");
        assertThat(out).isEqualTo(NORMALIZER.normalize(out));
    }

    @Test
    void aPrimaryMarkOrDisplayForAValueThatDoesNotExistIsNoTarget() {
        ObjectNode home = NORMALIZER.normalize(Json.parse("""
                {"userName":"h@example.com","emails":[{"value":"h@example.com","type":"home","primary":true}]}"""));
        assertFails(home, """
                [{"op":"replace","path":"emails[type eq \\"work\\"].primary","value":true}]""", "noTarget");
        assertFails(home, """
                [{"op":"add","path":"emails[type eq \\"work\\"].display","value":"Work"}]""", "noTarget");
        ObjectNode out = patch(home, """
                [{"op":"add","path":"addresses[type eq \\"work\\"].locality","value":"Hollywood"}]""");
        assertThat(out.get("addresses")).isEqualTo(Json.parse("[{\"type\":\"work\",\"locality\":\"Hollywood\"}]"));
    }

    @Test
    void severalPrimaryValuesInOneAddKeepTheFirstMark() {
        ObjectNode out = patch(barbara(), """
                [{"op":"add","path":"emails","value":[{"value":"p1@example.com","primary":true},
                                                      {"value":"p2@example.com","primary":true}]}]""");
        assertThat(email(out, "p1@example.com").get("primary").booleanValue()).isTrue();
        assertThat(email(out, "p2@example.com").get("primary").booleanValue()).isFalse();
        assertThat(email(out, "bjensen@example.com").get("primary").booleanValue()).isFalse();
    }

    @Test
    void aNameGivenTwiceInTwoLetterCasesIsRefused() {
        assertFails(barbara(), """
                [{"op":"replace","value":{"title":"a","TITLE":"b"}}]""", "invalidSyntax");
        assertFails(barbara(), """
                [{"op":"replace","path":"name","value":{"givenName":"a","GIVENNAME":"b"}}]""", "invalidSyntax");
        assertFails(barbara(), """
                [{"op":"add","path":"emails","value":[{"value":"x@example.com","VALUE":"y@example.com"}]}]""",
                "invalidSyntax");
        assertFails(barbara(), """
                [{"op":"replace","path":"%s","value":{"department":"Sales","DEPARTMENT":"Legal"}}]""".formatted(ENT),
                "invalidSyntax");
        assertFails(barbara(), """
                [{"op":"replace","value":{"%s":{"department":"x1","Department":"y1"}}}]""".formatted(ENT), "invalidSyntax");
    }

    /**
     * A path-less value names each attribute once, however it spells it: keys of a JSON object have no
     * order to rely on, so two keys writing one place cannot both be meant.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "{\"active\":false,\"urn:ietf:params:scim:schemas:core:2.0:User:active\":true}",
            "{\"urn:ietf:params:scim:schemas:core:2.0:User:active\":true,\"active\":false}",
            "{\"active\":false,\"urn:ietf:params:scim:schemas:core:2.0:User\":{\"active\":true}}",
            "{\"name\":{\"givenName\":\"A\"},\"name.givenName\":\"B\"}",
            "{\"name.givenName\":\"B\",\"NAME\":{\"GivenName\":\"A\"}}",
            "{\"name\":null,\"name.givenName\":\"B\"}",
            "{\"name.givenName\":\"A\",\"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName\":\"B\"}",
            "{\"urn:ietf:params:scim:schemas:core:2.0:User:Title\":\"A\",\"title\":\"B\"}",
            "{\"emails\":[{\"value\":\"a@x.com\"}],\"urn:ietf:params:scim:schemas:core:2.0:User:emails\":[{\"value\":\"b@x.com\"}]}",
            "{\"emails\":[\"a@x.com\"],\"emails[type eq \\\"work\\\"].value\":\"b@x.com\"}",
            "{\"emails[type eq \\\"work\\\"].value\":\"a@x.com\",\"emails[TYPE eq \\\"Work\\\"].VALUE\":\"b@x.com\"}",
            "{\"emails[type eq \\\"work\\\"]\":{\"value\":\"a@x.com\"},\"emails[type eq \\\"work\\\"].value\":\"b@x.com\"}",
            "{\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\":{\"department\":\"A\"},"
                    + "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department\":\"B\"}",
            "{\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department\":\"A\","
                    + "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:Department\":\"B\"}",
            "{\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department\":\"A\","
                    + "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\":null}",
            "{\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager\":\"m-1\","
                    + "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value\":\"m-2\"}"})
    void aPathlessValueThatWritesOnePlaceTwiceIsRefused(String value) {
        for (String op : new String[] {"add", "replace", "Replace"}) {
            assertFails(barbara(), "[{\"op\":\"" + op + "\",\"value\":" + value + "}]", "invalidSyntax");
        }
    }

    @Test
    void eachPartOfAnAttributeWrittenOnceInAPathlessValueApplies() {
        ObjectNode out = patch(barbara(), """
                [{"op":"replace","value":{"name":{"familyName":"Jensen-Smith"},"name.givenName":"Babs",
                  "%1$s":{"department":"Sales"},"%1$s:employeeNumber":"7","%2$s":{"title":"Guide"},"nickName":"B",
                  "emails[type eq \\"work\\"].value":"b@example.com","emails[type eq \\"home\\"].display":"Home",
                  "emails[type eq \\"work\\"].display":"Work"}}]""".formatted(ENT, ScimUris.CORE_USER));
        assertThat(out.get("name")).isEqualTo(Json.parse("{\"givenName\":\"Babs\",\"familyName\":\"Jensen-Smith\"}"));
        assertThat(out.get(ENT).get("department").asText()).isEqualTo("Sales");
        assertThat(out.get(ENT).get("employeeNumber").asText()).isEqualTo("7");
        assertThat(out.get("title").asText()).isEqualTo("Guide");
        assertThat(out.get("nickName").asText()).isEqualTo("B");
        assertThat(email(out, "b@example.com").get("display").asText()).isEqualTo("Work");
        assertThat(email(out, "babs@jensen.org").get("display").asText()).isEqualTo("Home");
        // The same attribute in two operations is two changes, applied in order.
        ObjectNode twice = patch(barbara(), """
                [{"op":"replace","value":{"active":false}},{"op":"replace","value":{"%s:active":true}}]"""
                .formatted(ScimUris.CORE_USER));
        assertThat(twice.get("active").booleanValue()).isTrue();
    }

    @Test
    void schemasIsNotAPathToChange() {
        assertFails(barbara(), "[{\"op\":\"remove\",\"path\":\"schemas\"}]", "mutability");
        assertFails(barbara(), "[{\"op\":\"replace\",\"path\":\"Schemas\",\"value\":[]}]", "mutability");
    }
    /** With many values the repeats are found through an index: the same answers as comparing each with each. */
    @Test
    void manyValuesAreMatchedAsFewAre() {
        StringBuilder emails = new StringBuilder();
        for (int i = 0; i < 998; i++) {
            emails.append(i == 0 ? "" : ",").append("{\"value\":\"E").append(i).append("@x.io\"")
                    .append(i % 2 == 0 ? ",\"type\":\"work\"" : "").append("}");
        }
        ObjectNode many = NORMALIZER.normalize(Json.parse("{\"userName\":\"m@x.io\",\"emails\":[" + emails + "]}"));
        ObjectNode added = patch(many, """
                [{"op":"add","path":"emails","value":[{"value":"e0@X.IO","type":"WORK","display":"first"},
                  {"value":"e1@x.io","type":"home"},{"value":"e2@x.io","type":"home"},{"value":"new@x.io"}]}]""");
        // e0 is the same value (another letter case, same type), e1 has no type so any type matches it,
        // e2 is another value (work, not home), new is new.
        assertThat(added.get("emails")).hasSize(1000);
        assertThat(email(added, "E0@x.io").get("display").asText()).isEqualTo("first");
        assertThat(email(added, "E1@x.io").get("type").asText()).isEqualTo("home");
        assertThat(email(added, "e2@x.io").get("type").asText()).isEqualTo("home");

        StringBuilder absent = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            absent.append(i == 0 ? "" : ",").append("{\"value\":\"z").append(i).append("@x.io\"}");
        }
        StringBuilder ops = new StringBuilder("[");
        for (int op = 0; op < 60; op++) {
            ops.append(op == 0 ? "" : ",").append("{\"op\":\"remove\",\"path\":\"emails\",\"value\":[").append(absent)
                    .append("]}");
        }
        // e5 and E7 have no type, so they go whatever the type; E6 is a work email, not a home one.
        ops.append(",{\"op\":\"remove\",\"path\":\"emails\",\"value\":[{\"value\":\"e5@X.io\"},"
                + "{\"value\":\"E7@x.io\",\"type\":\"home\"},{\"value\":\"E6@x.io\",\"type\":\"home\"}]}]");
        ObjectNode removed = patch(many, ops.toString());
        assertThat(removed.get("emails")).hasSize(996);
        assertThat(email(removed, "E5@x.io")).isNull();
        assertThat(email(removed, "E7@x.io")).isNull();
        assertThat(email(removed, "E6@x.io")).isNotNull();
    }
}
