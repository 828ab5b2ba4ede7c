package io.hanzo.kms.scim.loadtools;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The write ceiling: how many rows like kms-scim's users PostgreSQL itself takes per second, one row
 * per transaction, at a given number of concurrent connections. The rows go into a scratch table with
 * the columns, primary key and case-insensitive unique userName index of {@code scim_users}, in a
 * schema of its own that is dropped at the end. Ids are time-ordered like the server's, attributes
 * are a user document of the same size, bound as text and cast to jsonb as the server does.
 * <pre>
 * RawInsertLoader --pg postgresql://user:pass@127.0.0.1:PORT/db [--concurrency 16] [--rows 20000]
 *                 [--like PingOneInitialSync.phases.json] [--max-seconds 60] [--out result.json]
 * </pre>
 * With {@code --like}, the concurrency and the number of rows are those of the simulation's run.
 */
public final class RawInsertLoader {
    private static final String SCHEMA = "kms_scim_bench_scratch";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Pool pool;
    private final int concurrency;
    private final UUID orgId = UUID.randomUUID();
    private PreparedQuery<RowSet<Row>> insert;

    private RawInsertLoader(Pool pool, int concurrency) {
        this.pool = pool;
        this.concurrency = concurrency;
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(args, 0);
        JsonObject like = a.get("like", null) == null ? new JsonObject()
                : new JsonObject(Files.readString(Path.of(a.get("like")))).getJsonObject("facts", new JsonObject());
        int concurrency = a.intValue("concurrency", Integer.parseInt(like.getString("concurrency", "16")));
        int rows = a.intValue("rows", Integer.parseInt(like.getString("users", "20000")));
        int maxSeconds = a.intValue("max-seconds", 60);
        PgConnectOptions connect = PgConnectOptions.fromUri(a.get("pg"));
        Vertx vertx = Vertx.vertx();
        Pool pool = PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(concurrency))
                .connectingTo(connect)
                .using(vertx)
                .build();
        RawInsertLoader loader = new RawInsertLoader(pool, concurrency);
        try {
            JsonObject result = loader.run(rows, maxSeconds).toCompletionStage().toCompletableFuture()
                    .get(maxSeconds + 120L, TimeUnit.SECONDS);
            JsonObject durability = result.getJsonObject("durability");
            System.out.printf("Raw inserts: %d rows in %d ms at %d connections = %.0f rows/s (p50 %.1f ms, p99 %.1f ms); "
                            + "fsync=%s synchronous_commit=%s full_page_writes=%s%n",
                    result.getLong("rows"), result.getLong("millis"), concurrency, result.getDouble("perSecond"),
                    result.getDouble("p50"), result.getDouble("p99"), durability.getString("fsync"),
                    durability.getString("synchronous_commit"), durability.getString("full_page_writes"));
            String out = a.get("out", null);
            if (out != null) {
                Files.writeString(Path.of(out), result.encodePrettily());
            }
        } finally {
            pool.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private Future<JsonObject> run(int rows, int maxSeconds) {
        String table = SCHEMA + ".users";
        String setup = "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE; CREATE SCHEMA " + SCHEMA + "; "
                + "CREATE TABLE " + table + " (org_id uuid NOT NULL, id uuid NOT NULL, user_name text NOT NULL, "
                + "external_id text, active boolean NOT NULL, attributes jsonb NOT NULL, version bigint NOT NULL, "
                + "created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, PRIMARY KEY (org_id, id)); "
                + "CREATE UNIQUE INDEX ON " + table + " (org_id, lower(user_name))";
        insert = pool.preparedQuery("INSERT INTO " + table + " (org_id, id, user_name, external_id, active, attributes, "
                + "version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, 1, $7, $7)");
        int warmUp = Math.min(1_000, Math.max(100, rows / 10));
        JsonObject durability = new JsonObject();
        return pool.query(setup).execute()
                .compose(v -> pool.query("SELECT current_setting('fsync'), current_setting('synchronous_commit'), "
                        + "current_setting('full_page_writes')").execute())
                .map(settings -> {
                    Row r = settings.iterator().next();
                    durability.put("fsync", r.getString(0)).put("synchronous_commit", r.getString(1))
                            .put("full_page_writes", r.getString(2));
                    return null;
                })
                .compose(v -> load("warm", 0, warmUp, maxSeconds, null))
                .compose(v -> {
                    long[] latencies = new long[rows];
                    long start = System.nanoTime();
                    return load("row", warmUp, rows, maxSeconds, latencies).map(done -> {
                        long nanos = System.nanoTime() - start;
                        long[] measured = Arrays.copyOf(latencies, done);
                        Arrays.sort(measured);
                        double millis = nanos / 1e6;
                        return new JsonObject()
                                .put("rows", done)
                                .put("millis", Math.round(millis))
                                .put("perSecond", done * 1000.0 / millis)
                                .put("concurrency", concurrency)
                                .put("p50", percentile(measured, 50))
                                .put("p95", percentile(measured, 95))
                                .put("p99", percentile(measured, 99))
                                .put("durability", durability);
                    });
                })
                .eventually(() -> pool.query("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE").execute());
    }

    /**
     * Inserts {@code rows} rows numbered from {@code first} with {@code concurrency} connections, each
     * one insert (one transaction) after another; answers how many were inserted before the time limit.
     */
    private Future<Integer> load(String prefix, int first, int rows, int maxSeconds, long[] latencies) {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        Promise<Integer> all = Promise.promise();
        AtomicInteger running = new AtomicInteger(concurrency);
        for (int c = 0; c < concurrency; c++) {
            loop(prefix, first, rows, deadline, next, done, latencies).onComplete(ar -> {
                if (ar.failed()) {
                    all.tryFail(ar.cause());
                } else if (running.decrementAndGet() == 0) {
                    all.tryComplete(done.get());
                }
            });
        }
        return all.future();
    }

    /**
     * One connection's inserts, one after another. Each insert starts the next from its callback and
     * one promise ends the run, so no chain of futures grows with the number of rows (a chain of
     * thousands of composed futures never completed at 100,000 rows).
     */
    private Future<Void> loop(String prefix, int first, int rows, long deadline, AtomicInteger next, AtomicInteger done,
                              long[] latencies) {
        Promise<Void> finished = Promise.promise();
        insertNext(prefix, first, rows, deadline, next, done, latencies, finished);
        return finished.future();
    }

    private void insertNext(String prefix, int first, int rows, long deadline, AtomicInteger next, AtomicInteger done,
                            long[] latencies, Promise<Void> finished) {
        int k = next.getAndIncrement();
        if (k >= rows || System.nanoTime() > deadline) {
            finished.complete();
            return;
        }
        int n = first + k;
        String userName = prefix + "." + String.format("%07d", n) + "@bench.example.com";
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        Tuple t = Tuple.tuple()
                .addUUID(orgId)
                .addUUID(timeOrderedId())
                .addString(userName)
                .addString("ext-raw-" + n)
                .addBoolean(true)
                .addString(attributes(n, userName))
                .addOffsetDateTime(now);
        long start = System.nanoTime();
        insert.execute(t).onComplete(ar -> {
            if (ar.failed()) {
                finished.fail(ar.cause());
                return;
            }
            if (latencies != null) {
                latencies[k] = System.nanoTime() - start;
            }
            done.incrementAndGet();
            insertNext(prefix, first, rows, deadline, next, done, latencies, finished);
        });
    }

    /** A stored user document like the server's for a user of the simulations. */
    static String attributes(int n, String userName) {
        return new JsonObject()
                .put("schemas", new JsonArray()
                        .add("urn:ietf:params:scim:schemas:core:2.0:User")
                        .add("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"))
                .put("userName", userName)
                .put("externalId", "ext-raw-" + n)
                .put("name", new JsonObject().put("givenName", "Given" + n).put("familyName", "Family" + (n % 9973))
                        .put("formatted", "Given" + n + " Family" + (n % 9973)))
                .put("displayName", "Given" + n + " Family" + (n % 9973))
                .put("title", "Engineer")
                .put("emails", new JsonArray().add(new JsonObject().put("value", userName)
                        .put("type", "work").put("primary", true)))
                .put("phoneNumbers", new JsonArray().add(new JsonObject()
                        .put("value", "+1 555 " + String.format("%07d", n)).put("type", "work")))
                .put("active", true)
                .put("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", new JsonObject()
                        .put("employeeNumber", Integer.toString(n)).put("department", "Department " + (n % 50))
                        .put("organization", "Bench"))
                .encode();
    }

    /** RFC 9562 version 7, as the server makes its ids. */
    static UUID timeOrderedId() {
        long msb = (System.currentTimeMillis() << 16) | (0x7L << 12) | RANDOM.nextInt(1 << 12);
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }

    private static double percentile(long[] sortedNanos, int p) {
        if (sortedNanos.length == 0) {
            return 0;
        }
        int at = (int) Math.min(sortedNanos.length - 1, Math.ceil(p / 100.0 * sortedNanos.length) - 1);
        return sortedNanos[Math.max(0, at)] / 1e6;
    }
}
