package io.hanzo.kms.scim.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

class OneLinePrintStreamTest {
    @Test
    void aLoggedValueCannotStartALineOfItsOwn() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new OneLinePrintStream(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        err.println("2026-12-05T18:00:00.000+0000 INFO Invitation for evil\n2026-12-05T18:00:00.000+0000 ERROR Fake - x\r"
                + "\u001b[2K\u2028\u009b2Ktab\tkept");
        err.println((Object) new IllegalStateException("two\nlines"));
        String written = bytes.toString(StandardCharsets.UTF_8);
        assertThat(written.split(System.lineSeparator(), -1)).containsExactly(
                "2026-12-05T18:00:00.000+0000 INFO Invitation for evil\\n2026-12-05T18:00:00.000+0000 ERROR Fake - x\\r"
                        + "\\u001b[2K\\u2028\\u009b2Ktab\tkept",
                "java.lang.IllegalStateException: two\\nlines",
                "");
    }

    @Test
    void plainLinesAreWrittenAsTheyAre() {
        String line = "2026-12-05T18:00:00.000+0000 INFO io.hanzo.kms.scim.Main - ready on port 8080 (ünïcödé)";
        assertThat(OneLinePrintStream.escaped(line)).isSameAs(line);
    }
}
