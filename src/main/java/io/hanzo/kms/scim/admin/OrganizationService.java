package io.hanzo.kms.scim.admin;

import io.hanzo.kms.scim.concurrent.OneAfterAnother;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.OrganizationStore;
import io.vertx.core.Future;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Organisations and their SCIM switch. Every SCIM request asks whether its organisation has SCIM on,
 * so all organisations are kept in memory and written through to the database.
 */
public final class OrganizationService {
    private static final Logger LOG = LoggerFactory.getLogger(OrganizationService.class);
    /** Rows an erasure deletes per statement: each a short transaction that locks no more. */
    static final int ERASURE_BATCH = 1000;
    /**
     * How long an erased organisation's id is remembered: longer than any read begun before its
     * erasure (a reload, a refresh) could take to bring it back.
     */
    static final Duration ERASED_KEPT = Duration.ofHours(1);

    private final OrganizationStore store;
    private final Map<UUID, Organization> byId = new ConcurrentHashMap<>();
    /** Erased organisations, each with when this instance heard of it, until {@link #ERASED_KEPT} has passed. */
    private final Map<UUID, Instant> erased = new ConcurrentHashMap<>();
    /** Erasures this instance is finishing now: one at a time per organisation. */
    private final Set<UUID> finishing = ConcurrentHashMap.newKeySet();
    private final List<Consumer<UUID>> onErased = new CopyOnWriteArrayList<>();

    public OrganizationService(OrganizationStore store) {
        this.store = store;
    }

    /**
     * Loads every organisation, at start-up and again after the change feed was lost. Each is merged
     * into the cache entry by entry, never by emptying it first, so requests keep finding their
     * organisation during a reload; a read older than a change already cached here loses to it.
     */
    public Future<List<Organization>> load() {
        return store.all().onSuccess(orgs -> {
            orgs.forEach(this::cache);
            // Erased while this instance did not hear (or created meanwhile: asked again, it is there).
            Set<UUID> read = new HashSet<>();
            orgs.forEach(o -> read.add(o.id()));
            byId.keySet().stream().filter(id -> !read.contains(id)).toList().forEach(this::refresh);
        });
    }

    /**
     * Caches a row as the database wrote or read it, unless a later version of it is cached already:
     * reads and writes may finish in another order than they committed, and each change of a row moves
     * its updatedAt on (see {@code OrganizationStore.update}), so updatedAt orders them.
     *
     * @return the row given
     */
    Organization cache(Organization o) {
        // Checked under the entry's lock, which forget's remove takes after marking it erased: checked
        // before the merge, an erasure forgotten in between was cached again until the next reload.
        byId.compute(o.id(), (id, cached) -> erased.containsKey(id) ? null : cached == null ? o : later(cached, o));
        return o;
    }

    private static Organization later(Organization mine, Organization theirs) {
        return theirs.updatedAt().isBefore(mine.updatedAt()) ? mine : theirs;
    }

    public Future<Organization> create(String name, Plan plan) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Organization org = new Organization(Ids.newId(), name, plan, false, Role.MEMBER, now, now);
        return store.insert(org).map(this::cache);
    }

    /**
     * Reloads one organisation another instance changed. A read that started before a later change
     * and ends after it is older than the cache and is dropped. One no longer found was erased, and is
     * forgotten here.
     */
    public Future<Void> refresh(UUID id) {
        return store.find(id).map(o -> {
            if (o != null) {
                cache(o);
            } else {
                forget(id);
            }
            return null;
        });
    }

    /** Told the id of each organisation erased, here or by another instance, to release what it holds of it. */
    public void onErased(Consumer<UUID> listener) {
        onErased.add(listener);
    }

    /**
     * Erases an organisation: unreachable on every instance once this completes with true; its rows
     * are deleted afterwards, in the background (see {@link #finishErasure}).
     *
     * @return false when there is no such organisation, or its erasure had begun already
     */
    public Future<Boolean> erase(UUID id) {
        return store.erase(id, Instant.now().truncatedTo(ChronoUnit.MILLIS)).onSuccess(begun -> {
            if (begun) {
                forget(id);
                finishErasure(id);
            }
        });
    }

    /** Finishes every erasure that is still to finish: at start-up and periodically, for those a crash cut short. */
    public Future<Void> finishErasures() {
        return store.erasing().compose(ids -> {
            ids.forEach(this::forget);
            return OneAfterAnother.forEach(ids, id -> finishErasure(id).otherwiseEmpty());
        });
    }

    /**
     * Deletes the erased organisation's rows, unless this instance is at it already; logs what went,
     * or why it stopped (the next {@link #finishErasures} takes it up again).
     */
    Future<Long> finishErasure(UUID id) {
        if (!finishing.add(id)) {
            return Future.succeededFuture(0L);
        }
        return store.finishErasure(id, ERASURE_BATCH)
                .onSuccess(rows -> LOG.info("Organization {} erased: {} rows deleted", id, rows))
                .onFailure(e -> LOG.warn("Erasing organization {} stopped; it is taken up again later: {}", id, e.toString()))
                .onComplete(ar -> finishing.remove(id));
    }

    /** Drops an erased organisation and tells the listeners, once. */
    private void forget(UUID id) {
        if (erased.putIfAbsent(id, Instant.now()) == null) {
            byId.remove(id);
            onErased.forEach(l -> l.accept(id));
        }
    }

    /** Forgets the ids of organisations erased longer than {@link #ERASED_KEPT} ago; to be called every minute or so. */
    public void forgetErased(Instant now) {
        erased.values().removeIf(at -> !now.isBefore(at.plus(ERASED_KEPT)));
    }

    /** The organisation, or null. */
    public Organization get(UUID id) {
        return id == null ? null : byId.get(id);
    }

    /**
     * Changes the plan, the SCIM switch, or both (null keeps one as it is), decided on the row as
     * committed and under its lock, never on this cache, which another change may have overtaken: a
     * plan without SCIM switches it off, and switching it on under such a plan is refused, whatever
     * else is changed at the same moment. A change that leaves the row as it is writes nothing.
     *
     * @return the organisation as written, or as it is when nothing changed
     */
    public Future<Organization> update(UUID id, Plan plan, Boolean scimEnabled) {
        return store.update(id, current -> changed(current, plan, scimEnabled), Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .compose(o -> o == null ? Future.failedFuture(ScimException.notFound("Organization " + id + " not found."))
                        : Future.succeededFuture(cache(o)));
    }

    private static Organization changed(Organization current, Plan plan, Boolean scimEnabled) {
        Organization o = plan == null ? current : current.withPlan(plan);
        if (scimEnabled == null) {
            return o;
        }
        if (scimEnabled && !o.plan().includesScim()) {
            throw ScimException.forbidden("SCIM provisioning is a paid feature: the '" + o.plan().wireName()
                    + "' plan does not include it. Upgrade to the pro or enterprise plan to enable it.");
        }
        return o.withScimEnabled(scimEnabled);
    }

    public List<Organization> all() {
        return List.copyOf(byId.values());
    }
}
