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
        return store.all().onSuccess(orgs -> orgs.forEach(o -> byId.merge(o.id(), o, OrganizationService::later)));
    }

    private static Organization later(Organization mine, Organization theirs) {
        return theirs.updatedAt().isBefore(mine.updatedAt()) ? mine : theirs;
    }

    public Future<Organization> create(String name, Plan plan) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Organization org = new Organization(Ids.newId(), name, plan, false, Role.MEMBER, now, now);
        return store.insert(org).onSuccess(o -> byId.put(o.id(), o));
    }

    /**
     * Reloads one organisation another instance changed. A read that started before a later change
     * and ends after it is older than the cache and is dropped: updatedAt orders the changes.
     */
    public Future<Void> refresh(UUID id) {
        return store.find(id).map(o -> {
            if (o != null) {
                byId.merge(o.id(), o, OrganizationService::later);
            }
            return null;
        });
    }

    /** A change's time, strictly after the organisation's previous one even within a millisecond. */
    private static Instant nextUpdate(Organization org) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant after = org.updatedAt().plusMillis(1);
        return now.isBefore(after) ? after : now;
    }

    /** The organisation, or null. */
    public Organization get(UUID id) {
        return id == null ? null : byId.get(id);
    }

    public Future<Organization> setScimEnabled(Organization org, boolean enabled) {
        if (enabled && !org.plan().includesScim()) {
            return Future.failedFuture(new ScimException(403, null,
                    "SCIM provisioning is a paid feature: the '" + org.plan().wireName()
                            + "' plan does not include it. Upgrade to the pro or enterprise plan to enable it."));
        }
        Organization updated = org.withScimEnabled(enabled, nextUpdate(org));
        return store.update(updated).onSuccess(o -> byId.put(o.id(), o));
    }

    /** Changes the plan; a plan without SCIM switches provisioning off at once. */
    public Future<Organization> setPlan(Organization org, Plan plan) {
        Organization updated = org.withPlan(plan, nextUpdate(org));
        return store.update(updated).onSuccess(o -> byId.put(o.id(), o));
    }

    /** Keeps the cached default role in step with what the membership service wrote. */
    void defaultRoleChanged(UUID orgId, Role role) {
        byId.computeIfPresent(orgId, (k, o) -> o.withDefaultRole(role, o.updatedAt()));
    }

    public List<Organization> all() {
        return List.copyOf(byId.values());
    }
}
