package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Replays each identity provider's full provisioning life cycle, written down from its public
 * documentation in {@code src/test/resources/idp/<name>.json}, against the real server: a fresh
 * organisation and token per fixture, the requests exactly as the IdP sends them (paths, filters,
 * headers, bodies), and the answers checked for what that IdP reads back. Ids the server assigns are
 * captured from earlier answers into {@code {{name}}} placeholders; the fixture format is described
 * in {@code src/test/resources/idp/README.md}.
 */
@ExtendWith(VertxExtension.class)
class IdpReplayIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Za-z0-9_]+)}}");
    private static final String FIXTURES = "idp";
    /** The IdPs issue 14 names; each must have a fixture, so none is dropped by accident. */
    private static final List<String> REQUIRED = List.of("pingone", "okta", "entra-id", "jumpcloud", "onelogin",
            "pingfederate", "authentik", "keycloak");

    private static ApiClient client;

    @BeforeAll
    static void start(Vertx vertx) {
        client = new ApiClient(vertx, TestServer.shared().port());
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    static Stream<String> fixtures() {
        return fixtureNames().stream();
    }

    private static List<String> fixtureNames() {
        URL dir = IdpReplayIT.class.getClassLoader().getResource(FIXTURES);
        if (dir == null) {
            throw new IllegalStateException("No " + FIXTURES + "/ fixtures on the test class path");
        }
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - ".json".length())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void everyNamedIdentityProviderHasAFixtureWithItsSources() {
        assertThat(fixtureNames()).containsAll(REQUIRED);
        for (String name : fixtureNames()) {
            JsonNode f = load(name);
            assertThat(f.path("idp").asText()).as(name).isNotBlank();
            assertThat(f.path("sources").isArray() && f.path("sources").size() > 0).as(name + " names its sources").isTrue();
            assertThat(f.path("steps").size()).as(name).isGreaterThan(10);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void replay(String name) {
        JsonNode fixture = load(name);
        TestOrg org = TestOrg.create(client, "Replay " + fixture.path("idp").asText());
        Map<String, String> vars = new HashMap<>();
        vars.put("scim", TestServer.shared().baseUrl() + TestOrg.SCIM);
        vars.put("orgId", org.id());
        int n = 0;
        for (JsonNode step : fixture.path("steps")) {
            n++;
            String label = name + " step " + n + " (" + step.path("step").asText() + ")";
            ApiClient.Response r = send(org, step.path("request"), vars, label);
            check(step.path("expect"), r, vars, label);
        }
    }

    private static JsonNode load(String name) {
        try (InputStream in = IdpReplayIT.class.getClassLoader().getResourceAsStream(FIXTURES + "/" + name + ".json")) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ApiClient.Response send(TestOrg org, JsonNode request, Map<String, String> vars, String label) {
        HttpMethod method = HttpMethod.valueOf(request.path("method").asText());
        boolean admin = request.path("api").asText("scim").equals("admin");
        StringBuilder path = new StringBuilder(admin ? "/api/v1/organizations/" + org.id() : TestOrg.SCIM);
        path.append(substitute(request.path("path").asText(), vars, label));
        Iterator<Map.Entry<String, JsonNode>> query = request.path("query").fields();
        for (char sep = path.indexOf("?") < 0 ? '?' : '&'; query.hasNext(); sep = '&') {
            Map.Entry<String, JsonNode> q = query.next();
            path.append(sep).append(q.getKey()).append('=')
                    .append(ApiClient.encode(substitute(q.getValue().asText(), vars, label)));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        request.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), substitute(h.getValue().asText(), vars, label)));
        JsonNode body = request.get("body");
        ApiClient.Response r = client.sendWithHeaders(method, path.toString(), admin ? TestServer.ADMIN_TOKEN : org.token(),
                headers, body == null ? null : substitute(body.toString(), vars, label));
        return ScimChecks.noServerError(label + ": " + method + " " + path, r);
    }

    private static void check(JsonNode expect, ApiClient.Response r, Map<String, String> vars, String label) {
        assertThat(r.status()).as("%s: status of %s", label, r.text()).isEqualTo(expect.path("status").asInt());
        if (r.status() >= 400) {
            ScimChecks.assertScimError(r, r.status(), expect.path("scimType").isMissingNode() ? null : expect.path("scimType").asText());
        }
        JsonNode json = expect.has("fields") || expect.has("size") || expect.has("values") || expect.has("absent")
                || expect.has("capture") || expect.has("minSize") ? r.json() : null;
        // Captured first: the checks below may name what this very answer assigned.
        expect.path("capture").fields().forEachRemaining(c -> {
            String value = json.at(c.getValue().asText()).asText();
            assertThat(value).as("%s: capture %s from %s", label, c.getKey(), r.text()).isNotBlank();
            vars.put(c.getKey(), value);
        });
        expect.path("headers").fields().forEachRemaining(h -> {
            String expected = substitute(h.getValue().asText(), vars, label);
            assertThat(r.header(h.getKey())).as("%s: header %s", label, h.getKey()).isEqualTo(expected);
        });
        expect.path("fields").fields().forEachRemaining(f -> {
            JsonNode actual = json.at(f.getKey());
            JsonNode wanted = f.getValue();
            String what = label + ": " + f.getKey() + " of " + r.text();
            if (wanted.isTextual()) {
                assertThat(actual.isTextual()).as(what).isTrue();
                assertThat(actual.asText()).as(what).isEqualTo(substitute(wanted.asText(), vars, label));
            } else if (wanted.isNumber()) {
                assertThat(actual.isIntegralNumber()).as(what).isTrue();
                assertThat(actual.asLong()).as(what).isEqualTo(wanted.asLong());
            } else {
                assertThat(actual).as(what).isEqualTo(wanted);
            }
        });
        expect.path("size").fields().forEachRemaining(f -> assertThat(json.at(f.getKey()).size())
                .as("%s: size of %s in %s", label, f.getKey(), r.text()).isEqualTo(f.getValue().asInt()));
        expect.path("minSize").fields().forEachRemaining(f -> assertThat(json.at(f.getKey()).size())
                .as("%s: size of %s in %s", label, f.getKey(), r.text()).isGreaterThanOrEqualTo(f.getValue().asInt()));
        expect.path("values").fields().forEachRemaining(f -> {
            List<String> actual = new ArrayList<>();
            json.at(f.getKey()).forEach(v -> actual.add(v.path("value").asText()));
            List<String> wanted = new ArrayList<>();
            f.getValue().forEach(v -> wanted.add(substitute(v.asText(), vars, label)));
            assertThat(actual).as("%s: values of %s in %s", label, f.getKey(), r.text()).containsExactlyInAnyOrderElementsOf(wanted);
        });
        expect.path("absent").forEach(p -> assertThat(json.at(p.asText()).isMissingNode())
                .as("%s: %s must be absent from %s", label, p.asText(), r.text()).isTrue());
    }

    /** Replaces every {@code {{name}}}; a name never captured fails the step that uses it. */
    private static String substitute(String text, Map<String, String> vars, String label) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = vars.get(m.group(1));
            assertThat(value).as("%s: placeholder {{%s}} was never captured", label, m.group(1)).isNotNull();
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
