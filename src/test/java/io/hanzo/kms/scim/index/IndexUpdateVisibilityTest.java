package io.hanzo.kms.scim.index;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.resource.ResourceRenderer;
import io.hanzo.kms.scim.protocol.schema.UserSchemas;
import io.hanzo.kms.scim.store.GroupRow;
import io.hanzo.kms.scim.store.GroupWrite;
import io.hanzo.kms.scim.store.UserRow;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An index update must never leave a moment in which a lookup by a key the resource has both before
 * and after the update finds nothing: an IdP that misses a user or group on lookup creates a duplicate.
 */
class IndexUpdateVisibilityTest {
    private static final JsonMapper JSON = new JsonMapper();
    private static final UUID ORG = UUID.randomUUID();
    private static final int UPDATES = 200_000;
    private static final ResourceRenderer RENDERER = new ResourceRenderer(UserSchemas.USER, "https://kms.example.com/Users");
    private static final DocumentCodec CODEC = UserDocuments.codec(RENDERER);

    @Test
    void userLookupsFindTheUserThroughoutItsUpdates() throws Exception {
        UserIndex index = new UserIndex();
        UUID id = UUID.randomUUID();
        index.put(user(id, 1, "Jane@Acme.com", "jane@acme.com", "ext-1"));
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger misses = new AtomicInteger();
        AtomicInteger lookups = new AtomicInteger();
        Thread reader = new Thread(() -> {
            while (!done.get()) {
                if (!id.equals(index.idByUserName("jane@acme.com"))) {
                    misses.incrementAndGet();
                }
                if (!index.idsByEmail("JANE@acme.com").contains(id)) {
                    misses.incrementAndGet();
                }
                if (!index.idsByExternalId("ext-1").contains(id)) {
                    misses.incrementAndGet();
                }
                lookups.addAndGet(3);
            }
        });
        reader.start();
        awaitLookupsPast(lookups, 0);
        int beforeWrites = lookups.get();
        for (int v = 2; v < UPDATES; v++) {
            if (v == UPDATES / 2) {
                // A round of three lookups begun after the writes began.
                awaitLookupsPast(lookups, beforeWrites + 3);
            }
            // The letter case of the name changes on every write; the second email comes and goes.
            String name = v % 2 == 0 ? "jane@acme.com" : "JANE@ACME.COM";
            index.put(user(id, v, name, "jane@acme.com", "ext-1", v % 3 == 0 ? "j" + v + "@acme.com" : null));
        }
        done.set(true);
        reader.join();
        assertThat(misses.get()).as("lookups that found nobody in %d", lookups.get()).isZero();
        // Keys that no longer apply are gone once the updates are over.
        assertThat(index.idsByEmail("j" + (UPDATES - 2) + "@acme.com")).isEmpty();
        assertThat(index.idsByEmail("jane@acme.com")).containsExactly(id);
    }

    @Test
    void renamedUserLeavesItsOldKeys() {
        UserIndex index = new UserIndex();
        UUID id = UUID.randomUUID();
        index.put(user(id, 1, "old@acme.com", "old@acme.com", "ext-old"));
        index.put(user(id, 2, "new@acme.com", "new@acme.com", "ext-new"));
        assertThat(index.idByUserName("old@acme.com")).isNull();
        assertThat(index.idsByEmail("old@acme.com")).isEmpty();
        assertThat(index.idsByExternalId("ext-old")).isEmpty();
        assertThat(index.idByUserName("NEW@acme.com")).isEqualTo(id);
        assertThat(index.idsByExternalId("ext-new")).containsExactly(id);
        // An older version arriving late changes nothing.
        index.put(user(id, 1, "old@acme.com", "old@acme.com", "ext-old"));
        assertThat(index.idByUserName("old@acme.com")).isNull();
        assertThat(index.get(id).row().version()).isEqualTo(2);
    }

    @Test
    void groupNameLookupsFindTheGroupWhileItsMembersChange() throws Exception {
        GroupIndex index = new GroupIndex();
        UUID gid = UUID.randomUUID();
        index.putGroup(group(gid, 1, "Engineering"));
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger misses = new AtomicInteger();
        AtomicInteger lookups = new AtomicInteger();
        Thread reader = new Thread(() -> {
            while (!done.get()) {
                if (!gid.equals(index.idByDisplayName("engineering"))) {
                    misses.incrementAndGet();
                }
                lookups.incrementAndGet();
            }
        });
        reader.start();
        awaitLookupsPast(lookups, 0);
        int beforeWrites = lookups.get();
        for (int v = 2; v < UPDATES; v++) {
            if (v == UPDATES / 2) {
                // A lookup begun after the writes began.
                awaitLookupsPast(lookups, beforeWrites + 1);
            }
            UUID member = UUID.randomUUID();
            IndexedGroup g = group(gid, v, v % 2 == 0 ? "Engineering" : "ENGINEERING");
            index.apply(g, new GroupWrite(g.row(), Set.of(member), Set.of(), List.of(), true), u -> true);
        }
        done.set(true);
        reader.join();
        assertThat(misses.get()).as("name lookups that found nobody in %d", lookups.get()).isZero();
    }

