package io.hanzo.kms.scim.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;

/** The one JSON mapper of the protocol layer, and parsing that reports errors the SCIM way. */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64).maxStringLength(1_000_000).build());
    }

    private Json() {
    }

    /** Parses a request body; malformed JSON is a 400 {@code invalidSyntax}. */
    public static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw ScimException.invalidSyntax("The request body is empty.");
        }
        try {
            return MAPPER.readTree(body);
        } catch (StreamConstraintsException e) {
            // Perhaps well-formed, but a string or a nesting beyond what any resource has: no resource's
            // schema allows it, and the client is told which limit, not that its JSON is broken.
            throw ScimException.invalidSyntax("The request body goes beyond what any resource holds: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw ScimException.invalidSyntax("The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ScimException.invalidSyntax("The request body could not be read.");
        }
    }

    public static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON tree could not be written", e);
        }
    }

    /** The tree as JSON text, written straight to a string (no byte array decoded again). */
    public static String text(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON tree could not be written", e);
        }
    }

    public static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw ScimException.invalidSyntax("Not valid JSON: " + e.getOriginalMessage());
        }
    }
}
