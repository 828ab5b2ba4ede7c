package io.hanzo.kms.scim.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.Random;

/**
 * CaseFold lower-cases as PostgreSQL's lower() does in a libc locale (each character by its simple
 * mapping), which is the JDK's root-locale mapping but for a dotted capital I and a final sigma; it
 * upper-cases as the JDK does.
 */
class CaseFoldTest {
    private static final String[] PIECES = {"\u03a3", "\u03c3", "\u03c2", "\u0130", "\u0131", "I", "i", "\u00df", "\u1e9e",
        "\u212a", "\u01c5", "\u0307", "'", ".", " ", "-", "A", "z", "\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3", "\ud83d\ude00",
        "\u03a3\u03a3", "\u0391\u03a3", "\ufb00", "\u0149", "1", "\ud801\udc00", "\u00c5", "\u00e9"};

    @Test
    void lowerMapsEachCharacterAsTheJdkDoesOneByOne() {
        Random random = new Random(7);
        for (int n = 0; n < 3000; n++) {
            String s = text(random, 1 + random.nextInt(40));
            assertThat(CaseFold.lower(s)).as(s).isEqualTo(oneByOne(s));
            assertThat(CaseFold.upper(s)).as(s).isEqualTo(s.toUpperCase(Locale.ROOT));
        }
    }

    @Test
    void lowerEqualsTheJdkWithoutADottedCapitalIOrACapitalSigma() {
        Random random = new Random(11);
        for (int n = 0; n < 3000; n++) {
            String s = text(random, 1 + random.nextInt(40)).replace("\u0130", "").replace("\u03a3", "");
            assertThat(CaseFold.lower(s)).as(s).isEqualTo(s.toLowerCase(Locale.ROOT));
        }
        assertThat(CaseFold.lower("Jane.Doe@Example.COM")).isEqualTo("jane.doe@example.com");
        String plain = "already lower";
        assertThat(CaseFold.lower(plain)).isSameAs(plain);
    }

    /** As PostgreSQL 15 answered {@code SELECT lower('\u0130STANBUL \u039f\u0394\u039f\u03a3 \u00c5')} in C.UTF-8. */
    @Test
    void lowerFoldsADottedCapitalIAndEverySigmaAsPostgresqlDoes() {
        assertThat(CaseFold.lower("\u0130STANBUL \u039f\u0394\u039f\u03a3 \u00c5")).isEqualTo("istanbul \u03bf\u03b4\u03bf\u03c3 \u00e5");
        assertThat(CaseFold.lower("\u0130stanbul@acme.com")).isEqualTo(CaseFold.lower("istanbul@acme.com"));
    }

    /**
     * A database whose C library knows a newer Unicode than this JDK (U+A7C0 and U+A7C1 are a case
     * pair of Unicode 14), and one made with the C locale (ASCII only): names fold as it does.
     */
    @Test
    void lowerFoldsAsTheDatabaseSaysWhereItDiffersFromTheJdk() {
        CaseFold.Differences before = CaseFold.differences();
        try {
            CaseFold.adoptDatabaseDifferences(new int[] {'I', 0xC5, 0xA7C0}, new int[] {0x131, 0xC5, 0xA7C1});
            assertThat(CaseFold.lowerValue("\ua7c0nna@Acme.com")).isEqualTo("\ua7c1nna@acme.com");
            assertThat(CaseFold.lowerValue("\u00c5sa")).isEqualTo("\u00c5sa");
            assertThat(CaseFold.lowerValue("\u00c9mile \u00c5")).isEqualTo("\u00e9mile \u00c5");
            assertThat(CaseFold.lowerValue("\u00e9")).isEqualTo("\u00e9");
            assertThat(CaseFold.lowerValue("IRMA")).isEqualTo("\u0131rma");
            // The protocol's own words fold as this server's tables spell them, whatever the database's locale.
            assertThat(CaseFold.lower("externalId")).isEqualTo("externalid");
            assertThat(CaseFold.lower("\ua7c0\u00c5")).isEqualTo("\ua7c0\u00e5");
        } finally {
            CaseFold.adoptDatabaseDifferences(before.codePoints(), before.lowered());
        }
    }

    @Test
    void longTextHasTheSameResults() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 600; i++) {
            sb.append(i % 3 == 0 ? "\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3 " : i % 3 == 1 ? "\u03a3\u03a3 " : "\u0130\u03a3\u00df ");
        }
        String s = sb.toString();
        assertThat(CaseFold.lower(s)).isEqualTo(oneByOne(s));
        assertThat(CaseFold.upper(s)).isEqualTo(s.toUpperCase(Locale.ROOT));
        String sharpS = "\u00df".repeat(5000);
        assertThat(CaseFold.upper(sharpS)).isEqualTo("SS".repeat(5000));
        String dotted = "\u0130".repeat(5000);
        assertThat(CaseFold.lower(dotted)).isEqualTo("i".repeat(5000));
    }

    private static String oneByOne(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> sb.appendCodePoint(Character.toLowerCase(cp)));
        return sb.toString();
    }

    private static String text(Random random, int pieces) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            sb.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return sb.toString();
    }
}
