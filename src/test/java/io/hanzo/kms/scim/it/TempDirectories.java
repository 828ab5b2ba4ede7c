package io.hanzo.kms.scim.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Removes what a test put under a temporary directory. An embedded database's directory holds its
 * own copy of the PostgreSQL binaries besides its data (a few hundred MB after a run), so a test that
 * leaves one behind fills the machine's /tmp within a day of runs.
 */
public final class TempDirectories {
    private TempDirectories() {
    }

    /** Deletes {@code dir} and everything under it; a directory already gone is fine. */
    public static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            // Deepest first, so that each directory is empty when its turn comes.
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not remove " + dir, e);
        }
    }
}
