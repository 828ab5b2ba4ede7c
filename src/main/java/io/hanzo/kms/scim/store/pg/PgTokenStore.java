package io.hanzo.kms.scim.store.pg;

import static io.hanzo.kms.scim.store.pg.Rows.instant;
import static io.hanzo.kms.scim.store.pg.Rows.ts;

import io.hanzo.kms.scim.admin.ScimToken;
import io.hanzo.kms.scim.store.OrganizationErasedException;
import io.hanzo.kms.scim.store.TokenStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

public final class PgTokenStore implements TokenStore {
    private final Pool pool;

    public PgTokenStore(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Future<ScimToken> insert(ScimToken t) {
        return pool.withTransaction(conn -> conn.preparedQuery(Sql.TOKEN_INSERT)
                .execute(Tuple.of(t.orgId(), t.id(), Buffer.buffer(t.hash()), t.description(), ts(t.createdAt()),
                        ts(t.expiresAt())))
                .compose(rs -> rs.rowCount() == 0 ? Future.failedFuture(new OrganizationErasedException(t.orgId()))
                        : AdminChangeFeed.notify(conn, AdminChangeFeed.token(t.orgId(), t.id())))
                .map(v -> t));
    }

    @Override
    public Future<Boolean> revoke(UUID orgId, UUID tokenId, Instant at) {
        return pool.withTransaction(conn -> conn.preparedQuery(Sql.TOKEN_REVOKE).execute(Tuple.of(orgId, tokenId, ts(at)))
                .compose(rs -> rs.rowCount() == 0 ? Future.succeededFuture(false) // nothing for anyone to hear
                        : AdminChangeFeed.notify(conn, AdminChangeFeed.token(orgId, tokenId)).map(true)));
    }

    @Override
    public Future<ScimToken> find(UUID orgId, UUID tokenId) {
        return pool.preparedQuery(Sql.TOKEN_FIND).execute(Tuple.of(orgId, tokenId))
                .map(rs -> rs.size() == 0 ? null : token(rs.iterator().next()));
    }

    @Override
    public Future<List<ScimToken>> unrevoked(UUID orgId) {
        return pool.preparedQuery(Sql.TOKEN_UNREVOKED).execute(Tuple.of(orgId)).map(rs -> {
            List<ScimToken> out = new ArrayList<>(rs.size());
            for (Row r : rs) {
                out.add(token(r));
            }
            return out;
        });
    }

    private static ScimToken token(Row r) {
        return new ScimToken(r.getUUID(0), r.getUUID(1), r.getBuffer(2).getBytes(), r.getString(3),
                instant(r.getOffsetDateTime(4)), instant(r.getOffsetDateTime(5)), instant(r.getOffsetDateTime(6)),
                instant(r.getOffsetDateTime(7)));
    }

    @Override
    public Future<Void> recordLastUse(Collection<ScimToken> tokens) {
        if (tokens.isEmpty()) {
            return Future.succeededFuture();
        }
        List<Tuple> batch = new ArrayList<>(tokens.size());
        for (ScimToken t : tokens) {
            batch.add(Tuple.of(t.orgId(), t.id(), ts(t.lastUsedAt())));
        }
        return pool.preparedQuery(Sql.TOKEN_LAST_USED).executeBatch(batch).mapEmpty();
    }
}
