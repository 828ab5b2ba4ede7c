package io.hanzo.kms.scim.store;

import io.vertx.sqlclient.DatabaseException;

/**
 * A transaction PostgreSQL rolled back because it met another at the same moment: a deadlock
 * (SQLSTATE 40P01) or a serialization failure (40001). Nothing of it was written, and the same request
 * sent again succeeds once the other has finished, so it is answered 503 with a short Retry-After, as
 * a change that kept meeting others is, never 500.
 */
public final class ConcurrentChangeConflict {
    private ConcurrentChangeConflict() {
    }

    public static boolean matches(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DatabaseException d && d.getSqlState() != null && d.getSqlState().startsWith("40")) {
                return true;
            }
        }
        return false;
    }
}
