package io.hanzo.kms.scim.store.pg;

import io.hanzo.kms.scim.protocol.CaseFold;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Makes {@link CaseFold} fold as this database's {@code lower()} does. The database decides whether two
 * userNames (or group names) are one by {@code lower()} in its unique keys, and the index finds names
 * by CaseFold: where the two disagree, a create is refused as a repeat of a name that no lookup then
 * finds, and an identity provider goes round between its lookup and the refusal. How {@code lower()}
 * folds depends on the database's locale and C library, not on this server, so it is asked.
 */
public final class DatabaseCaseFolding {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseCaseFolding.class);
    /** Code points asked about: those of {@link Sql#LOWER_CASE_PAIRS}. */
    private static final int LAST_ASKED = 0x1FFFF;

    private DatabaseCaseFolding() {
    }

    public static Future<Void> adopt(Pool pool) {
        return pool.query(Sql.LOWER_CASE_PAIRS).execute().map(rows -> {
            Map<Integer, Integer> database = new HashMap<>();
            for (Row r : rows) {
                String lowered = r.getString(1);
                // One character for one: a lower case of several (a collation of ICU's) has no
                // per-character form, and the JDK's stays.
                if (lowered.codePointCount(0, lowered.length()) == 1) {
                    database.put(r.getInteger(0), lowered.codePointAt(0));
                }
            }
            if (rows.size() == 0) {
                return null; // not a UTF-8 database: nothing to compare
            }
            int[] codePoints = new int[LAST_ASKED + 1];
            int[] lowered = new int[LAST_ASKED + 1];
            int n = 0;
            for (int cp = 1; cp <= LAST_ASKED; cp++) {
                if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                    continue;
                }
                int theirs = database.getOrDefault(cp, cp);
                if (theirs != Character.toLowerCase(cp)) {
                    codePoints[n] = cp;
                    lowered[n++] = theirs;
                }
            }
            CaseFold.adoptDatabaseDifferences(Arrays.copyOf(codePoints, n), Arrays.copyOf(lowered, n));
            if (n > 0) {
                LOG.info("Names fold as the database's lower() does: {} character(s) differ from this JDK's tables", n);
            }
            return null;
        });
    }
}
