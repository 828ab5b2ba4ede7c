package io.hanzo.kms.scim.admin;

import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.store.Ids;
import io.hanzo.kms.scim.store.OrganizationStore;
import io.vertx.core.Future;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Organisations and their SCIM switch. Every SCIM request asks whether its organisation has SCIM on,
 * so all organisations are kept in memory and written through to the database.
 */
public final class OrganizationService {
    private final OrganizationStore store;
    private final Map<UUID, Organization> byId = new ConcurrentHashMap<>();

    public OrganizationService(OrganizationStore store) {
        this.store = store;
    }

    /**
     * Loads every organisation, at start-up and again after the change feed was lost. Each is merged
     * into the cache entry by entry, never by emptying it first, so requests keep finding their
     * organisation during a reload; a read older than a change already cached here loses to it.
     */
    public Future<List<Organization>> load() {
        return store.all().onSuccess(orgs -> orgs.forEach(this::cache));
    }

    /**
     * Caches a row as the database wrote or read it, unless a later version of it is cached already:
     * reads and writes may finish in another order than they committed, and each change of a row moves
     * its updatedAt on (see {@code OrganizationStore.update}), so updatedAt orders them.
     *
     * @return the row given
     */
    Organization cache(Organization o) {
        byId.merge(o.id(), o, OrganizationService::later);
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
     * and ends after it is older than the cache and is dropped.
     */
    public Future<Void> refresh(UUID id) {
        return store.find(id).map(o -> {
            if (o != null) {
                cache(o);
            }
            return null;
        });
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
