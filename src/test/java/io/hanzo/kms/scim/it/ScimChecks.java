package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;

import java.util.ArrayList;
import java.util.List;

/**
 * Requests through {@link ApiClient} that fail the test whenever the server answers with a server
 * error, and the assertions the /Users suites share.
 */
public final class ScimChecks {
    public static final String USERS = TestOrg.SCIM + "/Users";
    public static final String GROUPS = TestOrg.SCIM + "/Groups";
    public static final String CORE = "urn:ietf:params:scim:schemas:core:2.0:User";
    public static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    public static final String GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
    public static final String ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
    public static final String LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    public static final String PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    public static final String SCIM_JSON = "application/scim+json";

    private final ApiClient client;

    public ScimChecks(ApiClient client) {
        this.client = client;
    }

    public ApiClient client() {
        return client;
    }

    public Future<ApiClient.Response> send(HttpMethod method, String path, String token, String body) {
        return client.send(method, path, token, body).map(r -> noServerError(method + " " + path, r));
    }

    public ApiClient.Response sendAndWait(HttpMethod method, String path, String token, String body) {
        return ApiClient.await(send(method, path, token, body));
    }

    public ApiClient.Response get(String path, String token) {
        return sendAndWait(HttpMethod.GET, path, token, null);
    }

    public ApiClient.Response post(String path, String token, String body) {
        return sendAndWait(HttpMethod.POST, path, token, body);
    }

    public ApiClient.Response put(String path, String token, String body) {
        return sendAndWait(HttpMethod.PUT, path, token, body);
    }

    public ApiClient.Response patch(String path, String token, String body) {
        return sendAndWait(HttpMethod.PATCH, path, token, body);
    }

    public ApiClient.Response delete(String path, String token) {
        return sendAndWait(HttpMethod.DELETE, path, token, null);
    }

    /** Creates a user and returns the server's representation of it. */
    public JsonNode createUser(TestOrg org, String body) {
        ApiClient.Response r = post(USERS, org.token(), body);
        assertThat(r.status()).as("POST /Users: %s", r.text()).isEqualTo(201);
        return r.json();
    }

    /** Creates a group of these users and returns its id. */
    public String createGroup(TestOrg org, String displayName, String... memberIds) {
        StringBuilder members = new StringBuilder();
        for (String id : memberIds) {
            members.append(members.length() == 0 ? "" : ",").append("{\"value\":\"").append(id).append("\"}");
        }
        ApiClient.Response r = post(GROUPS, org.token(), "{\"schemas\":[\"" + GROUP + "\"],\"displayName\":\""
                + displayName + "\",\"members\":[" + members + "]}");
        assertThat(r.status()).as("POST /Groups: %s", r.text()).isEqualTo(201);
        return r.json().path("id").asText();
    }

    /** The user as GET /Users/{id} returns it; the user must exist. */
    public JsonNode getUser(TestOrg org, String id) {
        ApiClient.Response r = get(USERS + "/" + id, org.token());
        assertThat(r.status()).as("GET /Users/%s: %s", id, r.text()).isEqualTo(200);
        return r.json();
    }

    /** GET /Users with the filter given (URL-encoded here); the answer must be a 200 ListResponse. */
    public JsonNode list(TestOrg org, String filter) {
        ApiClient.Response r = get(USERS + "?filter=" + ApiClient.encode(filter), org.token());
        assertThat(r.status()).as("filter %s: %s", filter, r.text()).isEqualTo(200);
        assertListResponse(r);
        return r.json();
    }

    /** A minimal user body. */
    public static String user(String userName) {
        return "{\"schemas\":[\"" + CORE + "\"],\"userName\":\"" + userName + "\"}";
    }

    /** A PatchOp request body holding the operations given, each a JSON object. */
    public static String patchOps(String... operations) {
        return "{\"schemas\":[\"" + PATCH_OP + "\"],\"Operations\":[" + String.join(",", operations) + "]}";
    }

    /** Any answer but a server error; 501 is the one 5xx a SCIM server may answer on purpose. */
    public static ApiClient.Response noServerError(String request, ApiClient.Response r) {
        assertThat(r.status() >= 500 && r.status() != 501)
                .as("%s answered %d: %s", request, r.status(), r.text())
                .isFalse();
        return r;
    }

    /** An RFC 7644 §3.12 error with the status and, when given, the scimType. */
    public static void assertScimError(ApiClient.Response r, int status, String scimType) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.header("Content-Type")).as("Content-Type of a SCIM error").startsWith(SCIM_JSON);
        JsonNode body = r.json();
        assertThat(body.path("schemas").isArray()).as(r.text()).isTrue();
        assertThat(texts(body.path("schemas"))).as(r.text()).contains(ERROR);
        assertThat(body.path("status").isTextual()).as("status is a JSON string: %s", r.text()).isTrue();
        assertThat(body.path("status").asText()).isEqualTo(Integer.toString(status));
        assertThat(body.path("detail").asText()).as(r.text()).isNotBlank();
        if (scimType != null) {
            assertThat(body.path("scimType").asText()).as(r.text()).isEqualTo(scimType);
        }
    }

    /** A ListResponse whose paging fields are JSON integers. */
    public static void assertListResponse(ApiClient.Response r) {
        assertThat(r.header("Content-Type")).startsWith(SCIM_JSON);
        JsonNode body = r.json();
        assertThat(texts(body.path("schemas"))).as(r.text()).containsExactly(LIST);
        assertThat(body.path("totalResults").isInt()).as("totalResults is an integer: %s", r.text()).isTrue();
        assertThat(body.path("itemsPerPage").isInt()).as("itemsPerPage is an integer: %s", r.text()).isTrue();
        assertThat(body.path("startIndex").isInt()).as("startIndex is an integer: %s", r.text()).isTrue();
        assertThat(body.path("itemsPerPage").asInt()).isEqualTo(body.path("Resources").size());
    }

    /** The ids of a ListResponse's resources, in order. */
    public static List<String> ids(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.path("Resources").forEach(u -> out.add(u.path("id").asText()));
        return out;
    }

    public static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    /** Emails of a user as "type:value" strings, in order. */
    public static List<String> emails(JsonNode user) {
        List<String> out = new ArrayList<>();
        user.path("emails").forEach(e -> out.add(e.path("type").asText() + ":" + e.path("value").asText()));
        return out;
    }

    /** How many values of a multi-valued attribute are marked primary. */
    public static int primaryCount(JsonNode values) {
        int n = 0;
        for (JsonNode v : values) {
            if (v.path("primary").asBoolean(false)) {
                n++;
            }
        }
        return n;
    }
}
