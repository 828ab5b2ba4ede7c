package io.hanzo.kms.scim.store.pg;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * Who may run and reach the embedded PostgreSQL. Its binaries are extracted into a directory only the
 * server's user can enter (the library's default, a shared directory under /tmp, let any local user
 * plant a binary the next start would run), and every connection, local ones included, authenticates
 * with the superuser's password: a random one made at the first start and kept, mode 0600, beside the
 * database's directory.
 */
final class EmbeddedAccess {
    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Every connection, over the socket or TCP from this machine, needs the password; none comes from elsewhere. */
    static final String HBA = """
            # Written by kms-scim at every start: every connection needs the password of the superuser.
            local   all   all                  scram-sha-256
            host    all   all   127.0.0.1/32   scram-sha-256
            host    all   all   ::1/128        scram-sha-256
            """;

    /**
     * For one start of a database whose password file is missing: connections from this machine need
     * no password, as with initdb's defaults, until the superuser has a new one and {@link #HBA} is back.
     */
    static final String HBA_TRUSTING_FOR_ONE_START = """
            # Written by kms-scim for one start, until the superuser has a new password: none is needed.
            local   all   all                  trust
            host    all   all   127.0.0.1/32   trust
            host    all   all   ::1/128        trust
            """;

    private EmbeddedAccess() {
    }

    /**
     * Where the library extracts the binaries: {@code <data dir>/postgres-binaries/extracted}. The
     * library makes that directory writable by everyone (it expects to share it under /tmp); the one
     * above it, the server's user's alone, keeps everyone else out.
     */
    static Path binaries(Path databaseDir) throws IOException {
        return ownerOnly(databaseDir.toAbsolutePath().resolveSibling("postgres-binaries")).resolve("extracted");
    }

    /** The file holding the superuser's password, beside the database's directory (initdb wants that one empty). */
    static Path passwordFile(Path databaseDir) {
        Path dir = databaseDir.toAbsolutePath();
        return dir.resolveSibling(dir.getFileName() + ".password");
    }

    /**
     * Creates the directory for the server's user alone, or makes an existing one so. One that another
     * user owns (who could have put binaries in it) fails the start.
     */
    static Path ownerOnly(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir, ownerOnlyAttribute(OWNER_ONLY_DIRECTORY));
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is not a directory");
        }
        if (isPosix(dir)) {
            Path self = Path.of("/proc/self");
            if (Files.exists(self) && !Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)
                    .equals(Files.getAttribute(self, "unix:uid"))) {
                throw new IOException(dir + " belongs to another user; remove it to have it made again");
            }
            Files.setPosixFilePermissions(dir, OWNER_ONLY_DIRECTORY);
        }
        return dir;
    }

    /** The password the file holds, or null when there is no file yet. */
    static String readPassword(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        if (isPosix(file)) {
            Files.setPosixFilePermissions(file, OWNER_ONLY_FILE);
        }
        String password = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (password.isEmpty()) {
            throw new IOException(file + " is empty; it must hold the embedded PostgreSQL's password");
        }
        return password;
    }

    /** A new random password (hex: nothing to quote in SQL or a URL). */
    static String newPassword() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Writes the password to a file that only the server's user can read. */
    static void writePassword(Path file, String password) throws IOException {
        writeOwnerOnly(file, password + "\n");
    }

    /** Replaces the database's pg_hba.conf with {@link #HBA}. */
    static void requirePassword(Path databaseDir) throws IOException {
        writeOwnerOnly(databaseDir.resolve("pg_hba.conf"), HBA);
    }

    /** Replaces the database's pg_hba.conf with {@link #HBA_TRUSTING_FOR_ONE_START}. */
    static void trustForOneStart(Path databaseDir) throws IOException {
        writeOwnerOnly(databaseDir.resolve("pg_hba.conf"), HBA_TRUSTING_FOR_ONE_START);
    }

    /**
     * Whether the database's pg_hba.conf is {@link #HBA}: its password was required, so a missing
     * password file was lost rather than never made.
     */
    static boolean passwordRequired(Path databaseDir) throws IOException {
        Path hba = databaseDir.resolve("pg_hba.conf");
        return Files.exists(hba) && Files.readString(hba, StandardCharsets.US_ASCII).equals(HBA);
    }

    /**
     * Writes a new file, readable by the server's user alone from its creation, then moves it into
     * place. The file and then its directory are flushed to disk, so that after a power cut the file is
     * there with its content before anything that relies on it is.
     */
    private static void writeOwnerOnly(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, ownerOnlyAttribute(OWNER_ONLY_FILE));
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = StandardCharsets.US_ASCII.encode(content);
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        if (isPosix(file)) {
            try (FileChannel directory = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
                directory.force(true);
            }
        }
    }

    private static boolean isPosix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static FileAttribute<?>[] ownerOnlyAttribute(Set<PosixFilePermission> permissions) {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)} : new FileAttribute<?>[0];
    }
}
