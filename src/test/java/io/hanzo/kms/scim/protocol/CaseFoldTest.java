package io.hanzo.kms.scim.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.Random;

/** CaseFold gives the JDK's root-locale case mappings, including on the inputs where it takes another way. */
class CaseFoldTest {
    private static final String[] PIECES = {"\u03a3", "\u03c3", "\u03c2", "\u0130", "\u0131", "I", "i", "\u00df", "\u1e9e",
        "\u212a", "\u01c5", "\u0307", "'", ".", " ", "-", "A", "z", "\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3", "\ud83d\ude00",
        "\u03a3\u03a3", "\u0391\u03a3", "\ufb00", "\u0149", "1"};

    @Test
    void equalsTheJdkOnMixedText() {
        Random random = new Random(7);
        for (int n = 0; n < 3000; n++) {
            String s = text(random, 1 + random.nextInt(40));
            assertThat(CaseFold.lower(s)).as(s).isEqualTo(s.toLowerCase(Locale.ROOT));
            assertThat(CaseFold.upper(s)).as(s).isEqualTo(s.toUpperCase(Locale.ROOT));
        }
    }

    @Test
    void longTextTakesTheLinearWayWithTheSameResult() {
        // Greek words between spaces: the sigma rule is the same either way.
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 600; i++) {
            sb.append(i % 3 == 0 ? "\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3 " : i % 3 == 1 ? "\u03a3\u03a3 " : "\u0130\u03a3\u00df ");
        }
        String s = sb.toString();
        assertThat(CaseFold.lower(s)).isEqualTo(s.toLowerCase(Locale.ROOT));
        assertThat(CaseFold.upper(s)).isEqualTo(s.toUpperCase(Locale.ROOT));
        String sharpS = "\u00df".repeat(5000);
        assertThat(CaseFold.upper(sharpS)).isEqualTo("SS".repeat(5000));
        String dotted = "\u0130".repeat(5000);
        assertThat(CaseFold.lower(dotted)).isEqualTo("i\u0307".repeat(5000));
    }

    @Test
    void aFinalSigmaIsFinalInLongText() {
        String s = "\u0391\u03a3 ".repeat(2000) + "\u03a3\u0391";
        String lower = CaseFold.lower(s);
        assertThat(lower).startsWith("\u03b1\u03c2 \u03b1\u03c2 ").endsWith(" \u03c3\u03b1");
    }

    private static String text(Random random, int pieces) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            sb.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return sb.toString();
    }
}
