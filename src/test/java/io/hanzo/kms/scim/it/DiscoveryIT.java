package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

/** RFC 7644 §4 discovery: ServiceProviderConfig, ResourceTypes and Schemas. */
@ExtendWith(VertxExtension.class)
class DiscoveryIT {
    private static final String CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
    private static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    private static final String LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    private static final String ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error";

    private static ApiClient client;
    private static TestOrg org;

    @BeforeAll
    static void start(Vertx vertx) {
        client = new ApiClient(vertx, TestServer.shared().port());
        org = TestOrg.create(client, "Discovery");
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    private static JsonNode getScim(String path) {
        ApiClient.Response r = client.get(TestOrg.SCIM + path, org.token());
        assertThat(r.status()).as(path + ": " + r.text()).isEqualTo(200);
        assertThat(r.header("Content-Type")).as(path).startsWith("application/scim+json");
        return r.json();
    }

    private static JsonNode attribute(JsonNode schema, String name) {
        for (JsonNode a : schema.path("attributes")) {
            if (a.path("name").asText().equals(name)) {
                return a;
            }
        }
        throw new AssertionError("No attribute '" + name + "' in " + schema.path("id").asText());
    }

    private static JsonNode subAttribute(JsonNode attribute, String name) {
        for (JsonNode a : attribute.path("subAttributes")) {
            if (a.path("name").asText().equals(name)) {
                return a;
            }
        }
        throw new AssertionError("No sub-attribute '" + name + "' in " + attribute.path("name").asText());
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array) {
            out.add(field == null ? n.asText() : n.path(field).asText());
        }
        return out;
    }

    @Test
    void serviceProviderConfigDescribesWhatTheServerDoes() {
        JsonNode spc = getScim("/ServiceProviderConfig");
        assertThat(texts(spc.path("schemas"), null))
                .containsExactly("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig");
        assertThat(spc.path("patch").path("supported").isBoolean()).isTrue();
        assertThat(spc.path("patch").path("supported").booleanValue()).isTrue();
        assertThat(spc.path("filter").path("supported").booleanValue()).isTrue();
        assertThat(spc.path("filter").path("maxResults").isInt()).isTrue();
        assertThat(spc.path("filter").path("maxResults").intValue()).isEqualTo(1000);
        assertThat(spc.path("bulk").path("supported").isBoolean()).isTrue();
        assertThat(spc.path("bulk").path("supported").booleanValue()).isTrue();
        assertThat(spc.path("bulk").path("maxOperations").asInt()).isEqualTo(1000);
        assertThat(spc.path("bulk").path("maxPayloadSize").asInt()).isEqualTo(4194304);
        assertThat(spc.path("sort").path("supported").isBoolean()).isTrue();
        assertThat(spc.path("sort").path("supported").booleanValue()).isTrue();
        assertThat(spc.path("etag").path("supported").isBoolean()).isTrue();
        assertThat(spc.path("etag").path("supported").booleanValue()).isTrue();
        assertThat(spc.path("changePassword").path("supported").isBoolean()).isTrue();
        assertThat(spc.path("changePassword").path("supported").booleanValue()).isFalse();
        assertThat(spc.has("documentationUri")).as("no link to a page the server does not serve").isFalse();

        JsonNode schemes = spc.path("authenticationSchemes");
        assertThat(schemes.isArray()).isTrue();
        assertThat(texts(schemes, "type")).contains("oauthbearertoken");
        for (JsonNode s : schemes) {
            assertThat(s.path("name").asText()).isNotBlank();
            assertThat(s.path("description").asText()).isNotBlank();
        }
        assertThat(spc.path("meta").path("resourceType").asText()).isEqualTo("ServiceProviderConfig");
        assertThat(spc.path("meta").path("location").asText())
                .isEqualTo(TestServer.shared().baseUrl() + "/api/v1/scim/ServiceProviderConfig");
    }

    @Test
    void resourceTypesListsUserWithTheEnterpriseExtension() {
        JsonNode list = getScim("/ResourceTypes");
        assertThat(texts(list.path("schemas"), null)).containsExactly(LIST_RESPONSE);
        JsonNode resources = list.path("Resources");
        assertThat(resources.isArray()).isTrue();
        assertThat(list.path("totalResults").asInt()).isEqualTo(resources.size());
        assertThat(list.path("itemsPerPage").asInt()).isEqualTo(resources.size());
        assertThat(list.path("startIndex").asInt()).isEqualTo(1);
        assertThat(texts(resources, "id")).contains("User").doesNotHaveDuplicates();
        assertUserResourceType(userResourceType(list));
    }

    @Test
    void userResourceTypeByIdMatchesTheListedOne() {
        JsonNode one = getScim("/ResourceTypes/User");
        assertUserResourceType(one);
        assertThat(one).isEqualTo(userResourceType(getScim("/ResourceTypes")));
    }

    private static JsonNode userResourceType(JsonNode list) {
        for (JsonNode t : list.path("Resources")) {
            if (t.path("id").asText().equals("User")) {
                return t;
            }
        }
        throw new AssertionError("No User resource type in " + list);
    }

