package io.hanzo.kms.scim.store.pg;

import io.hanzo.kms.scim.store.ResourceChange;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/** Change-feed rows that writes add in their own transaction (users and groups also do it in their SQL). */
final class ChangeRows {
    private ChangeRows() {
    }

    static Future<Void> deleted(SqlClient conn, UUID orgId, ResourceChange.Kind kind, UUID id, long version) {
        return conn.preparedQuery(Sql.FEED_DELETED).execute(Tuple.of(orgId, kind.wireName(), id, version)).mapEmpty();
    }
}
