package io.hanzo.kms.scim.load;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Settings of one simulation run. Each is read from a system property ({@code bench.token}) or else
 * from the environment ({@code BENCH_TOKEN}); run.sh sets the environment, which the forked Gatling
 * JVM inherits.
 */
public final class BenchConfig {
    private BenchConfig() {
    }

    /** The raw setting, or {@code fallback} when neither the property nor the variable is set. */
    public static String get(String name, String fallback) {
        String v = System.getProperty("bench." + name);
        if (v == null || v.isBlank()) {
            v = System.getenv("BENCH_" + name.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
        }
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    public static String required(String name) {
        String v = get(name, null);
        if (v == null) {
            throw new IllegalStateException("Setting bench." + name + " (BENCH_"
                    + name.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT)
                    + ") is missing; run the simulations through load-tests/run.sh.");
        }
        return v;
    }

    public static int intValue(String name, int fallback) {
        String v = get(name, null);
        return v == null ? fallback : Integer.parseInt(v.replace("_", ""));
    }

    /** Server root, such as http://127.0.0.1:8080; only loopback addresses are accepted. */
    public static String baseUrl() {
        String url = required("baseUrl");
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        String host = URI.create(url).getHost();
        if (host == null || !(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"))) {
            throw new IllegalStateException("The load tests only target this machine (127.0.0.1), not " + url);
        }
        return url;
    }

    /** SCIM base URL of the server under test. */
    public static String scimBase() {
        return baseUrl() + "/api/v1/scim";
    }

    public static String token() {
        return required("token");
    }

    public static Scale scale() {
        return Scale.named(get("scale", "default"));
    }

    public static Path resultsDir() {
        return Path.of(get("resultsDir", "target/bench"));
    }

    public static Duration seconds(String name, int fallback) {
        return Duration.ofSeconds(intValue(name, fallback));
    }
}
