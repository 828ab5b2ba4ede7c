package io.hanzo.kms.scim.protocol.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.ScimUris;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResourceNormalizerTest {
    private static final String ENT = ScimUris.ENTERPRISE_USER;
    private static final ResourceNormalizer NORMALIZER = new ResourceNormalizer(UserSchemas.USER);

    private static ObjectNode normalize(String json) {
        return NORMALIZER.normalize(Json.parse(json));
    }

    private static void assertInvalid(String json, String scimType) {
        assertThatThrownBy(() -> normalize(json))
                .isInstanceOfSatisfying(ScimException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.scimType()).isEqualTo(scimType);
                });
    }

    @Test
    void namesAreWrittenInTheSchemasCase() {
        ObjectNode out = normalize("""
                {"USERNAME":"bob@x.com","DisplayName":"Bob","NAME":{"GIVENNAME":"Bob","familyname":"Smith"},
                 "Emails":[{"VALUE":"bob@x.com","Type":"work"}],"EXTERNALID":"e-1"}""");
        assertThat(out).isEqualTo(Json.parse("""
                {"userName":"bob@x.com","displayName":"Bob","name":{"givenName":"Bob","familyName":"Smith"},
                 "emails":[{"value":"bob@x.com","type":"work"}],"externalId":"e-1"}"""));
    }

    @Test
    void passwordIsDiscarded() {
        ObjectNode out = normalize("{\"userName\":\"bob\",\"password\":\"t1meMa$heen\"}");
        assertThat(out).isEqualTo(Json.parse("{\"userName\":\"bob\"}"));
    }

    @Test
    void serverOwnedAttributesAreIgnored() {
        ObjectNode out = normalize("""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"client-id","userName":"bob",
                 "meta":{"resourceType":"User","created":"2020-01-01T00:00:00Z"},
                 "groups":[{"value":"g1","display":"Admins"}],
                 "%s":{"manager":{"value":"m1","displayName":"Boss"}}}""".formatted(ENT));
        assertThat(out).isEqualTo(Json.parse("""
                {"userName":"bob","%s":{"manager":{"value":"m1"}}}""".formatted(ENT)));
    }

    @Test
    void externalIdIsKept() {
        assertThat(normalize("{\"userName\":\"bob\",\"externalId\":\"00u1\"}").get("externalId").asText())
                .isEqualTo("00u1");
    }

    @Test
    void unknownAttributesAndExtensionsAreIgnored() {
        ObjectNode out = normalize("""
                {"userName":"bob","favouriteColour":"teal","name":{"givenName":"Bob","nickname":"B"},
                 "urn:example:custom:2.0:User":{"badge":"7"},
                 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:shoeSize":"44"}""");
        assertThat(out).isEqualTo(Json.parse("{\"userName\":\"bob\",\"name\":{\"givenName\":\"Bob\"}}"));
    }

    @Test
    void onlyTheFirstPrimaryValueStaysPrimary() {
        ObjectNode out = normalize("""
                {"userName":"bob","emails":[{"value":"a@x.com","primary":true},
                                            {"value":"b@x.com","primary":"true"},
                                            {"value":"c@x.com","primary":false}]}""");
        assertThat(out.get("emails")).isEqualTo(Json.parse("""
                [{"value":"a@x.com","primary":true},{"value":"b@x.com","primary":false},
                 {"value":"c@x.com","primary":false}]"""));
    }

    @Test
    void booleanTextIsCoerced() {
        ObjectNode out = normalize("{\"userName\":\"bob\",\"active\":\"True\",\"emails\":[{\"value\":\"a@x\",\"primary\":\"FALSE\"}]}");
        assertThat(out.get("active").isBoolean()).isTrue();
        assertThat(out.get("active").booleanValue()).isTrue();
        assertThat(out.get("emails").get(0).get("primary").isBoolean()).isTrue();
        assertThat(out.get("emails").get(0).get("primary").booleanValue()).isFalse();
    }

    @Test
    void listedBareValuesAreWrapped() {
        ObjectNode out = normalize("""
                {"userName":"bob","emails":{"value":"bob@x.com"},"phoneNumbers":["+1 555","+1 556"]}""");
        assertThat(out.get("emails")).isEqualTo(Json.parse("[{\"value\":\"bob@x.com\"}]"));
        assertThat(out.get("phoneNumbers")).isEqualTo(Json.parse("[{\"value\":\"+1 555\"},{\"value\":\"+1 556\"}]"));
        assertThat(normalize("{\"userName\":\"bob\",\"emails\":\"bob@x.com\"}").get("emails"))
                .as("a bare value, neither in an object nor in an array").isEqualTo(Json.parse("[{\"value\":\"bob@x.com\"}]"));
    }

    @Test
    void aSentBodyThatNamesAnAttributeTwiceIsRefused() {
        ResourceNormalizer users = new ResourceNormalizer(UserSchemas.USER);
        String ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        for (String body : new String[] {
                "{\"userName\":\"a\",\"USERNAME\":\"b\"}",
                "{\"userName\":\"a\",\"urn:ietf:params:scim:schemas:core:2.0:User:userName\":\"b\"}",
                "{\"userName\":\"a\",\"" + ent + "\":{\"department\":\"x\"},\"" + ent + ":Department\":\"y\"}",
                "{\"userName\":\"a\",\"title\":null,\"Title\":\"x\"}",
                "{\"userName\":\"a\",\"name\":{\"givenName\":\"a\",\"GIVENNAME\":\"b\"}}",
                "{\"userName\":\"a\",\"emails\":[{\"value\":\"a@x\",\"Value\":\"b@x\"}]}",
                "{\"userName\":\"a\",\"name\":{\"givenName\":null,\"GIVENNAME\":\"b\"}}",
                "{\"userName\":\"a\",\"emails\":[{\"value\":null,\"VALUE\":\"b@x\"}]}",
                "{\"userName\":\"a\",\"active\":false,\"urn:ietf:params:scim:schemas:core:2.0:User:active\":true}",
                "{\"userName\":\"a\",\"urn:ietf:params:scim:schemas:core:2.0:User:emails\":[\"a@x\"],\"emails\":[\"b@x\"]}",
                "{\"schemas\":[],\"userName\":\"a\",\"Schemas\":[]}"}) {
            assertThatThrownBy(() -> users.normalizeSent(Json.parse(body))).as(body).isInstanceOfSatisfying(ScimException.class, e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.scimType()).isEqualTo("invalidSyntax");
            });
        }
        // Once each, in any letter case and either form, is fine.
        ObjectNode once = users.normalizeSent(Json.parse("{\"USERNAME\":\"a\",\"" + ent + ":department\":\"y\",\"Name\":{\"givenName\":\"A\"}}"));
        assertThat(once.path("userName").asText()).isEqualTo("a");
        assertThat(once.path(ent).path("department").asText()).isEqualTo("y");
        // "email" is a filter's alias, not an attribute of a body: ignored, so no second "emails".
        ObjectNode alias = users.normalizeSent(Json.parse("{\"userName\":\"a\",\"emails\":[{\"value\":\"a@x\"}],\"email\":\"b@x\"}"));
        assertThat(alias.path("emails").size()).isEqualTo(1);
    }

    @Test
    void wrongTypesAreRefusedNotCoerced() {
        for (String body : new String[] {
                "{\"userName\":1e400}", "{\"userName\":123}", "{\"userName\":true}", "{\"userName\":\"bob\",\"title\":42}",
                "{\"userName\":\"bob\",\"emails\":42}", "{\"userName\":\"bob\",\"emails\":[42]}",
                "{\"userName\":\"bob\",\"emails\":[{\"value\":false}]}", "{\"userName\":\"bob\",\"name\":\"Bob\"}",
                "{\"userName\":\"bob\",\"name\":{\"givenName\":[\"a\",\"b\"]}}", "{\"userName\":\"bob\",\"active\":1}",
                "{\"userName\":\"bob\",\"active\":\"yes\"}", "{\"userName\":{\"a\":1}}", "{\"userName\":[\"a\",\"b\"]}",
                "{\"userName\":\"bob\",\"externalId\":7}", "{\"userName\":\"bob\",\"x509Certificates\":[{\"value\":\"\\ud800\"}]}"}) {
            assertThatThrownBy(() -> normalize(body)).as(body).isInstanceOfSatisfying(ScimException.class, e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.scimType()).isEqualTo("invalidValue");
            });
        }
    }

    @Test
    void textPostgresqlCannotStoreIsRefused() {
        for (String name : new String[] {"bad\\ud800x", "bad\\udc00", "x\\ud800", "nul\\u0000"}) {
            String body = "{\"userName\":\"" + name + "\"}";
            assertThatThrownBy(() -> normalize(body)).as(body).isInstanceOfSatisfying(ScimException.class,
                    e -> assertThat(e.status()).isEqualTo(400));
        }
        assertThat(normalize("{\"userName\":\"emoji\\ud83d\\ude00\"}").get("userName").asText()).isEqualTo("emoji\ud83d\ude00");
    }

    @Test
    void enterpriseExtensionIsStoredUnderItsUrn() {
        ObjectNode out = normalize("""
                {"userName":"bob","%s":{"EmployeeNumber":"701984","department":"Ops","manager":{"VALUE":"m1"}}}"""
                .formatted(ENT.toUpperCase()));
        assertThat(out).isEqualTo(Json.parse("""
                {"userName":"bob","%s":{"employeeNumber":"701984","department":"Ops","manager":{"value":"m1"}}}"""
                .formatted(ENT)));
    }

    @Test
    void urnQualifiedTopLevelKeysGoToTheirSchema() {
        ObjectNode out = normalize("""
                {"userName":"bob","%1$s:department":"Finance","%1$s":{"costCenter":"4130"},
                 "urn:ietf:params:scim:schemas:core:2.0:User:displayName":"Bob"}""".formatted(ENT));
        assertThat(out).isEqualTo(Json.parse("""
                {"userName":"bob","%s":{"department":"Finance","costCenter":"4130"},"displayName":"Bob"}"""
                .formatted(ENT)));
    }

    @Test
    void coreAttributesInAnObjectNamedByTheCoreSchemaAreCoreAttributes() {
        String core = ScimUris.CORE_USER;
        ObjectNode nested = NORMALIZER.normalizeSent(Json.parse("""
                {"schemas":["%1$s"],"%1$s":{"USERNAME":"bob@acme.com","active":false,"externalId":"e-1",
                 "name":{"givenName":"Bob"},"id":"client-id"},"displayName":"Bob","%2$s":{"department":"Ops"}}"""
                .formatted(core.toUpperCase(), ENT)));
        ObjectNode flat = NORMALIZER.normalizeSent(Json.parse("""
                {"schemas":["%s"],"userName":"bob@acme.com","active":false,"externalId":"e-1",
                 "name":{"givenName":"Bob"},"displayName":"Bob","%s":{"department":"Ops"}}""".formatted(core, ENT)));
        assertThat(nested).isEqualTo(flat);

        for (String body : new String[] {
                "{\"active\":true,\"%s\":{\"userName\":\"a\",\"active\":false}}",
                "{\"userName\":\"a\",\"%s\":{\"USERNAME\":\"b\"}}",
                "{\"%1$s\":{\"userName\":\"a\"},\"%1$s:userName\":\"b\"}",
                "{\"%1$s\":{\"userName\":\"a\",\"title\":\"x\"},\"TITLE\":\"y\"}",
                "{\"%1$s\":{\"userName\":\"a\",\"title\":\"x\"},\"%2$s\":{\"TITLE\":\"y\"}}"}) {
            String json = body.formatted(core, core.toUpperCase());
            assertThatThrownBy(() -> NORMALIZER.normalizeSent(Json.parse(json))).as(json)
                    .isInstanceOfSatisfying(ScimException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.scimType()).isEqualTo("invalidSyntax");
                        assertThat(e.getMessage()).containsAnyOf("'userName'", "'active'", "'title'");
                    });
        }
        // null and an empty object say nothing (serialisers write them for an empty nested object), as
        // for an extension.
        for (String value : new String[] {"null", "{}"}) {
            String json = "{\"userName\":\"bob\",\"" + core + "\":" + value + "}";
            assertThat(NORMALIZER.normalizeSent(Json.parse(json))).as(json)
                    .isEqualTo(NORMALIZER.normalizeSent(Json.parse("{\"userName\":\"bob\"}")));
        }
        for (String value : new String[] {"\"bob\"", "[{\"userName\":\"bob\"}]", "true"}) {
            String json = "{\"userName\":\"bob\",\"" + core + "\":" + value + "}";
            assertThatThrownBy(() -> NORMALIZER.normalizeSent(Json.parse(json))).as(json)
                    .isInstanceOfSatisfying(ScimException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.scimType()).isEqualTo("invalidSyntax");
                        assertThat(e.getMessage()).contains(core);
                    });
        }
    }

    @Test
    void emptyExtensionAndNullsLeaveNothing() {
        ObjectNode out = normalize("""
                {"userName":"bob","title":null,"emails":[],"name":{},"%s":{"department":null}}""".formatted(ENT));
        assertThat(out).isEqualTo(Json.parse("{\"userName\":\"bob\"}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"displayName\":\"Bob\"}", "{\"userName\":\"  \"}", "{\"userName\":null}"})
    void missingUserNameIsInvalidValue(String json) {
        assertInvalid(json, "invalidValue");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"userName\":\"bob\",\"active\":\"yes\"}",
            "{\"userName\":\"bob\",\"active\":1}",
            "{\"userName\":{\"value\":\"bob\"}}",
            "{\"userName\":[\"a\",\"b\"]}",
            "{\"userName\":\"bob\",\"name\":\"Bob Smith\"}",
            "{\"userName\":\"bob\",\"emails\":[[\"a@x\"]]}",
            "{\"userName\":\"bob\",\"x509Certificates\":[{\"value\":\"not base64!\"}]}",
            "{\"userName\":\"bob\",\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\":\"Ops\"}"
    })
    void wrongTypesAreInvalidValue(String json) {
        assertInvalid(json, "invalidValue");
    }

    @Test
    void nonObjectBodyIsInvalidSyntax() {
        assertInvalid("[]", "invalidSyntax");
    }

    @Test
    void normalizingTwiceChangesNothing() {
        ObjectNode once = normalize("""
                {"UserName":"bob","active":"true","emails":[{"value":"a@x","primary":true},{"value":"b@x","primary":true}],
                 "%s":{"manager":"m1"}}""".formatted(ENT));
        assertThat(NORMALIZER.normalize(once)).isEqualTo(once);
        assertThat(once.get(ENT).get("manager")).isEqualTo(Json.parse("{\"value\":\"m1\"}"));
    }
}
