package io.hanzo.kms.scim.store.pg;

import static io.hanzo.kms.scim.store.pg.Rows.ts;

import io.hanzo.kms.scim.store.Audit;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.ResourceChange;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A user's or group's delete in one round trip: the row with its change-feed row and event in one
 * statement ({@code Sql.USER_DELETE}, {@code Sql.GROUP_DELETE}), then what hangs on it in a second
 * statement whose fresh snapshot sees every write that held the row's lock ({@code *_DELETE_REST}).
 */
final class ResourceDeletes {
    private ResourceDeletes() {
    }

    /** Whether the resource (at {@code expectedVersion}, when given) was there and is now deleted. */
    static Future<Boolean> delete(Pool pool, String delete, String rest, ResourceChange.Kind kind, UUID orgId, UUID id,
                                  Long expectedVersion, Audit audit, Tuple restParameters, Instant at) {
        Tuple row = Tuple.tuple().addUUID(orgId).addUUID(id).addLong(expectedVersion).addString(kind.wireName())
                .addUUID(Ids.newId()).addOffsetDateTime(ts(at)).addUUID(audit == null ? null : audit.tokenId())
                .addBoolean(audit != null).addString(audit == null ? null : PgEventStore.storable(audit.operation()));
        // Planned by key (Sql.PLANS_BY_KEY): each statement finds the resource's rows by its id, where a
        // custom plan, for an organisation the statistics do not know yet, may read every user of the
        // organisation by an index on the organisation alone.
        return PipelinedTransactions.oneRoundTrip(pool, conn -> List.of(
                        conn.query(Sql.PLANS_BY_KEY).execute(),
                        conn.preparedQuery(delete).execute(row),
                        conn.preparedQuery(rest).execute(restParameters)))
                .map(answers -> answers.get(1).size() > 0);
    }
}
