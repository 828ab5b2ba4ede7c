package io.hanzo.kms.scim.index;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** The packing format gives back every input byte for byte, whatever the input. */
class DocumentCodecTest {
    private static final byte[] DICTIONARY = ("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
            + "\"userName\":\"\",\"emails\":[{\"value\":\"\",\"type\":\"work\",\"primary\":true}]}")
            .getBytes(StandardCharsets.UTF_8);
    private final DocumentCodec codec = new DocumentCodec("https://x/Users/", DICTIONARY);

    @Test
    void edgeCasesComeBackUnchanged() {
        roundTrip(new byte[0]);
        roundTrip(new byte[] {42});
        roundTrip("abc".getBytes(StandardCharsets.UTF_8));
        roundTrip(DICTIONARY);
        roundTrip("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes(StandardCharsets.UTF_8));
        roundTrip("abababababababababababababababababababab!".getBytes(StandardCharsets.UTF_8));
        // Runs just below, at and above the lengths where a count needs an extra byte.
        for (int n : new int[] {14, 15, 16, 18, 19, 20, 142, 143, 144, 16_400}) {
            roundTrip("x".repeat(n).getBytes(StandardCharsets.UTF_8));
            roundTrip(noise(n, n));
        }
        // The dictionary's text twice, then a document that ends inside a copy.
        roundTrip((new String(DICTIONARY, StandardCharsets.UTF_8) + new String(DICTIONARY, StandardCharsets.UTF_8)
                + "\"userName\"").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void randomMixturesOfDictionaryTextRepeatsAndNoiseComeBackUnchanged() {
        Random random = new Random(2026);
        for (int round = 0; round < 3_000; round++) {
            StringBuilder b = new StringBuilder();
            int parts = random.nextInt(12);
            for (int p = 0; p < parts; p++) {
                switch (random.nextInt(4)) {
                    case 0 -> {
                        int from = random.nextInt(DICTIONARY.length);
                        int to = from + random.nextInt(DICTIONARY.length - from + 1);
                        b.append(new String(DICTIONARY, from, to - from, StandardCharsets.ISO_8859_1));
                    }
                    case 1 -> {
                        if (b.length() > 0) {
                            int from = random.nextInt(b.length());
                            b.append(b, from, Math.min(b.length(), from + random.nextInt(300)));
                        }
                    }
                    case 2 -> b.append(String.valueOf((char) ('a' + random.nextInt(3))).repeat(random.nextInt(40)));
                    default -> b.append(new String(noise(random.nextInt(200), random.nextLong()), StandardCharsets.ISO_8859_1));
                }
            }
            roundTrip(b.toString().getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void repeatedTextPacksSmall() {
        byte[] doc = (new String(DICTIONARY, StandardCharsets.UTF_8).replace("\"userName\":\"\"", "\"userName\":\"jane@x.com\""))
                .getBytes(StandardCharsets.UTF_8);
        assertThat(codec.pack(doc).length).isLessThan(30);
        assertThat(codec.pack("y".repeat(10_000).getBytes(StandardCharsets.UTF_8)).length).isLessThan(20);
    }

    private void roundTrip(byte[] doc) {
        byte[] packed = codec.pack(doc);
        assertThat(codec.unpack(packed)).isEqualTo(doc);
    }

    private static byte[] noise(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