    /**
     * Holds the writes until the reader has counted more than {@code count} lookups: once before they
     * begin, and again midway, so that its lookups overlap them however the threads are scheduled.
     */
    private static void awaitLookupsPast(AtomicInteger lookups, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (lookups.get() <= count) {
            assertThat(System.nanoTime() - deadline).as("the reader looked up within 10 s").isNegative();
            Thread.sleep(1);
        }
    }

    @Test
    void tombstonesExpire() {
        UserIndex index = new UserIndex();
        UUID id = UUID.randomUUID();
        index.put(user(id, 1, "gone@acme.com", "gone@acme.com", null));
        index.remove(id);
        assertThat(index.isDeleted(id)).isTrue();
        // A write that committed before the delete and arrives after it stays out.
        index.put(user(id, 2, "gone@acme.com", "gone@acme.com", null));
        assertThat(index.get(id)).isNull();
        index.expireTombstones(System.nanoTime() + UserIndex.TOMBSTONE_TTL_NANOS + 1);
        assertThat(index.tombstones()).isZero();
        assertThat(index.isDeleted(id)).isFalse();
    }

    /**
     * An organisation that deletes a few users and groups, then nothing for good: the periodic sweep
     * keeps their tombstones through the TTL and drops them on its first run after it.
     */
    @Test
    void aQuietOrganisationsTombstonesGoAfterTheirTtl() {
        DirectoryIndex directory = new DirectoryIndex();
        UserIndex users = directory.users(ORG);
        GroupIndex groups = directory.groups(ORG);
        long before = System.nanoTime();
        UUID lastUser = null;
        UUID lastGroup = null;
        for (int i = 0; i < 1000; i++) {
            lastUser = UUID.randomUUID();
            users.put(user(lastUser, 1, "gone" + i + "@acme.com", "gone" + i + "@acme.com", null));
            users.remove(lastUser);
        }
        for (int i = 0; i < 10; i++) {
            lastGroup = UUID.randomUUID();
            groups.putGroup(group(lastGroup, 1, "Gone " + i));
            groups.deleteGroup(lastGroup);
        }
        long after = System.nanoTime();

        directory.expireTombstones(before + UserIndex.TOMBSTONE_TTL_NANOS);
        assertThat(users.tombstones()).isEqualTo(1000);
        assertThat(groups.tombstones()).isEqualTo(10);
        users.put(user(lastUser, 2, "late@acme.com", "late@acme.com", null));
        assertThat(users.get(lastUser)).as("a late write of a deleted user, within the TTL").isNull();
        assertThat(groups.holds(lastGroup, 2)).as("a late write of a deleted group is refused").isTrue();

        directory.expireTombstones(after + UserIndex.TOMBSTONE_TTL_NANOS + DirectoryIndex.TOMBSTONE_SWEEP.toNanos());
        assertThat(users.tombstones()).isZero();
        assertThat(groups.tombstones()).isZero();
    }

    private static IndexedUser user(UUID id, long version, String userName, String email, String externalId,
                                    String... moreEmails) {
        ObjectNode a = JSON.createObjectNode();
        a.put("userName", userName);
        if (externalId != null) {
            a.put("externalId", externalId);
        }
        var emails = a.putArray("emails");
        emails.addObject().put("value", email);
        for (String e : moreEmails) {
            if (e != null) {
                emails.addObject().put("value", e);
            }
        }
        Instant now = Instant.now();
        UserRow row = new UserRow(ORG, id, a, version, now, now);
        return IndexedUser.of(row, Json.bytes(RENDERER.render(a, row.meta())), CODEC);
    }

    private static IndexedGroup group(UUID id, long version, String name) {
        ObjectNode a = JSON.createObjectNode();
        a.put("displayName", name);
        Instant now = Instant.now();
        return new IndexedGroup(new GroupRow(ORG, id, a, version, now, now), a);
    }
}
