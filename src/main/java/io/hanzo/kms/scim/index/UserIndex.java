package io.hanzo.kms.scim.index;

import io.hanzo.kms.scim.protocol.CaseFold;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
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
    /**
     * The same users for reads by id: every lookup ends in one, and a hash probe costs a fraction of a
     * walk down the skip list (which a profile of the lookup storm put at 7 to 8% of its time), for
     * about 40 bytes per user.
     */
    private volatile Map<UUID, IndexedUser> points = new ConcurrentHashMap<>();
    // points and the three maps below are replaced only by expect(), with maps sized for the users,
    // while the index is empty.
    private volatile Map<String, UUID> byUserName = new ConcurrentHashMap<>();
    /** Values are one id or, for a key several users share, a UUID[] (replaced, never changed). */
    private volatile Map<String, Object> byEmail = new ConcurrentHashMap<>();
    private volatile Map<String, Object> byExternalId = new ConcurrentHashMap<>();
    /**
     * Ids of deleted users, with when they were deleted. Ids are never reused, so this keeps a write
     * that committed before a delete, but reaches the index after it, from bringing the user back.
     * Such a late write arrives within moments, so a tombstone expires after {@link #TOMBSTONE_TTL_NANOS}
     * and the periodic sweep ({@link DirectoryIndex#expireTombstones}) drops it however quiet the
     * organisation is: the set holds only the deletions of the last minutes. How long the change feed
     * keeps its rows does not matter: a write committed before the delete took its transaction id before
     * the delete took one (it created or locked the row first), and the feed is applied in transaction-id
     * order, so its row comes first however far behind this instance is; a start-up load is applied
     * before the catch-up from a position taken ahead of it.
     */
    private final Map<UUID, Long> deleted = new ConcurrentHashMap<>();
    static final long TOMBSTONE_TTL_NANOS = TimeUnit.MINUTES.toNanos(10);

    /**
     * Loading: sizes the lookup maps of an empty index for this many users at once, rather than
     * letting them double (each doubling rehashes every entry and leaves the old table to the
     * collector). Does nothing to an index that holds users already.
     */
    public synchronized void expect(int users) {
        if (!byId.isEmpty() || users <= 0) {
            return;
        }
        points = sized(users);
        byUserName = sized(users);
        byEmail = sized(users);
        byExternalId = sized(users);
    }

    /**
     * A map with the table it would have grown to for this many entries (the one-argument constructor
     * takes more room, up to twice as much).
     */
    static <K, V> Map<K, V> sized(int entries) {
        return new ConcurrentHashMap<>(entries, 0.75f);
    }

    public IndexedUser get(UUID id) {
        return points.get(id);
    }

    /** True for a user this index saw deleted. */
    public boolean isDeleted(UUID id) {
        return deleted.containsKey(id);
    }

    public UUID idByUserName(String userName) {
        return byUserName.get(fold(userName));
    }

    public Set<UUID> idsByEmail(String email) {
        return ids(byEmail.get(fold(email)));
    }

    public Set<UUID> idsByExternalId(String externalId) {
        return ids(byExternalId.get(externalId));
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
        putHeld(user);
    }

    /**
     * Loading: {@link #put} for each user of a batch under one lock, so that the threads loading
     * batches at once take it once per batch rather than contend for it once per user.
     */
    public synchronized void putAll(List<IndexedUser> batch) {
        for (IndexedUser user : batch) {
            putHeld(user);
        }
    }

    private void putHeld(IndexedUser user) {
        UUID id = user.id();
        if (deleted.containsKey(id)) {
            return;
        }
        // A new user goes in with one probe of the map; a held one is compared first.
        IndexedUser old = points.putIfAbsent(id, user);
        if (old != null) {
            if (old.version() >= user.version()) {
                return;
            }
            // One UUID and one String per key, shared by every map that names it and by each version.
            user.shareKeysWith(old);
            id = user.id();
            points.put(id, user);
        }
        byId.put(id, user);
        byUserName.put(user.userNameKey, id);
        for (String email : user.emailKeyList()) {
            link(byEmail, email, id);
        }
        if (user.externalId != null) {
            link(byExternalId, user.externalId, id);
        }
        if (old != null) {
            if (!old.userNameKey.equals(user.userNameKey)) {
                byUserName.remove(old.userNameKey, id);
            }
            for (String email : old.emailKeyList()) {
                if (!user.hasEmailKey(email)) {
                    unlink(byEmail, email, id);
                }
            }
            if (old.externalId != null && !old.externalId.equals(user.externalId)) {
                unlink(byExternalId, old.externalId, id);
            }
        }
    }

    /**
     * Removes a user the database deleted, leaving a tombstone that keeps late writes out. Call it only
     * for users that existed: a delete of an unknown id must leave nothing behind.
     */
    public synchronized void remove(UUID id) {
        deleted.put(id, System.nanoTime());
        IndexedUser old = byId.remove(id);
        points.remove(id);
        if (old != null) {
            byUserName.remove(old.userNameKey, old.id());
            for (String email : old.emailKeyList()) {
                unlink(byEmail, email, old.id());
            }
            if (old.externalId != null) {
                unlink(byExternalId, old.externalId, old.id());
            }
        }
    }

    /** Keeps what another index of the organisation knew of deleted users (a reload). */
    public synchronized void inheritDeletions(UserIndex previous) {
        deleted.putAll(previous.deleted);
    }

    /**
     * Drops tombstones older than the time any late write could take to arrive. Takes no lock, so
     * writers never wait for it: the map is concurrent, and an entry goes only while it still holds
     * the stamp found expired.
     */
    void expireTombstones(long nowNanos) {
        deleted.values().removeIf(at -> nowNanos - at > TOMBSTONE_TTL_NANOS);
    }

    int tombstones() {
        return deleted.size();
    }

    /** Adds an id to a key's holders; most keys have one holder, kept without a collection. */
    private static void link(Map<String, Object> map, String key, UUID id) {
        Object held = map.putIfAbsent(key, id);
        if (held == null) {
            return;
        }
        if (held instanceof UUID one) {
            if (!one.equals(id)) {
                map.put(key, new UUID[] {one, id});
            }
        } else {
            UUID[] many = (UUID[]) held;
            for (UUID u : many) {
                if (u.equals(id)) {
                    return;
                }
            }
            UUID[] more = Arrays.copyOf(many, many.length + 1);
            more[many.length] = id;
            map.put(key, more);
        }
    }

    private static void unlink(Map<String, Object> map, String key, UUID id) {
        Object held = map.get(key);
        if (held instanceof UUID one) {
            if (one.equals(id)) {
                map.remove(key);
            }
        } else if (held instanceof UUID[] many) {
            List<UUID> rest = new ArrayList<>(many.length);
            for (UUID u : many) {
                if (!u.equals(id)) {
                    rest.add(u);
                }
            }
            if (rest.size() != many.length) {
                map.put(key, rest.size() == 1 ? rest.get(0) : rest.toArray(new UUID[0]));
            }
        }
    }

    private static Set<UUID> ids(Object held) {
        if (held == null) {
            return Set.of();
        }
        return held instanceof UUID one ? Set.of(one) : Set.of((UUID[]) held);
    }

    static String fold(String s) {
        return CaseFold.lowerValue(s);
    }
}
