package io.hanzo.kms.scim.config;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The server's configuration: defaults, then the properties file, then {@code SCIM_*} environment
 * variables. Unknown keys and unparseable values are refused here, before anything starts.
 */
public record AppConfig(
        String httpHost,
        int httpPort,
        int httpInstances,
        String publicUrl,
        String databaseUrl,
        int databasePoolSize,
        int databaseEmbeddedPort,
        Path dataDir,
        String adminToken,
        int maxResults,
        int defaultCount,
        int maxBodyBytes,
        int bulkMaxOperations,
        int bulkMaxPayloadBytes,
        int tokensLastUsedFlushSeconds,
        int tokensExpiryWarningDays,
        int invitationsSetupTokenTtlHours,
        int invitationsPollMillis,
        int invitationsClaimSeconds,
        String smtpHost,
        int smtpPort,
        String smtpFrom,
        int managementPort,
        String logFormat,
        boolean logRequests,
        int shutdownDrainSeconds,
        int shutdownUnreadySeconds,
        int feedPollMillis,
        int feedRetentionSeconds,
        int healthFeedSilenceSeconds,
        int httpIdleTimeoutSeconds,
        int httpHeaderTimeoutSeconds,
        int httpMaxHeaderBytes,
        int httpMaxInitialLineBytes,
        int httpRequestTimeoutSeconds,
        int databaseConnectTimeoutSeconds,
        int databaseStartRetries,
        int databaseMaxWaitQueue,
        int databaseWaitTimeoutSeconds,
        int scimRateLimitPerSecond,
        int scimRateLimitBurst,
        int eventsRetentionDays,
        int eventsPruneIntervalSeconds,
        int eventsRefusalsPerSecond,
        int eventsRefusalsBurst,
        boolean invitationsLogLinks,
        String smtpStarttls,
        String smtpUsername,
        String smtpPassword,
        String smtpTrustFile,
        int metricsOutboxBacklogSeconds) {

    /** Every key with its default, put here in the documented file's order (the map keeps none). */
    public static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("http.host", "0.0.0.0");
        d.put("http.port", "8080");
        d.put("http.instances", "0");
        d.put("public.url", "http://localhost:8080");
        d.put("database.url", "");
        d.put("database.pool-size", "16");
        d.put("database.embedded-port", "0");
        d.put("data.dir", "./data");
        d.put("admin.token", "");
        d.put("scim.max-results", "1000");
        d.put("scim.default-count", "100");
        d.put("http.max-body-bytes", "1048576");
        d.put("scim.bulk-max-operations", "1000");
        d.put("scim.bulk-max-payload-bytes", "4194304");
        d.put("tokens.last-used-flush-seconds", "30");
        d.put("tokens.expiry-warning-days", "14");
        d.put("invitations.setup-token-ttl-hours", "72");
        d.put("invitations.poll-millis", "1000");
        d.put("invitations.claim-seconds", "300");
        d.put("smtp.host", "");
        d.put("smtp.port", "25");
        d.put("smtp.from", "kms@localhost");
        d.put("management.port", "9090");
        d.put("metrics.outbox-backlog-seconds", "15");
        d.put("log.format", "plain");
        d.put("log.requests", "true");
        d.put("shutdown.drain-seconds", "20");
        d.put("shutdown.unready-seconds", "7");
        d.put("feed.poll-millis", "50");
        d.put("feed.retention-seconds", "600");
        d.put("health.feed-silence-seconds", "30");
        d.put("http.idle-timeout-seconds", "60");
        d.put("http.header-timeout-seconds", "10");
        d.put("http.max-header-bytes", "16384");
        d.put("http.max-initial-line-bytes", "8192");
        d.put("http.request-timeout-seconds", "30");
        d.put("database.connect-timeout-seconds", "5");
        d.put("database.start-retries", "5");
        d.put("database.max-wait-queue", "2000");
        d.put("database.wait-timeout-seconds", "10");
        d.put("scim.rate-limit-per-second", "100000");
        d.put("scim.rate-limit-burst", "200000");
        d.put("events.retention-days", "90");
        d.put("events.prune-interval-seconds", "3600");
        d.put("events.refusals-per-second", "10");
        d.put("events.refusals-burst", "100");
        d.put("invitations.log-links", "false");
        d.put("smtp.starttls", "auto");
        d.put("smtp.username", "");
        d.put("smtp.password", "");
        d.put("smtp.trust-file", "");
        DEFAULTS = Map.copyOf(d);
    }

    /** Query parameters of database.url that reach the connection (all others are refused). */
    private static final List<String> DATABASE_URL_PARAMETERS = List.of("host", "hostaddr", "port", "user", "password",
            "dbname");

    /** A shorter admin token is refused: it guards every organisation, and 32 hex characters are 128 bits. */
    public static final int ADMIN_TOKEN_MIN_CHARS = 32;

    /** Environment variables that are not configuration keys but are still ours. */
    private static final List<String> OTHER_ENV = List.of("SCIM_CONFIG_FILE");

    public static String envName(String key) {
        return "SCIM_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Loads the file named by SCIM_CONFIG_FILE, else conf/kms-scim.properties if it exists. */
    public static AppConfig load(Map<String, String> env) {
        return from(fileValues(env), env);
    }

    /**
     * The log format asked for (the environment, then the file, then {@code plain}), read without
     * checking anything else: a configuration that cannot be used is still reported in the format
     * its logs are read in.
     */
    public static String logFormatAsked(Map<String, String> env) {
        String format = env.get(envName("log.format"));
        if (format == null) {
            try {
                format = fileValues(env).get("log.format");
            } catch (ConfigException e) {
                // An unreadable file: plain.
            }
        }
        return format != null && format.trim().equalsIgnoreCase("json") ? "json" : "plain";
    }

    private static Map<String, String> fileValues(Map<String, String> env) {
        String file = env.get("SCIM_CONFIG_FILE");
        Path path = Path.of(file != null ? file : "conf/kms-scim.properties");
        if (file != null || Files.exists(path)) {
            return readFile(path);
        }
        return Map.of();
    }

    /** Builds a configuration from file values and environment, checking both. */
    public static AppConfig from(Map<String, String> fileValues, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        for (Map.Entry<String, String> e : fileValues.entrySet()) {
            if (!DEFAULTS.containsKey(e.getKey())) {
                throw new ConfigException("Unknown configuration key '" + e.getKey() + "' in the configuration file.");
            }
            values.put(e.getKey(), e.getValue().trim());
        }
        Map<String, String> byEnvName = new LinkedHashMap<>();
        for (String key : DEFAULTS.keySet()) {
            byEnvName.put(envName(key), key);
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("SCIM_") || OTHER_ENV.contains(name)) {
                continue;
            }
            String key = byEnvName.get(name);
            if (key == null) {
                throw new ConfigException("Unknown configuration variable '" + name + "'.");
            }
            values.put(key, e.getValue().trim());
        }
        return parse(values);
    }

    private static AppConfig parse(Map<String, String> v) {
        String publicUrl = stripTrailingSlash(v.get("public.url"));
        requireHttpUrl("public.url", publicUrl);
        String dbUrl = v.get("database.url");
        if (!dbUrl.isEmpty()) {
            requireDatabaseUrl(dbUrl);
        }
        int defaultCount = intValue(v, "scim.default-count", 0, 100_000);
        int maxResults = intValue(v, "scim.max-results", 1, 100_000);
        if (defaultCount > maxResults) {
            throw new ConfigException("Configuration key 'scim.default-count' (" + defaultCount
                    + ") must not exceed 'scim.max-results' (" + maxResults + ").");
        }
        int httpPort = intValue(v, "http.port", 0, 65535);
        int managementPort = intValue(v, "management.port", 0, 65535);
        if (managementPort != 0 && managementPort == httpPort) {
            // Both servers would bind the port and the kernel would share connections between them: the
            // API would answer some requests 404 and /metrics would be public.
            throw new ConfigException("Configuration key 'management.port' (SCIM_MANAGEMENT_PORT) must differ from "
                    + "'http.port' (SCIM_HTTP_PORT), both are " + httpPort + "; 0 turns the management port off.");
        }
        return new AppConfig(
                v.get("http.host"),
                httpPort,
                intValue(v, "http.instances", 0, 256),
                publicUrl,
                dbUrl,
                intValue(v, "database.pool-size", 1, 1000),
                intValue(v, "database.embedded-port", 0, 65535),
                Path.of(nonEmpty(v, "data.dir")),
                adminToken(v),
                maxResults,
                defaultCount,
                intValue(v, "http.max-body-bytes", 1024, 512 * 1024 * 1024),
                intValue(v, "scim.bulk-max-operations", 1, 100_000),
                intValue(v, "scim.bulk-max-payload-bytes", 1024, 512 * 1024 * 1024),
                intValue(v, "tokens.last-used-flush-seconds", 1, 86_400),
                intValue(v, "tokens.expiry-warning-days", 0, 730),
                intValue(v, "invitations.setup-token-ttl-hours", 1, 24 * 90),
                intValue(v, "invitations.poll-millis", 50, 3_600_000),
                intValue(v, "invitations.claim-seconds", 4, 86_400),
                v.get("smtp.host"),
                intValue(v, "smtp.port", 1, 65535),
                emailAddress(v, "smtp.from"),
                managementPort,
                oneOf(v, "log.format", List.of("plain", "json")),
                bool(v, "log.requests"),
                intValue(v, "shutdown.drain-seconds", 0, 3600),
                intValue(v, "shutdown.unready-seconds", 0, 300),
                intValue(v, "feed.poll-millis", 10, 60_000),
                intValue(v, "feed.retention-seconds", 1, 7 * 86_400),
                intValue(v, "health.feed-silence-seconds", 1, 86_400),
                intValue(v, "http.idle-timeout-seconds", 1, 86_400),
                intValue(v, "http.header-timeout-seconds", 1, 3_600),
                intValue(v, "http.max-header-bytes", 1024, 1024 * 1024),
                intValue(v, "http.max-initial-line-bytes", 256, 1024 * 1024),
                intValue(v, "http.request-timeout-seconds", 1, 3_600),
                intValue(v, "database.connect-timeout-seconds", 1, 600),
                intValue(v, "database.start-retries", 0, 20),
                intValue(v, "database.max-wait-queue", 1, 1_000_000),
                intValue(v, "database.wait-timeout-seconds", 1, 600),
                intValue(v, "scim.rate-limit-per-second", 0, 10_000_000),
                intValue(v, "scim.rate-limit-burst", 1, 100_000_000),
                intValue(v, "events.retention-days", 1, 36_500),
                intValue(v, "events.prune-interval-seconds", 1, 86_400),
                intValue(v, "events.refusals-per-second", 0, 1_000_000),
                intValue(v, "events.refusals-burst", 1, 10_000_000),
                bool(v, "invitations.log-links"),
                oneOf(v, "smtp.starttls", List.of("auto", "required", "optional", "off")),
                v.get("smtp.username"),
                v.get("smtp.password"),
                v.get("smtp.trust-file"),
                intValue(v, "metrics.outbox-backlog-seconds", 1, 86_400));
    }

    private static Map<String, String> readFile(Path path) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException("Cannot read configuration file " + path + ": " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames()) {
            out.put(name, p.getProperty(name));
        }
        return out;
    }

    private static int intValue(Map<String, String> v, String key, int min, int max) {
        String s = v.get(key);
        try {
            int n = Integer.parseInt(s);
            if (n < min || n > max) {
                throw new ConfigException("Configuration key '" + key + "' (" + envName(key) + ") must be between "
                        + min + " and " + max + ", not " + n + ".");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException("Configuration key '" + key + "' (" + envName(key) + ") must be a whole number, not '"
                    + s + "'.");
        }
    }

    /** One of the allowed words, in any letter case; answers the word as allowed spells it. */
    private static String oneOf(Map<String, String> v, String key, List<String> allowed) {
        String s = v.get(key).trim();
        for (String word : allowed) {
            if (word.equalsIgnoreCase(s)) {
                return word;
            }
        }
        throw new ConfigException("Configuration key '" + key + "' (" + envName(key) + ") must be one of "
                + String.join(", ", allowed) + ", not '" + s + "'.");
    }

    private static boolean bool(Map<String, String> v, String key) {
        return Boolean.parseBoolean(oneOf(v, key, List.of("true", "false")));
    }

    private static String emailAddress(Map<String, String> v, String key) {
        String s = v.get(key);
        if (!s.matches("[^@\\s<>]+@[^@\\s<>]+")) {
            throw new ConfigException("Configuration key '" + key + "' (" + envName(key) + ") must be an email address, not '"
                    + s + "'.");
        }
        return s;
    }

    /** Empty (one is generated) or long enough; the message gives the length, never the token. */
    private static String adminToken(Map<String, String> v) {
        String s = v.get("admin.token");
        if (!s.isEmpty() && s.length() < ADMIN_TOKEN_MIN_CHARS) {
            throw new ConfigException("Configuration key 'admin.token' (SCIM_ADMIN_TOKEN) must be at least "
                    + ADMIN_TOKEN_MIN_CHARS + " characters, not " + s.length()
                    + " (openssl rand -hex 32 makes one), or empty to have one generated.");
        }
        return s;
    }

    private static String nonEmpty(Map<String, String> v, String key) {
        String s = v.get(key);
        if (s.isEmpty()) {
            throw new ConfigException("Configuration key '" + key + "' (" + envName(key) + ") must not be empty.");
        }
        return s;
    }

    private static void requireHttpUrl(String key, String url) {
        try {
            URI u = new URI(url);
            if ((!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) || u.getHost() == null) {
                throw new URISyntaxException(url, "not an http(s) URL");
            }
        } catch (URISyntaxException e) {
            throw new ConfigException("Configuration key '" + key + "' (" + envName(key) + ") must be an http(s) URL, not '"
                    + url + "'.");
        }
    }

    private static void requireDatabaseUrl(String url) {
        URI u;
        try {
            u = new URI(url);
            boolean scheme = "postgresql".equals(u.getScheme()) || "postgres".equals(u.getScheme());
            if (!scheme || u.getHost() == null) {
                throw new URISyntaxException(url, "not a postgresql URL");
            }
        } catch (URISyntaxException e) {
            // The URL may hold a password: never repeat it.
            throw new ConfigException("Configuration key 'database.url' (SCIM_DATABASE_URL) must look like "
                    + "postgresql://user:password@host:port/database.");
        }
        requireHonouredParameters(u.getRawQuery());
    }

    /**
     * The connection is made from the URL's host, port, database, user and password alone: any other
     * parameter would be dropped without a word, and {@code sslmode=require} would give a plaintext
     * connection to someone who asked for TLS.
     */
    private static void requireHonouredParameters(String query) {
        if (query == null || query.isEmpty()) {
            return;
        }
        for (String parameter : query.split("&", -1)) {
            int eq = parameter.indexOf('=');
            String name = eq < 0 ? "" : parameter.substring(0, eq);
            if (!DATABASE_URL_PARAMETERS.contains(name)) {
                // Only a plain name is repeated: a malformed parameter may be a password.
                String shown = name.matches("[A-Za-z_]{1,40}") ? "the parameter '" + name + "'" : "a parameter";
                throw new ConfigException("Configuration key 'database.url' (SCIM_DATABASE_URL) has " + shown
                        + " that would be ignored: only " + String.join(", ", DATABASE_URL_PARAMETERS)
                        + " are honoured, and TLS to the database is not supported (docs/deploy.md).");
            }
        }
    }

    private static String stripTrailingSlash(String s) {
        String out = s;
        while (out.endsWith("/")) {
            out = out.substring(0, out.length() - 1);
        }
        return out;
    }

    @Override
    public String toString() {
        return "AppConfig[httpHost=" + httpHost + ", httpPort=" + httpPort + ", publicUrl=" + publicUrl
                + ", database=" + (databaseUrl.isEmpty() ? "embedded" : "external") + ", dataDir=" + dataDir + "]";
    }
}
