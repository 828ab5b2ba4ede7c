package io.hanzo.kms.scim.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/** Hashing and comparing bearer secrets. The secrets have 256 bits of entropy, so one SHA-256 suffices. */
public final class Secrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    /**
     * Each thread keeps its digest: every SCIM request hashes its token, and looking the algorithm up
     * among the security providers cost more than the hash itself. {@code digest} leaves it reset.
     */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    });

    public static byte[] sha256(String secret) {
        return SHA256.get().digest(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** Compares in time that does not depend on where the inputs differ. */
    public static boolean matches(String presented, byte[] expectedHash) {
        return MessageDigest.isEqual(sha256(presented), expectedHash);
    }

    public static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
