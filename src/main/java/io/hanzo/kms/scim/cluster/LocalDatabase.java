package io.hanzo.kms.scim.cluster;

import io.hanzo.kms.scim.store.pg.DatabaseSetup;
import io.hanzo.kms.scim.store.pg.DatabaseTarget;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CountDownLatch;

/**
 * The embedded PostgreSQL on its own, for several instances on this machine to share (make cluster,
 * the multi-instance bench). It starts the database, writes its URL for SCIM_DATABASE_URL to a file
 * once it accepts connections, and runs until SIGTERM or Ctrl-C, when it stops the database. The
 * instances create and migrate the schema themselves.
 * <pre>
 * LocalDatabase --dir DATA_DIR [--port PORT] --url-file FILE
 * </pre>
 */
public final class LocalDatabase {
    private LocalDatabase() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = null;
        Path urlFile = null;
        int port = 0;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--url-file" -> urlFile = Path.of(args[i + 1]);
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("Unknown option " + args[i]);
            }
        }
        if (dir == null || urlFile == null) {
            System.err.println("Usage: LocalDatabase --dir DATA_DIR [--port PORT] --url-file FILE");
            System.exit(2);
        }
        DatabaseTarget db = DatabaseSetup.startEmbedded(dir, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                db.embedded().close();
            } catch (Exception e) {
                System.err.println("PostgreSQL did not stop cleanly: " + e);
            } finally {
                stopped.countDown();
            }
        }, "stop-postgres"));
        // Written whole and then moved, so a reader never sees half a URL. It holds the embedded
        // database's superuser password, so only this user may read it.
        String url = "postgresql://" + db.user() + ":" + db.password() + "@localhost:" + db.port() + "/" + db.database();
        Path tmp = urlFile.resolveSibling(urlFile.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, url + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, urlFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("PostgreSQL ready on 127.0.0.1:" + db.port() + " (data in " + dir.toAbsolutePath() + ")");
        stopped.await();
    }
}
