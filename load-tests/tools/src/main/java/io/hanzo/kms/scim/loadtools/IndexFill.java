package io.hanzo.kms.scim.loadtools;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Fills kms-scim's database fast, for measuring the index: one organisation with SCIM on, its users
 * shaped as the load tests create them (load-tests Payloads.user: core and enterprise attributes, one
 * work email equal to the userName, one phone), groups, and a number of direct memberships per user,
 * all made by set-based statements (generate_series) rather than through the API. Ids are time-ordered
 * like the server's (version 7 layout), ascending with the user's number.
 * <pre>
 * IndexFill --pg postgresql://user:pass@127.0.0.1:PORT/db --users 100000 [--per-user 10] [--group-size 1000]
 * </pre>
 * Prints the organisation's id. Group g holds users whose number is in one of ten runs spread over
 * the organisation, so each user is in {@code per-user} groups and each group in id order holds
 * contiguous runs of users, as the load tests' layout does. Ends with {@code VACUUM (ANALYZE)} of the
 * filled tables and a {@code CHECKPOINT}, leaving them as a database in service has them (visibility
 * map and hint bits set, statistics current, nothing left to write); autovacuum and fsync stay on.
 */
public final class IndexFill {
    private static final int CHUNK = 250_000;

    /** A version-7-shaped id from a kind (users 1, groups 2) and a number: ordered by number. */
    private static final String ID_FUNCTION = "CREATE FUNCTION pg_temp.fill_id(kind int, n bigint) RETURNS uuid "
            + "LANGUAGE sql IMMUTABLE AS $$ SELECT (lpad(to_hex(1764547200000 + kind * 100000000 + n / 1000), 12, '0') "
            + "|| '7' || lpad(to_hex(n % 1000), 3, '0') || '8' || substr(md5(kind::text || ':' || n::text), 1, 15))::uuid $$";

    private static final String ORG = "INSERT INTO organizations (id, name, plan, scim_enabled, created_at, updated_at) "
            + "VALUES ($1, $2, 'enterprise', true, now(), now())";

    private static final String USERS = "INSERT INTO scim_users (org_id, id, user_name, external_id, active, attributes, "
            + "version, created_at, updated_at) "
            + "SELECT $1, pg_temp.fill_id(1, i), u.name, u.ext, true, jsonb_build_object("
            + "'userName', u.name, 'externalId', u.ext, "
            + "'name', jsonb_build_object('givenName', 'Given' || i, 'familyName', 'Family' || (i % 9973), "
            + "  'formatted', 'Given' || i || ' Family' || (i % 9973)), "
            + "'displayName', 'Given' || i || ' Family' || (i % 9973), 'title', 'Engineer', 'active', true, "
            + "'emails', jsonb_build_array(jsonb_build_object('value', u.name, 'type', 'work', 'primary', true)), "
            + "'phoneNumbers', jsonb_build_array(jsonb_build_object('value', '+1 555 ' || lpad(i::text, 7, '0'), 'type', 'work')), "
            + "'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', jsonb_build_object('employeeNumber', i::text, "
            + "  'department', 'Department ' || (i % 50), 'organization', 'Bench')), 1, now(), now() "
            + "FROM generate_series($2::bigint, $3::bigint) i, "
            + "LATERAL (SELECT 'fill.' || lpad(i::text, 7, '0') || '@bench.example.com' AS name, "
            + "  'ext-fill-' || lpad(i::text, 7, '0') AS ext) u";

    private static final String GROUPS = "INSERT INTO scim_groups (org_id, id, display_name, external_id, attributes, version, "
            + "created_at, updated_at) "
            + "SELECT $1, pg_temp.fill_id(2, g), n.name, 'gext-fill-' || g, "
            + "jsonb_build_object('displayName', n.name, 'externalId', 'gext-fill-' || g), 1, now(), now() "
            + "FROM generate_series(0, $2::bigint - 1) g, "
            + "LATERAL (SELECT 'CN=fill-group-' || lpad(g::text, 5, '0') || ',OU=Groups,DC=bench,DC=example' AS name) n";

    /**
     * User i is in groups (i / run + k * groups / perUser) mod groups, k = 0..perUser-1: ten distinct
     * groups, each holding runs of consecutive users.
     */
    private static final String MEMBERS = "INSERT INTO scim_group_members (org_id, group_id, user_id) "
            + "SELECT $1, pg_temp.fill_id(2, ((i / $4::bigint) + k * ($5::bigint / $6::bigint)) % $5::bigint), "
            + "pg_temp.fill_id(1, i) "
            + "FROM generate_series($2::bigint, $3::bigint) i, generate_series(0, $6::bigint - 1) k";

    private IndexFill() {
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(args, 0);
        int users = a.intValue("users", 100_000);
        int perUser = a.intValue("per-user", 10);
        int groupSize = a.intValue("group-size", 1_000);
        // Enough groups that each holds about group-size members, and at least as many as a user joins.
        long groups = Math.max(perUser, (long) users * perUser / groupSize);
        long run = Math.max(1, users / groups);
        Vertx vertx = Vertx.vertx();
        Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
                .connectingTo(PgConnectOptions.fromUri(a.get("pg"))).using(vertx).build();
        UUID org = UUID.randomUUID();
        long t0 = System.nanoTime();
        try {
            pool.withConnection(conn -> fill(conn, org, users, perUser, groups, run))
                    .toCompletionStage().toCompletableFuture().get(60, TimeUnit.MINUTES);
        } finally {
            pool.close();
            vertx.close();
        }
        System.err.printf("Filled %d users, %d groups, %d memberships in %.1f s%n", users, groups, (long) users * perUser,
                (System.nanoTime() - t0) / 1e9);
        System.out.println(org);
    }

    private static Future<Void> fill(SqlConnection conn, UUID org, int users, int perUser, long groups, long run) {
        Future<Void> chain = conn.query(ID_FUNCTION).execute().mapEmpty();
        chain = chain.compose(v -> conn.preparedQuery(ORG).execute(Tuple.of(org, "index fill " + org)).mapEmpty());
        for (long from = 0; from < users; from += CHUNK) {
            long f = from;
            long to = Math.min(users, from + CHUNK) - 1;
            chain = chain.compose(v -> conn.preparedQuery(USERS).execute(Tuple.of(org, f, to)).<Void>mapEmpty())
                    .onSuccess(v -> System.err.printf("  users %d..%d%n", f, to));
        }
        chain = chain.compose(v -> conn.preparedQuery(GROUPS).execute(Tuple.of(org, groups)).mapEmpty());
        for (long from = 0; from < users; from += CHUNK) {
            long f = from;
            long to = Math.min(users, from + CHUNK) - 1;
            chain = chain.compose(v -> conn.preparedQuery(MEMBERS)
                            .execute(Tuple.of(org, f, to, run, groups, (long) perUser)).<Void>mapEmpty())
                    .onSuccess(v -> System.err.printf("  memberships of users %d..%d%n", f, to));
        }
        return chain.compose(v -> conn.query("VACUUM ANALYZE scim_users").execute())
                .compose(v -> conn.query("VACUUM ANALYZE scim_group_members").execute())
                .compose(v -> conn.query("VACUUM ANALYZE scim_groups").execute())
                // As a database in service would be: its pages written out, so that no checkpoint of
                // the fill's gigabytes falls into the server's start-up that follows.
                .compose(v -> conn.query("CHECKPOINT").execute())
                .mapEmpty();
    }
}
