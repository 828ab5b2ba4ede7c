package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.ScimEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many refused requests this instance records one by one for each organisation: a token bucket per
 * organisation. An IdP stuck retrying a refused request (a 404 or a 409, for ever, hundreds a second)
 * would otherwise add a row per try to the events table. Past the budget a refusal is counted instead,
 * and the count is written as ONE event at most once a {@link #SUMMARY_INTERVAL_NANOS minute}, for as
 * long as the organisation's refusals keep coming. Counted refusals still take the bucket's tokens, so
 * a loop at or above the rate keeps it empty: the count is not followed by a new burst, and a bucket
 * full again means the refusals stopped (or slowed well below the rate), when the count is written at
 * the next tick without waiting out the minute. Only then are refusals recorded one by one again. So
 * every refused request is in the events, one by one or in a count, and the admin still reads why they
 * fail.
 *
 * <p>All changes to an organisation's allowance happen in the map's {@code compute}, which serialises
 * them per organisation without holding up the others. An organisation whose bucket is full again with
 * nothing counted is forgotten: a new allowance would be the same, so the map holds only organisations
 * refused within the last {@code burst / perSecond} seconds or with a count still to write.
 */
final class RefusalBudget {
    private static final long NANOS = 1_000_000_000L;
    /**
     * How long a count gathers before it is written while refusals keep coming: the rows a loop adds
     * past the burst, one a minute per organisation and instance, against how late an admin sees it.
     */
    static final long SUMMARY_INTERVAL_NANOS = 60 * NANOS;

    /**
     * An event to write. {@code counted} is how many refused requests it stands for that were not
     * recorded as they came (0 for one recorded as it came); {@code countedSince} and {@code latest}
     * are what the count is put back with should the write fail.
     */
    record Row(ScimEvent event, long counted, Instant countedSince, ScimEvent latest) {
        Row(ScimEvent event) {
            this(event, 0, null, null);
        }

        /** How many refused requests the event counts in its detail: more than one, or none. */
        long summarised() {
            return counted > 1 ? counted : 0;
        }
    }

    private final int perSecond;
    private final int burst;
    private final double perNano;
    private final Map<UUID, Allowance> orgs = new ConcurrentHashMap<>();

    /**
     * @param perSecond 0 switches the budget off: every refusal is recorded one by one
     */
    RefusalBudget(int perSecond, int burst) {
        this.perSecond = perSecond;
        this.burst = Math.max(1, burst);
        this.perNano = perSecond / (double) NANOS;
    }

    /**
     * What to write for this refusal: the refusal itself, one event for it and the refusals counted
     * before it once their minute is up, or nothing (null) when it is counted.
     */
    Row admit(ScimEvent refusal, long now) {
        if (perSecond == 0) {
            return new Row(refusal);
        }
        Row[] row = new Row[1];
        orgs.compute(refusal.orgId(), (id, known) -> {
            Allowance a = known != null ? known : new Allowance(now);
            boolean room = a.bucket.take(now, perNano, burst) == 0;
            if (room && a.counted == 0) {
                row[0] = new Row(refusal);
            } else {
                a.count(refusal.at(), 1, refusal, now);
                if (now - a.countingFrom >= SUMMARY_INTERVAL_NANOS) {
                    row[0] = a.takeCounted();
                }
            }
            return a;
        });
        return row[0];
    }

    /**
     * The counts whose minute is up, and those of organisations whose refusals stopped (the bucket is
     * full again), one event each; forgets the organisations with nothing counted whose bucket is full.
     */
    List<Row> due(long now) {
        List<Row> rows = new ArrayList<>();
        for (UUID orgId : orgs.keySet()) {
            orgs.computeIfPresent(orgId, (id, a) -> {
                boolean full = a.bucket.full(now, perNano, burst);
                if (a.counted > 0 && (now - a.countingFrom >= SUMMARY_INTERVAL_NANOS || full)) {
                    rows.add(a.takeCounted());
                }
                return a.counted == 0 && full ? null : a;
            });
        }
        return rows;
    }

    /**
     * Puts back the count of a row that could not be written, into what its organisation counts now, so
     * that the next count written carries it; its minute starts again. A row recorded as it came is put
     * back as a count of one.
     */
    void putBack(Row row, long now) {
        if (perSecond == 0) {
            return;
        }
        ScimEvent refusal = row.latest() != null ? row.latest() : row.event();
        long n = Math.max(1, row.counted());
        Instant since = row.countedSince() != null ? row.countedSince() : refusal.at();
        orgs.compute(refusal.orgId(), (id, known) -> {
            Allowance a = known != null ? known : new Allowance(now);
            a.count(since, n, refusal, now);
            return a;
        });
    }

    /** Drops an organisation's allowance and what it counted. */
    void forget(UUID orgId) {
        orgs.remove(orgId);
    }

    /** Every count still to write, whatever the budget: for shut-down, when no tick will come again. */
    List<Row> drain() {
        List<Row> rows = new ArrayList<>();
        for (UUID orgId : orgs.keySet()) {
            orgs.computeIfPresent(orgId, (id, a) -> {
                if (a.counted > 0) {
                    rows.add(a.takeCounted());
                }
                return a;
            });
        }
        return rows;
    }

    /** One organisation's bucket, and the refusals counted since its last recorded one. */
    private final class Allowance {
        private final TokenBucket bucket;
        private long counted;
        private Instant countedSince;
        /** When the count began, on the clock the calls give: it is written a minute later at the latest. */
        private long countingFrom;
        private ScimEvent latest;

        Allowance(long now) {
            this.bucket = new TokenBucket(burst, now);
        }

        /**
         * Adds {@code n} refusals, the earliest at {@code since}, to the count; the latest refusal stays
         * the one whose fields the count's event has.
         */
        void count(Instant since, long n, ScimEvent refusal, long now) {
            if (counted == 0) {
                countedSince = since;
                countingFrom = now;
                latest = refusal;
            } else {
                if (since.isBefore(countedSince)) {
                    countedSince = since;
                }
                if (!refusal.at().isBefore(latest.at())) {
                    latest = refusal;
                }
            }
            counted += n;
        }

        /**
         * One event for the counted refusals, with the latest one's time, token, operation, resource and
         * status; a single one is simply recorded, late. Under a new id: events are listed by id, and
         * the console looks for new ones above those it shows.
         */
        Row takeCounted() {
            ScimEvent e = latest;
            boolean alone = counted == 1;
            Row row = new Row(new ScimEvent(e.orgId(), Ids.newId(), e.at(), e.tokenId(), e.operation(), e.resourceType(),
                    e.resourceId(), e.status(), e.outcome(), alone ? e.detail() : countedDetail(e)), counted, countedSince, e);
            counted = 0;
            countedSince = null;
            latest = null;
            return row;
        }

        private String countedDetail(ScimEvent e) {
            return counted + " refused requests since " + countedSince + " were not recorded one by one: this server"
                    + " records up to " + burst + " at once and " + perSecond + " a second for an organisation, and"
                    + " counts the rest in one event a minute."
                    + (e.detail() == null ? "" : " The latest: " + e.detail());
        }
    }
}
