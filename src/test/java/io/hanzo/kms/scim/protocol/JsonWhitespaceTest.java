package io.hanzo.kms.scim.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/** Stripping keeps every token and every string as it was, and removes only what lies between tokens. */
class JsonWhitespaceTest {

    @Test
    void jsonbTextLosesTheSpacesBetweenTokensOnly() {
        assertThat(strip("{\"name\": {\"givenName\": \"Ada  Lovelace\"}, \"emails\": [{\"type\": \"work\", "
                + "\"value\": \"a b@example.com\"}], \"active\": true, \"n\": 1.5e3, \"x\": null}"))
                .isEqualTo("{\"name\":{\"givenName\":\"Ada  Lovelace\"},\"emails\":[{\"type\":\"work\","
                        + "\"value\":\"a b@example.com\"}],\"active\":true,\"n\":1.5e3,\"x\":null}");
    }

    @Test
    void escapesInsideStringsDoNotEndThem() {
        assertThat(strip("{\"a\": \"say \\\"hi , there\\\" : ok\", \"b\": \"back\\\\\", \"c\": \" \\\\\\\" x \"}"))
                .isEqualTo("{\"a\":\"say \\\"hi , there\\\" : ok\",\"b\":\"back\\\\\",\"c\":\" \\\\\\\" x \"}");
    }

    @Test
    void newlinesTabsAndNonAsciiText() {
        assertThat(strip("{\n\t\"name\" :\r\n \"Zoë  Ñ 日本 \",\t\"e\" : [ 1 , 2 ]\n}"))
                .isEqualTo("{\"name\":\"Zoë  Ñ 日本 \",\"e\":[1,2]}");
        assertThat(strip("")).isEmpty();
        assertThat(strip("  ")).isEmpty();
    }

    @Test
    void prettyPrintedRandomDocumentsStripToTheirCompactForm() throws Exception {
        Random random = new Random(7643);
        for (int round = 0; round < 500; round++) {
            JsonNode doc = randomObject(random, 0);
            String pretty = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc);
            assertThat(strip(pretty)).isEqualTo(Json.MAPPER.writeValueAsString(doc));
        }
    }

    private static String strip(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        int n = JsonWhitespace.strip(bytes);
        return new String(Arrays.copyOf(bytes, n), StandardCharsets.UTF_8);
    }

    private static ObjectNode randomObject(Random random, int depth) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        int fields = random.nextInt(5);
        for (int f = 0; f < fields; f++) {
            String key = randomText(random) + f;
            switch (depth < 3 ? random.nextInt(6) : random.nextInt(4)) {
                case 0 -> o.put(key, randomText(random));
                case 1 -> o.put(key, random.nextInt());
                case 2 -> o.put(key, random.nextBoolean());
                case 3 -> o.putNull(key);
                case 4 -> o.set(key, randomObject(random, depth + 1));
                default -> {
                    ArrayNode a = o.putArray(key);
                    for (int i = random.nextInt(4); i > 0; i--) {
                        a.add(random.nextBoolean() ? randomObject(random, depth + 1) : JsonNodeFactory.instance.textNode(randomText(random)));
                    }
                }
            }
        }
        return o;
    }

    /** Text with the characters that matter here: spaces, quotes, backslashes, separators, non-ASCII. */
    private static String randomText(Random random) {
        String alphabet = "ab \"\\:,{}[]\t\né日";
        StringBuilder b = new StringBuilder();
        for (int i = random.nextInt(8); i > 0; i--) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
