package io.hanzo.kms.scim.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Parsing request bodies: what is refused, and what the client is told about it. */
class JsonTest {

    /** {@code {"userName":"u} + the bytes + {x@a.com"}}. */
    private static byte[] userNameWith(int... bytes) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("{\"userName\":\"u".getBytes(StandardCharsets.US_ASCII));
        for (int x : bytes) {
            b.write(x);
        }
        b.writeBytes("x@a.com\"}".getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }

    private static ScimException refused(byte[] body) {
        ScimException e = catchThrowableOfType(ScimException.class, () -> Json.parse(body));
        assertThat(e).as(new String(body, StandardCharsets.ISO_8859_1)).isNotNull();
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.scimType()).isEqualTo("invalidSyntax");
        return e;
    }

    @Test
    void overlongFormsSurrogatesAndCodePointsBeyondUnicodeAreRefused() {
        Object[][] illFormed = {
                {"an overlong form", new int[] {0xc0, 0xbc}},             // '<' in two bytes
                {"an overlong form", new int[] {0xc1, 0xbf}},             // DEL in two bytes
                {"an overlong form", new int[] {0xe0, 0x80, 0xae}},       // '.' in three bytes
                {"an overlong form", new int[] {0xe0, 0x9f, 0xbf}},       // U+07FF in three bytes
                {"an overlong form", new int[] {0xf0, 0x8f, 0xbf, 0xbf}}, // U+FFFF in four bytes
                {"a UTF-16 surrogate", new int[] {0xed, 0xa0, 0x80}},     // U+D800
                {"beyond U+10FFFF", new int[] {0xf4, 0x90, 0x80, 0x80}},
                {"never uses", new int[] {0xf8, 0x88, 0x80, 0x80, 0x80}},
                {"no lead byte", new int[] {0xbc}},
                {"cut short", new int[] {0xe2, 0x82}},
                {"cut short", new int[] {0xe0, 0x41}},
        };
        for (Object[] c : illFormed) {
            ScimException e = refused(userNameWith((int[]) c[1]));
            assertThat(e.detail()).startsWith("The request body is not valid UTF-8 (RFC 3629) at line 1, column 15: ")
                    .contains((String) c[0]);
        }
        // Where on a later line.
        assertThat(refused("{\n \"a\":\"\u00c0\u00af\"}".getBytes(StandardCharsets.ISO_8859_1)).detail())
                .contains("at line 2, column 7");
    }

    @Test
    void everyWellFormedLengthIsAccepted() {
        // é, €, U+FFFD, U+10FFFF and an emoji: two, three and four bytes, up to the edges of each range.
        String text = "u\u00e9\u20ac\ufffd\udbff\udfff\ud83d\ude00x@a.com";
        byte[] body = ("{\"userName\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
        assertThat(Json.parse(body).path("userName").asText()).isEqualTo(text);
        assertThat(Json.parse(userNameWith(0xc2, 0x80)).path("userName").asText()).isEqualTo("u\u0080x@a.com");
        assertThat(Json.parse(userNameWith(0xe0, 0xa0, 0x80)).path("userName").asText()).isEqualTo("u\u0800x@a.com");
        assertThat(Json.parse(userNameWith(0xf0, 0x90, 0x80, 0x80)).path("userName").asText())
                .isEqualTo("u\ud800\udc00x@a.com");
    }

    /** The client is told what is wrong and where, in its own terms: nothing of the parser's workings. */
    @Test
    void malformedBodiesAreDescribedWithoutTheParsersInternals() {
        List<String> bodies = List.of(
                "{\"a\":1}{\"b\":2}",
                "{\"a\":[1,2}",
                "{\"a\":NaN}",
                "{/* note */\"a\":1}",
                "[".repeat(80) + "]".repeat(80),
                "{\"a\":\"" + "x".repeat(1_000_001) + "\"}",
                "{\"a\":" + "1".repeat(1200) + "}",
                "{\"a\":\"open",
                "{\"a\":1,\"a\":2}",
                "{\"a\" 1}");
        for (String body : bodies) {
            String detail = refused(body.getBytes(StandardCharsets.UTF_8)).detail();
            assertThat(detail).as(body.length() > 100 ? body.substring(0, 100) : body)
                    .contains("line 1, column ")
                    .doesNotContain("`").doesNotContain("com.fasterxml").doesNotContain("Feature")
                    .doesNotContain("StreamReadConstraints").doesNotContain("Source").doesNotContain("JsonNode")
                    .doesNotContainPattern("[A-Z]+_[A-Z_]+");
        }
        assertThat(refused("{\"a\":1}\n {\"b\":2}".getBytes(StandardCharsets.UTF_8)).detail())
                .isEqualTo("The request body goes on after its JSON value at line 2, column 2; send one value.");
        assertThat(refused(("[".repeat(80) + "]".repeat(80)).getBytes(StandardCharsets.UTF_8)).detail())
                .contains("nested more than 64 deep");
        assertThat(refused("{\"a\":[1,2}".getBytes(StandardCharsets.UTF_8)).detail())
                .contains("for the array opened at line 1, column 6");
    }
}