    private static void assertUserResourceType(JsonNode type) {
        assertThat(texts(type.path("schemas"), null)).containsExactly("urn:ietf:params:scim:schemas:core:2.0:ResourceType");
        assertThat(type.path("id").asText()).isEqualTo("User");
        assertThat(type.path("name").asText()).isEqualTo("User");
        assertThat(type.path("endpoint").asText()).isEqualTo("/Users");
        assertThat(type.path("schema").asText()).isEqualTo(CORE_USER);
        JsonNode ext = type.path("schemaExtensions");
        assertThat(ext.isArray()).isTrue();
        assertThat(ext.size()).isEqualTo(1);
        assertThat(ext.get(0).path("schema").asText()).isEqualTo(ENTERPRISE);
        assertThat(ext.get(0).path("required").isBoolean()).isTrue();
        assertThat(ext.get(0).path("required").booleanValue()).isFalse();
        assertThat(type.path("meta").path("resourceType").asText()).isEqualTo("ResourceType");
        assertThat(type.path("meta").path("location").asText())
                .isEqualTo(TestServer.shared().baseUrl() + "/api/v1/scim/ResourceTypes/User");
    }

    @Test
    void unknownResourceTypeIs404() {
        ApiClient.Response r = client.get(TestOrg.SCIM + "/ResourceTypes/Widget", org.token());
        assertThat(r.status()).as(r.text()).isEqualTo(404);
        assertThat(r.json().path("schemas").toString()).contains(ERROR_URN);
    }

    @Test
    void schemasListsCoreUserAndEnterpriseExtension() {
        JsonNode list = getScim("/Schemas");
        assertThat(texts(list.path("schemas"), null)).containsExactly(LIST_RESPONSE);
        assertThat(list.path("totalResults").asInt()).isEqualTo(list.path("Resources").size());
        assertThat(texts(list.path("Resources"), "id")).contains(CORE_USER, ENTERPRISE).doesNotHaveDuplicates();
        for (JsonNode s : list.path("Resources")) {
            assertThat(texts(s.path("schemas"), null)).containsExactly("urn:ietf:params:scim:schemas:core:2.0:Schema");
            assertThat(s.path("attributes").size()).isPositive();
            assertThat(s.path("meta").path("resourceType").asText()).isEqualTo("Schema");
        }
    }

    @Test
    void coreUserSchemaDescribesUniquenessMutabilityAndReturned() {
        JsonNode schema = getScim("/Schemas/" + CORE_USER);
        assertThat(schema.path("id").asText()).isEqualTo(CORE_USER);
        assertThat(schema.path("name").asText()).isEqualTo("User");

        JsonNode userName = attribute(schema, "userName");
        assertThat(userName.path("type").asText()).isEqualTo("string");
        assertThat(userName.path("uniqueness").asText()).isEqualTo("server");
        assertThat(userName.path("required").booleanValue()).isTrue();
        assertThat(userName.path("multiValued").booleanValue()).isFalse();

        JsonNode password = attribute(schema, "password");
        assertThat(password.path("returned").asText()).isEqualTo("never");
        assertThat(password.path("mutability").asText()).isEqualTo("writeOnly");

        JsonNode groups = attribute(schema, "groups");
        assertThat(groups.path("mutability").asText()).isEqualTo("readOnly");
        assertThat(groups.path("multiValued").booleanValue()).isTrue();
        assertThat(groups.path("type").asText()).isEqualTo("complex");

        JsonNode emails = attribute(schema, "emails");
        assertThat(emails.path("multiValued").booleanValue()).isTrue();
        assertThat(texts(emails.path("subAttributes"), "name")).contains("value", "type", "primary");
        assertThat(texts(subAttribute(emails, "type").path("canonicalValues"), null)).contains("work", "home");

        JsonNode active = attribute(schema, "active");
        assertThat(active.path("type").asText()).isEqualTo("boolean");

        JsonNode name = attribute(schema, "name");
        assertThat(texts(name.path("subAttributes"), "name")).contains("givenName", "familyName", "formatted");
    }

    @Test
    void enterpriseSchemaIsServed() {
        JsonNode schema = getScim("/Schemas/" + ENTERPRISE);
        assertThat(schema.path("id").asText()).isEqualTo(ENTERPRISE);
        assertThat(texts(schema.path("attributes"), "name"))
                .contains("employeeNumber", "costCenter", "organization", "division", "department", "manager");
    }

    @Test
    void unknownSchemaIs404() {
        for (String id : List.of("urn:ietf:params:scim:schemas:core:2.0:Widget", "urn:example:nothing", "nope")) {
            ApiClient.Response r = client.get(TestOrg.SCIM + "/Schemas/" + id, org.token());
            assertThat(r.status()).as(id + ": " + r.text()).isEqualTo(404);
            assertThat(r.header("Content-Type")).startsWith("application/scim+json");
            assertThat(r.json().path("schemas").toString()).contains(ERROR_URN);
            assertThat(r.json().path("status").asText()).isEqualTo("404");
        }
    }
}
