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
 * would otherwise add a row per try to the events table. Past the budget a refusal is counted instead;
 * the next refusal that finds room stands for itself and those counted before it, in ONE event (or a
 * tick of the timer writes it, once the organisation has room again and no refusal came). So every
 * refused request is in the events, one by one or in a count, and the admin still reads why they fail.
 *
 * <p>All changes to an organisation's allowance happen in the map's {@code compute}, which serialises
 * them per organisation without holding up the others. An organisation whose bucket is full again with
 * nothing counted is forgotten: a new allowance would be the same, so the map holds only organisations
 * refused within the last {@code burst / perSecond} seconds or with a count still to write.
 */
final class RefusalBudget {
    private static final long NANOS = 1_000_000_000L;

    /** An event to write, and how many refused requests it counts that were not recorded one by one. */
    record Row(ScimEvent event, long counted) {
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
     * before it, or nothing (null) when it is counted.
     */
    Row admit(ScimEvent refusal, long now) {
        if (perSecond == 0) {
            return new Row(refusal, 0);
        }
        Row[] row = new Row[1];
        orgs.compute(refusal.orgId(), (id, known) -> {
            Allowance a = known != null ? known : new Allowance(now);
            if (a.bucket.take(now, perNano, burst) != 0) {
                a.count(refusal);
            } else if (a.counted == 0) {
                row[0] = new Row(refusal, 0);
            } else {
                a.count(refusal);
                row[0] = a.takeCounted();
            }
            return a;
        });
        return row[0];
    }

    /**
     * The counted refusals of organisations that have room again, one event each, and forgets the
     * organisations with nothing counted whose bucket is full.
     */
    List<Row> due(long now) {
        List<Row> rows = new ArrayList<>();
        for (UUID orgId : orgs.keySet()) {
            orgs.computeIfPresent(orgId, (id, a) -> {
                if (a.counted > 0 && a.bucket.take(now, perNano, burst) == 0) {
                    rows.add(a.takeCounted());
                }
                return a.counted == 0 && a.bucket.full(now, perNano, burst) ? null : a;
            });
        }
        return rows;
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
        private ScimEvent latest;

        Allowance(long now) {
            this.bucket = new TokenBucket(burst, now);
        }

        void count(ScimEvent refusal) {
            if (counted == 0) {
                countedSince = refusal.at();
            }
            counted++;
            latest = refusal;
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
                    e.resourceId(), e.status(), e.outcome(), alone ? e.detail() : countedDetail(e)), alone ? 0 : counted);
            counted = 0;
            countedSince = null;
            latest = null;
            return row;
        }

        private String countedDetail(ScimEvent e) {
            return counted + " refused requests since " + countedSince + " were not recorded one by one: this server"
                    + " records up to " + burst + " at once and " + perSecond + " a second for an organisation."
                    + (e.detail() == null ? "" : " The latest: " + e.detail());
        }
    }
}
