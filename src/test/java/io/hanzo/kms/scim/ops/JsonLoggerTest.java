package io.hanzo.kms.scim.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

class JsonLoggerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final JsonLogger log = new JsonLogger("io.hanzo.test", Level.INFO,
            new PrintStream(buffer, true, StandardCharsets.UTF_8));

    private String[] lines() {
        return buffer.toString(StandardCharsets.UTF_8).split("\n");
    }

    @Test
    void eachEventIsOneJsonObjectOnOneLineWhateverTheMessageHolds() throws Exception {
        log.info("user {} said \"hi\"\nand left", "jane@acme.com");
        log.warn("failed", new IllegalStateException("boom"));
        String[] lines = lines();
        assertThat(lines).hasSize(2);
        JsonNode first = JSON.readTree(lines[0]);
        assertThat(first.path("msg").asText()).isEqualTo("user jane@acme.com said \"hi\"\nand left");
        assertThat(first.path("level").asText()).isEqualTo("INFO");
        assertThat(first.path("logger").asText()).isEqualTo("io.hanzo.test");
        assertThat(first.path("ts").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        JsonNode second = JSON.readTree(lines[1]);
        assertThat(second.path("level").asText()).isEqualTo("WARN");
        assertThat(second.path("error").asText()).contains("IllegalStateException: boom");
    }

    @Test
    void keyValuePairsBecomeFieldsAndNumbersStayNumbers() throws Exception {
        log.atInfo().addKeyValue("requestId", "abc").addKeyValue("status", 201).log("request");
        JsonNode event = JSON.readTree(lines()[0]);
        assertThat(event.path("msg").asText()).isEqualTo("request");
        assertThat(event.path("requestId").asText()).isEqualTo("abc");
        assertThat(event.path("status").isNumber()).isTrue();
        assertThat(event.path("status").asInt()).isEqualTo(201);
    }

    @Test
    void eventsBelowTheLevelAreDropped() {
        log.debug("not shown");
        log.atDebug().log("not shown either");
        assertThat(buffer.size()).isZero();
    }

    @Test
    void levelsComeFromTheSimpleLoggerFile() {
        JsonLogProvider provider = new JsonLogProvider();
        provider.initialize();
        assertThat(provider.levelOf("io.zonky.test.db.Something")).isEqualTo(Level.WARN);
        assertThat(provider.levelOf("io.hanzo.kms.scim.Application")).isEqualTo(Level.INFO);
    }
}
