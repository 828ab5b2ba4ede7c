package io.hanzo.kms.scim.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The admin API's bearer token: the configured one, or one generated at first start. Only its hash is
 * kept, in memory and (for a generated one) in a mode-0600 file under the data directory.
 */
public final class AdminAuth {
    static final String HASH_FILE = "admin-token.sha256";

    private final byte[] hash;

    private AdminAuth(byte[] hash) {
        this.hash = hash;
    }

    public static AdminAuth ofToken(String token) {
        return new AdminAuth(Secrets.sha256(token));
    }

    /**
     * Uses {@code configuredToken} if not empty; else the hash saved under {@code dataDir}; else
     * generates a token, prints it once on standard output, and saves its hash.
     */
    public static AdminAuth initialise(String configuredToken, Path dataDir) {
        if (!configuredToken.isEmpty()) {
            return ofToken(configuredToken);
        }
        Path file = dataDir.resolve(HASH_FILE);
        try {
            if (Files.exists(file)) {
                String hex = Files.readString(file, StandardCharsets.US_ASCII).trim();
                return new AdminAuth(HexFormat.of().parseHex(hex));
            }
            Files.createDirectories(dataDir);
            String token = "kms_admin_" + Base64.getUrlEncoder().withoutPadding().encodeToString(Secrets.randomBytes(32));
            byte[] hash = Secrets.sha256(token);
            Files.writeString(file, HexFormat.of().formatHex(hash) + "\n", StandardCharsets.US_ASCII,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's own protection applies
            }
            System.out.println();
            System.out.println("  Admin API token (shown once; only its hash is kept in " + file + "):");
            System.out.println("    " + token);
            System.out.println();
            return new AdminAuth(hash);
        } catch (IOException e) {
            throw new UncheckedIOException("Admin token could not be set up under " + dataDir, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(file + " does not hold a SHA-256 in hex; delete it to generate a new token", e);
        }
    }

    public boolean accepts(String presented) {
        return presented != null && Secrets.matches(presented, hash);
    }
}
