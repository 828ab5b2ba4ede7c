package io.hanzo.kms.scim.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

class AppConfigTest {

    private static AppConfig fromEnv(Map<String, String> env) {
        return AppConfig.from(Map.of(), env);
    }

    @Test
    void defaults() {
        AppConfig c = AppConfig.from(Map.of(), Map.of());
        assertThat(c.httpHost()).isEqualTo("0.0.0.0");
        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.httpInstances()).isZero();
        assertThat(c.publicUrl()).isEqualTo("http://localhost:8080");
        assertThat(c.databaseUrl()).isEmpty();
        assertThat(c.databasePoolSize()).isEqualTo(16);
        assertThat(c.databaseEmbeddedPort()).isZero();
        assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(c.adminToken()).isEmpty();
        assertThat(c.maxResults()).isEqualTo(1000);
        assertThat(c.defaultCount()).isEqualTo(100);
        assertThat(c.maxBodyBytes()).isEqualTo(1048576);
        assertThat(c.tokensLastUsedFlushSeconds()).isEqualTo(30);
        assertThat(c.invitationsLogLinks()).isFalse();
        // Set-up links are live credentials: no mail without STARTTLS to a relay elsewhere unless
        // configured otherwise.
        assertThat(c.smtpStarttls()).isEqualTo("auto");
        assertThat(c.eventsRetentionDays()).isEqualTo(90);
        assertThat(c.eventsRefusalsPerSecond()).isEqualTo(10);
        assertThat(c.eventsRefusalsBurst()).isEqualTo(100);
    }

    @Test
    void theRefusalBudgetIsCheckedLikeTheOtherEventKeys() {
        AppConfig c = fromEnv(Map.of("SCIM_EVENTS_REFUSALS_PER_SECOND", "0", "SCIM_EVENTS_REFUSALS_BURST", "5"));
        assertThat(c.eventsRefusalsPerSecond()).isZero();
        assertThat(c.eventsRefusalsBurst()).isEqualTo(5);
        assertThat(AppConfig.from(Map.of("events.refusals-per-second", "2"), Map.of()).eventsRefusalsPerSecond())
                .isEqualTo(2);
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_EVENTS_REFUSALS_BURST", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SCIM_EVENTS_REFUSALS_BURST")
                .hasMessageContaining("between 1 and");
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_EVENTS_REFUSALS_PER_SECOND", "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("events.refusals-per-second");
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_EVENTS_REFUSALS_PER_SECOND", "ten")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("whole number");
    }

    @Test
    void switchesAndChoicesAreChecked() {
        AppConfig c = AppConfig.from(Map.of("invitations.log-links", "TRUE", "smtp.starttls", "Optional"), Map.of());
        assertThat(c.invitationsLogLinks()).isTrue();
        assertThat(c.smtpStarttls()).isEqualTo("optional");
        assertThatThrownBy(() -> AppConfig.from(Map.of("invitations.log-links", "yes"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SCIM_INVITATIONS_LOG_LINKS");
        assertThatThrownBy(() -> AppConfig.from(Map.of(), Map.of("SCIM_SMTP_STARTTLS", "maybe")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("smtp.starttls");
    }

    @Test
    void startRetriesAndFeedSilenceAreBoundedWholeNumbers() {
        AppConfig defaults = AppConfig.from(Map.of(), Map.of());
        assertThat(defaults.databaseStartRetries()).isEqualTo(5);
        assertThat(defaults.healthFeedSilenceSeconds()).isEqualTo(30);
        AppConfig set = AppConfig.from(Map.of("database.start-retries", "0"),
                Map.of("SCIM_HEALTH_FEED_SILENCE_SECONDS", "5"));
        assertThat(set.databaseStartRetries()).isZero();
        assertThat(set.healthFeedSilenceSeconds()).isEqualTo(5);
        assertThatThrownBy(() -> AppConfig.from(Map.of(), Map.of("SCIM_DATABASE_START_RETRIES", "21")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("database.start-retries");
        assertThatThrownBy(() -> AppConfig.from(Map.of("health.feed-silence-seconds", "0"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SCIM_HEALTH_FEED_SILENCE_SECONDS");
    }

    @Test
    void defaultsMapHoldsEveryKeyOnce() {
        assertThat(AppConfig.DEFAULTS).containsOnlyKeys("http.host", "http.port", "http.instances", "public.url",
                "database.url", "database.pool-size", "database.embedded-port", "data.dir", "admin.token",
                "scim.max-results", "scim.default-count", "http.max-body-bytes", "scim.bulk-max-operations",
                "scim.bulk-max-payload-bytes", "tokens.last-used-flush-seconds", "tokens.expiry-warning-days",
                "invitations.setup-token-ttl-hours", "invitations.poll-millis", "invitations.claim-seconds",
                "smtp.host", "smtp.port", "smtp.from",
                "management.port", "log.format", "log.requests", "shutdown.drain-seconds", "shutdown.unready-seconds",
                "feed.poll-millis", "feed.retention-seconds", "health.feed-silence-seconds",
                "http.idle-timeout-seconds", "http.header-timeout-seconds", "http.max-header-bytes",
                "http.max-initial-line-bytes", "http.request-timeout-seconds", "database.connect-timeout-seconds",
                "database.start-retries",
                "database.max-wait-queue", "database.wait-timeout-seconds", "scim.rate-limit-per-second",
                "scim.rate-limit-burst", "events.retention-days", "events.prune-interval-seconds",
                "events.refusals-per-second", "events.refusals-burst",
                "invitations.log-links", "smtp.starttls", "smtp.username", "smtp.password", "smtp.trust-file",
                "metrics.outbox-backlog-seconds");
    }

    @Test
    void theBacklogIsMeasuredEverySoManySecondsFromOneToADay() {
        assertThat(fromEnv(Map.of()).metricsOutboxBacklogSeconds()).isEqualTo(15);
        assertThat(fromEnv(Map.of("SCIM_METRICS_OUTBOX_BACKLOG_SECONDS", "300")).metricsOutboxBacklogSeconds()).isEqualTo(300);
        for (String wrong : List.of("0", "86401", "15s")) {
            assertThatThrownBy(() -> fromEnv(Map.of("SCIM_METRICS_OUTBOX_BACKLOG_SECONDS", wrong)))
                    .as(wrong).isInstanceOf(ConfigException.class).hasMessageContaining("metrics.outbox-backlog-seconds");
        }
    }

    @Test
    void envNames() {
        assertThat(AppConfig.envName("http.port")).isEqualTo("SCIM_HTTP_PORT");
        assertThat(AppConfig.envName("database.pool-size")).isEqualTo("SCIM_DATABASE_POOL_SIZE");
        assertThat(AppConfig.envName("tokens.last-used-flush-seconds")).isEqualTo("SCIM_TOKENS_LAST_USED_FLUSH_SECONDS");
    }

    @Test
    void fileValuesAreUsed() {
        Map<String, String> file = new HashMap<>();
        file.put("http.host", "127.0.0.1");
        file.put("http.port", " 9091 ");
        file.put("http.instances", "3");
        file.put("public.url", "https://kms.example.com");
        file.put("database.url", "postgresql://scim:pw@db.internal:5432/scim");
        file.put("database.pool-size", "24");
        file.put("database.embedded-port", "15432");
        file.put("data.dir", "/var/lib/kms-scim");
        file.put("admin.token", "file-admin-token-0123456789abcdef");
        file.put("scim.max-results", "500");
        file.put("scim.default-count", "50");
        file.put("http.max-body-bytes", "2048");
        file.put("tokens.last-used-flush-seconds", "5");
        AppConfig c = AppConfig.from(file, Map.of());
        assertThat(c.httpHost()).isEqualTo("127.0.0.1");
        assertThat(c.httpPort()).isEqualTo(9091);
        assertThat(c.httpInstances()).isEqualTo(3);
        assertThat(c.publicUrl()).isEqualTo("https://kms.example.com");
        assertThat(c.databaseUrl()).isEqualTo("postgresql://scim:pw@db.internal:5432/scim");
        assertThat(c.databasePoolSize()).isEqualTo(24);
        assertThat(c.databaseEmbeddedPort()).isEqualTo(15432);
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/kms-scim"));
        assertThat(c.adminToken()).isEqualTo("file-admin-token-0123456789abcdef");
        assertThat(c.maxResults()).isEqualTo(500);
        assertThat(c.defaultCount()).isEqualTo(50);
        assertThat(c.maxBodyBytes()).isEqualTo(2048);
        assertThat(c.tokensLastUsedFlushSeconds()).isEqualTo(5);
    }

    @Test
    void environmentOverridesFile() {
        Map<String, String> file = Map.of("http.port", "9090", "admin.token", "from-file-0123456789abcdef0123456789",
                "http.host", "127.0.0.1");
        Map<String, String> env = Map.of("SCIM_HTTP_PORT", "9191", "SCIM_ADMIN_TOKEN", "from-env-0123456789abcdef0123456789",
                "SCIM_DATABASE_POOL_SIZE", "4", "PATH", "/usr/bin", "HOME", "/root");
        AppConfig c = AppConfig.from(file, env);
        assertThat(c.httpPort()).isEqualTo(9191);
        assertThat(c.adminToken()).isEqualTo("from-env-0123456789abcdef0123456789");
        assertThat(c.databasePoolSize()).isEqualTo(4);
        assertThat(c.httpHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void loadReadsTheFileNamedBySCIM_CONFIG_FILEAndEnvStillWins(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("custom.properties");
        Files.writeString(file, "# comment\nhttp.port=7070\nscim.max-results=200\nscim.default-count=20\n",
                StandardCharsets.UTF_8);
        AppConfig c = AppConfig.load(Map.of("SCIM_CONFIG_FILE", file.toString(), "SCIM_SCIM_MAX_RESULTS", "300"));
        assertThat(c.httpPort()).isEqualTo(7070);
        assertThat(c.maxResults()).isEqualTo(300);
        assertThat(c.defaultCount()).isEqualTo(20);
    }

    @Test
    void logFormatAskedIsReadEvenFromAConfigurationThatCannotBeUsed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("broken.properties");
        Files.writeString(file, "log.format = JSON\nhttp.prot = 8080\n", StandardCharsets.UTF_8);
        String named = file.toString();
        assertThat(AppConfig.logFormatAsked(Map.of("SCIM_CONFIG_FILE", named))).isEqualTo("json");
        // The environment wins, as it does for every key.
        assertThat(AppConfig.logFormatAsked(Map.of("SCIM_CONFIG_FILE", named, "SCIM_LOG_FORMAT", "plain"))).isEqualTo("plain");
        assertThat(AppConfig.logFormatAsked(Map.of("SCIM_CONFIG_FILE", named, "SCIM_HTTP_PORT", "x", "SCIM_LOG_FORMAT", " json ")))
                .isEqualTo("json");
        // Unreadable, or not a format: plain.
        assertThat(AppConfig.logFormatAsked(Map.of("SCIM_CONFIG_FILE", dir.resolve("absent").toString()))).isEqualTo("plain");
        assertThat(AppConfig.logFormatAsked(Map.of("SCIM_CONFIG_FILE", named, "SCIM_LOG_FORMAT", "xml"))).isEqualTo("plain");
    }

    @Test
    void loadWithMissingNamedFileFails(@TempDir Path dir) {
        Path missing = dir.resolve("absent.properties");
        assertThatThrownBy(() -> AppConfig.load(Map.of("SCIM_CONFIG_FILE", missing.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("absent.properties");
    }

    @Test
    void unknownKeyInFileIsRefusedByName() {
        assertThatThrownBy(() -> AppConfig.from(Map.of("http.prot", "8080"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.prot");
    }

    @Test
    void unknownKeyInLoadedFileIsRefusedByName(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("typo.properties");
        Files.writeString(file, "http.port=8080\nscim.maxresults=10\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> AppConfig.load(Map.of("SCIM_CONFIG_FILE", file.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("scim.maxresults");
    }

    @Test
    void unknownScimEnvironmentVariableIsRefusedByName() {
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_FOO", "bar")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SCIM_FOO");
    }

    @Test
    void otherEnvironmentVariablesAreIgnored() {
        AppConfig c = fromEnv(Map.of("PATH", "/bin", "FOO", "x", "SCIMFOO", "y", "scim_http_port", "1"));
        assertThat(c.httpPort()).isEqualTo(8080);
    }

    @Test
    void invalidPortIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_HTTP_PORT", "abc")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.port");
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_HTTP_PORT", "70000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.port");
        assertThatThrownBy(() -> AppConfig.from(Map.of("http.port", "abc"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.port");
        assertThatThrownBy(() -> AppConfig.from(Map.of("http.port", "-1"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.port");
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_DATABASE_EMBEDDED_PORT", "70000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("database.embedded-port");
    }

    @Test
    void portBoundsAreAccepted() {
        assertThat(fromEnv(Map.of("SCIM_HTTP_PORT", "0")).httpPort()).isZero();
        assertThat(fromEnv(Map.of("SCIM_HTTP_PORT", "65535")).httpPort()).isEqualTo(65535);
    }

    @Test
    void otherUnparseableNumbersNameTheirKey() {
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_DATABASE_POOL_SIZE", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("database.pool-size");
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_HTTP_MAX_BODY_BYTES", "1MB")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http.max-body-bytes");
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_TOKENS_LAST_USED_FLUSH_SECONDS", "")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tokens.last-used-flush-seconds");
    }

    @Test
    void databaseUrlThatIsNotPostgresqlIsRefusedWithoutRevealingThePassword() {
        for (String url : new String[] {
                "mysql://scim:Sup3rS3cretPw@db.internal:3306/scim",
                "jdbc:postgresql://db.internal:5432/scim?user=scim&password=Sup3rS3cretPw",
                "scim:Sup3rS3cretPw@db.internal:5432/scim",
                "http://scim:Sup3rS3cretPw@db.internal/scim"}) {
            assertThatThrownBy(() -> fromEnv(Map.of("SCIM_DATABASE_URL", url)))
                    .as(url)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("database.url")
                    .hasMessageNotContaining("Sup3rS3cretPw");
        }
    }

    @Test
    void postgresqlDatabaseUrlsAreAccepted() {
        assertThat(fromEnv(Map.of("SCIM_DATABASE_URL", "postgresql://u:p@localhost:5432/db")).databaseUrl())
                .isEqualTo("postgresql://u:p@localhost:5432/db");
        assertThat(fromEnv(Map.of("SCIM_DATABASE_URL", "postgres://u:p@localhost/db")).databaseUrl())
                .isEqualTo("postgres://u:p@localhost/db");
    }

    @Test
    void databaseUrlParametersThatWouldBeIgnoredAreRefused() {
        for (String parameter : new String[] {"sslmode=require", "ssl=true", "application_name=kms",
                "connect_timeout=5", "sslmode=disable"}) {
            String url = "postgresql://scim:Sup3rS3cretPw@db.internal:5432/scim?" + parameter;
            String name = parameter.substring(0, parameter.indexOf('='));
            assertThatThrownBy(() -> fromEnv(Map.of("SCIM_DATABASE_URL", url)))
                    .as(url)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("SCIM_DATABASE_URL")
                    .hasMessageContaining("'" + name + "'")
                    .hasMessageContaining("TLS")
                    .hasMessageNotContaining("Sup3rS3cretPw")
                    .hasMessageNotContaining("\n");
        }
        // A malformed parameter may be a misplaced password: it is not repeated.
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_DATABASE_URL",
                "postgresql://scim@db.internal/scim?user=scim&Sup3rS3cretPw")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("database.url")
                .hasMessageNotContaining("Sup3rS3cretPw");
    }

    @Test
    void databaseUrlParametersTheConnectionUsesAreAccepted() {
        String url = "postgresql://db.internal/scim?user=scim&password=pw&port=6432&dbname=scim2&host=db2.internal";
        assertThat(fromEnv(Map.of("SCIM_DATABASE_URL", url)).databaseUrl()).isEqualTo(url);
        assertThat(fromEnv(Map.of("SCIM_DATABASE_URL", "postgresql://u:p@localhost/db?hostaddr=127.0.0.1"))
                .databaseUrl()).endsWith("hostaddr=127.0.0.1");
        assertThat(fromEnv(Map.of("SCIM_DATABASE_URL", "postgresql://u:p@localhost/db?")).databaseUrl())
                .isEqualTo("postgresql://u:p@localhost/db?");
    }

    @Test
    void adminTokenShorterThan32CharactersIsRefusedWithoutRepeatingIt() {
        String short31 = "Sh0rtAdminT0ken-0123456789abcde";
        assertThat(short31).hasSize(31);
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_ADMIN_TOKEN", short31)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SCIM_ADMIN_TOKEN").hasMessageContaining("32").hasMessageContaining("31")
                .hasMessageNotContaining(short31);
        assertThatThrownBy(() -> AppConfig.from(Map.of("admin.token", "secret"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admin.token");
        assertThat(fromEnv(Map.of("SCIM_ADMIN_TOKEN", short31 + "f")).adminToken()).hasSize(32);
        assertThat(fromEnv(Map.of("SCIM_ADMIN_TOKEN", "")).adminToken()).isEmpty();
    }

    @Test
    void toStringDoesNotRevealSecrets() {
        AppConfig c = fromEnv(Map.of("SCIM_DATABASE_URL", "postgresql://u:Sup3rS3cretPw@localhost:5432/db",
                "SCIM_ADMIN_TOKEN", "AdminT0kenValue-0123456789abcdefgh"));
        assertThat(c.toString()).doesNotContain("Sup3rS3cretPw").doesNotContain("AdminT0kenValue-0123456789abcdefgh");
    }

    @Test
    void publicUrlTrailingSlashIsStripped() {
        assertThat(fromEnv(Map.of("SCIM_PUBLIC_URL", "https://kms.example.com/")).publicUrl())
                .isEqualTo("https://kms.example.com");
        assertThat(fromEnv(Map.of("SCIM_PUBLIC_URL", "https://kms.example.com/base//")).publicUrl())
                .isEqualTo("https://kms.example.com/base");
        assertThat(AppConfig.from(Map.of("public.url", "http://localhost:9000/"), Map.of()).publicUrl())
                .isEqualTo("http://localhost:9000");
    }

    @Test
    void publicUrlMustBeHttp() {
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_PUBLIC_URL", "kms.example.com")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("public.url");
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_PUBLIC_URL", "ftp://kms.example.com")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("public.url");
    }

    @Test
    void defaultCountAboveMaxResultsIsRefused() {
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_SCIM_MAX_RESULTS", "50", "SCIM_SCIM_DEFAULT_COUNT", "100")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("scim.default-count")
                .hasMessageContaining("scim.max-results");
        assertThatThrownBy(() -> AppConfig.from(Map.of("scim.default-count", "2000"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("scim.default-count");
        AppConfig equal = fromEnv(Map.of("SCIM_SCIM_MAX_RESULTS", "100", "SCIM_SCIM_DEFAULT_COUNT", "100"));
        assertThat(equal.defaultCount()).isEqualTo(equal.maxResults()).isEqualTo(100);
    }

    @Test
    void documentedFileHoldsExactlyTheKnownKeys() throws IOException {
        Path file = projectDir().resolve("conf/kms-scim.properties");
        assertThat(file).exists();
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        assertThat(p.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(AppConfig.DEFAULTS.keySet());
        Map<String, String> values = new HashMap<>();
        p.stringPropertyNames().forEach(k -> values.put(k, p.getProperty(k)));
        assertThat(AppConfig.from(values, Map.of())).isNotNull();
    }

    @Test
    void operationsKeys() {
        AppConfig d = AppConfig.from(Map.of(), Map.of());
        assertThat(d.managementPort()).isEqualTo(9090);
        assertThat(d.logFormat()).isEqualTo("plain");
        assertThat(d.logRequests()).isTrue();
        assertThat(d.shutdownDrainSeconds()).isEqualTo(20);
        assertThat(d.shutdownUnreadySeconds()).isEqualTo(7);
        AppConfig c = fromEnv(Map.of("SCIM_MANAGEMENT_PORT", "0", "SCIM_LOG_FORMAT", "json",
                "SCIM_LOG_REQUESTS", "false", "SCIM_SHUTDOWN_DRAIN_SECONDS", "5"));
        assertThat(c.managementPort()).isZero();
        assertThat(c.logFormat()).isEqualTo("json");
        assertThat(c.logRequests()).isFalse();
        assertThat(c.shutdownDrainSeconds()).isEqualTo(5);
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_LOG_FORMAT", "xml")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.format");
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_LOG_REQUESTS", "yes")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("log.requests");
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_SHUTDOWN_DRAIN_SECONDS", "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("shutdown.drain-seconds");
        assertThat(fromEnv(Map.of("SCIM_SHUTDOWN_UNREADY_SECONDS", "0")).shutdownUnreadySeconds()).isZero();
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_SHUTDOWN_UNREADY_SECONDS", "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("shutdown.unready-seconds");
    }

    @Test
    void managementPortEqualToHttpPortIsRefused() {
        assertThatThrownBy(() -> fromEnv(Map.of("SCIM_HTTP_PORT", "8080", "SCIM_MANAGEMENT_PORT", "8080")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SCIM_MANAGEMENT_PORT").hasMessageContaining("SCIM_HTTP_PORT")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> AppConfig.from(Map.of("http.port", "9090"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("management.port");
        // Port 0 means "any free port" for HTTP and "off" for management: both 0 is fine.
        AppConfig zero = fromEnv(Map.of("SCIM_HTTP_PORT", "0", "SCIM_MANAGEMENT_PORT", "0"));
        assertThat(zero.httpPort()).isZero();
        assertThat(zero.managementPort()).isZero();
        assertThat(fromEnv(Map.of("SCIM_HTTP_PORT", "9091", "SCIM_MANAGEMENT_PORT", "9090")).managementPort())
                .isEqualTo(9090);
    }

    @Test
    void everyVariableNamedInTheDocsAndChartIsKnown() throws IOException {
        Set<String> known = AppConfig.DEFAULTS.keySet().stream().map(AppConfig::envName).collect(Collectors.toSet());
        known.add("SCIM_CONFIG_FILE");
        // Variables Kubernetes injects for a Service named scim-...: the docs name them as what to avoid.
        Pattern serviceLink = Pattern.compile("SCIM_\\w+_(SERVICE_HOST|SERVICE_PORT\\w*|PORT(_\\d+_(TCP|UDP|SCTP)\\w*)?)");
        Pattern name = Pattern.compile("\\bSCIM_[A-Z0-9_]+");
        Set<String> unknown = new TreeSet<>();
        for (Path file : documentation()) {
            Matcher m = name.matcher(Files.readString(file, StandardCharsets.UTF_8));
            while (m.find()) {
                String found = m.group();
                if (!known.contains(found) && !serviceLink.matcher(found).matches()) {
                    unknown.add(found + " in " + projectDir().relativize(file));
                }
            }
        }
        assertThat(unknown).isEmpty();
    }

    private static List<Path> documentation() throws IOException {
        Path root = projectDir();
        try (Stream<Path> docs = Files.walk(root.resolve("docs")); Stream<Path> deploy = Files.walk(root.resolve("deploy"))) {
            List<Path> files = Stream.concat(docs, deploy)
                    .filter(p -> p.toString().matches(".*\\.(md|yaml|tpl|txt|sh|tmpl|properties)"))
                    .collect(Collectors.toList());
            files.add(root.resolve("README.md"));
            files.add(root.resolve("conf/kms-scim.properties"));
            return files;
        }
    }

    private static Path projectDir() {
        String basedir = System.getProperty("basedir");
        Path dir = basedir != null ? Path.of(basedir) : Path.of("").toAbsolutePath();
        return dir;
    }
}
