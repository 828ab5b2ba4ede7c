package io.hanzo.kms.scim.index;

import io.hanzo.kms.scim.protocol.CaseFold;
import io.hanzo.kms.scim.store.UserRow;

import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;

/**
 * One organisation's users in memory, with the lookups IdPs make on every sync: by id, by userName and
 * by email in any letter case, by externalId exactly. Reads are lock-free from any event loop; writes
 * come only from the write path after the database committed, and a write never replaces a newer
 * version with an older one, so commits finishing out of order cannot leave it stale.
 */
public final class UserIndex {
    /** Ordered by id; ids are time-ordered, so this is creation order and pages stay stable. */
    private final ConcurrentSkipListMap<UUID, IndexedUser> byId = new ConcurrentSkipListMap<>();
    private final Map<String, UUID> byUserName = new ConcurrentHashMap<>();
    private final Map<String, Set<UUID>> byEmail = new ConcurrentHashMap<>();
    private final Map<String, Set<UUID>> byExternalId = new ConcurrentHashMap<>();
    /**
     * Ids of deleted users, with when they were deleted. Ids are never reused, so this keeps a write
     * that committed before a delete, but reaches the index after it, from bringing the user back.
     * Such a late write arrives within moments, so a tombstone expires after {@link #TOMBSTONE_TTL_NANOS}
     * and the set stays small however many users are deleted over the server's uptime.
     */
    private final Map<UUID, Long> deleted = new ConcurrentHashMap<>();
    static final long TOMBSTONE_TTL_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final int SWEEP_EVERY = 1024;
    private int removesSinceSweep;

    public IndexedUser get(UUID id) {
        return byId.get(id);
    }

    /** True for a user this index saw deleted. */
    public boolean isDeleted(UUID id) {
        return deleted.containsKey(id);
    }

    public UUID idByUserName(String userName) {
        return byUserName.get(fold(userName));
    }

    public Set<UUID> idsByEmail(String email) {
        return byEmail.getOrDefault(fold(email), Set.of());
    }

    public Set<UUID> idsByExternalId(String externalId) {
        return byExternalId.getOrDefault(externalId, Set.of());
    }

    /** All users in id order. */
    public Collection<IndexedUser> all() {
        return Collections.unmodifiableCollection(byId.values());
    }

    public int size() {
        return byId.size();
    }

    /**
     * Adds or replaces a user unless the index already holds a newer version of it. Readers are not
     * locked out, so the new keys go in before the old ones that no longer apply come out: a lookup
     * running meanwhile finds the user by its old or its new key, never by neither.
     */
    public synchronized void put(IndexedUser user) {
        UserRow row = user.row();
        if (deleted.containsKey(row.id())) {
            return;
        }
        IndexedUser old = byId.get(row.id());
        if (old != null && old.row().version() >= row.version()) {
            return;
        }
        String userName = fold(row.userName());
        Set<String> emails = emails(row);
        byId.put(row.id(), user);
        byUserName.put(userName, row.id());
        for (String email : emails) {
            byEmail.computeIfAbsent(email, k -> ConcurrentHashMap.newKeySet()).add(row.id());
        }
        if (row.externalId() != null) {
            byExternalId.computeIfAbsent(row.externalId(), k -> ConcurrentHashMap.newKeySet()).add(row.id());
        }
        if (old != null) {
            UserRow was = old.row();
            String oldUserName = fold(was.userName());
            if (!oldUserName.equals(userName)) {
                byUserName.remove(oldUserName, row.id());
            }
            for (String email : emails(was)) {
                if (!emails.contains(email)) {
                    removeFrom(byEmail, email, row.id());
                }
            }
            if (was.externalId() != null && !was.externalId().equals(row.externalId())) {
                removeFrom(byExternalId, was.externalId(), row.id());
            }
        }
    }

    /**
     * Removes a user the database deleted, leaving a tombstone that keeps late writes out. Call it only
     * for users that existed: a delete of an unknown id must leave nothing behind.
     */
    public synchronized void remove(UUID id) {
        long now = System.nanoTime();
        deleted.put(id, now);
        if (++removesSinceSweep >= SWEEP_EVERY) {
            removesSinceSweep = 0;
            expireTombstones(now);
        }
        IndexedUser old = byId.remove(id);
        if (old != null) {
            unlink(old.row());
        }
    }

    /** Keeps what another index of the organisation knew of deleted users (a reload). */
    public synchronized void inheritDeletions(UserIndex previous) {
        deleted.putAll(previous.deleted);
    }

    /** Drops tombstones older than the time any late write could take to arrive. */
    synchronized void expireTombstones(long nowNanos) {
        deleted.values().removeIf(at -> nowNanos - at > TOMBSTONE_TTL_NANOS);
    }

    int tombstones() {
        return deleted.size();
    }

    private void unlink(UserRow row) {
        byUserName.remove(fold(row.userName()), row.id());
        for (String email : emails(row)) {
            removeFrom(byEmail, email, row.id());
        }
        if (row.externalId() != null) {
            removeFrom(byExternalId, row.externalId(), row.id());
        }
    }

    private static void removeFrom(Map<String, Set<UUID>> map, String key, UUID id) {
        Set<UUID> ids = map.get(key);
        if (ids != null) {
            ids.remove(id);
            if (ids.isEmpty()) {
                map.remove(key, ids);
            }
        }
    }

    private static Set<String> emails(UserRow row) {
        var emails = row.attributes().get("emails");
        if (emails == null || !emails.isArray()) {
            return Set.of();
        }
        Set<String> out = new HashSet<>();
        for (var e : emails) {
            if (e.hasNonNull("value")) {
                out.add(fold(e.get("value").asText()));
            }
        }
        return out;
    }

    static String fold(String s) {
        return CaseFold.lower(s);
    }
}
