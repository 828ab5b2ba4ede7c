package io.hanzo.kms.scim.index;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.store.GroupRow;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Group writes reach an index in another order than they committed (from this instance's writers and
 * from the change feed of all instances); the index applies each group's writes in version order.
 */
class GroupIndexOrderTest {
    private static final JsonMapper JSON = new JsonMapper();
    private static final UUID ORG = UUID.randomUUID();
    private final UUID gid = UUID.randomUUID();
    private final UUID u1 = UUID.randomUUID();
    private final UUID u2 = UUID.randomUUID();
    private final UUID u3 = UUID.randomUUID();

    @Test
    void aWriteThatArrivesBeforeItsPredecessorWaitsForIt() {
        GroupIndex index = new GroupIndex();
        assertThat(index.offer(group(1, "G"), Set.of(u1), Set.of(), u -> true)).isEqualTo(GroupIndex.Outcome.APPLIED);
        assertThat(index.offer(group(3, "G3"), Set.of(u3), Set.of(), u -> true)).isEqualTo(GroupIndex.Outcome.WAITING);
        assertThat(index.members(gid)).containsExactly(u1);
        assertThat(index.versionOf(gid)).isEqualTo(1);

        // Version 2 removed u1 and added u2; version 3 (waiting) follows it at once.
        assertThat(index.offer(group(2, "G2"), Set.of(u2), Set.of(u1), u -> true)).isEqualTo(GroupIndex.Outcome.APPLIED);
        assertThat(index.versionOf(gid)).isEqualTo(3);
        assertThat(index.members(gid)).containsExactlyInAnyOrderElementsOf(List.of(u2, u3));
        assertThat(index.get(gid).row().displayName()).isEqualTo("G3");
        assertThat(index.idByDisplayName("g3")).isEqualTo(gid);
        assertThat(index.idByDisplayName("g2")).isNull();
        assertThat(index.groupsOf(u1)).isEmpty();
        assertThat(index.stalled(0)).isEmpty();

        // The same write again (this instance's own, then from the feed) changes nothing.
        assertThat(index.offer(group(2, "G2"), Set.of(u2), Set.of(u1), u -> true)).isEqualTo(GroupIndex.Outcome.STALE);
        assertThat(index.offer(group(3, "G3"), Set.of(u3), Set.of(), u -> true)).isEqualTo(GroupIndex.Outcome.STALE);
        assertThat(index.members(gid)).containsExactlyInAnyOrderElementsOf(List.of(u2, u3));
    }

    @Test
    void aGroupCreatedElsewhereWaitsForItsFirstVersion() {
        GroupIndex index = new GroupIndex();
        assertThat(index.offer(group(2, "Later"), Set.of(u2), Set.of(), u -> true)).isEqualTo(GroupIndex.Outcome.WAITING);
        assertThat(index.get(gid)).isNull();
        assertThat(index.stalled(0)).containsExactly(gid);
        assertThat(index.offer(group(1, "First"), Set.of(u1), Set.of(), u -> true)).isEqualTo(GroupIndex.Outcome.APPLIED);
        assertThat(index.versionOf(gid)).isEqualTo(2);
        assertThat(index.members(gid)).containsExactlyInAnyOrderElementsOf(List.of(u1, u2));
    }

    @Test
    void aSnapshotFromTheDatabaseReplacesTheMembersAndReleasesTheWritesAfterIt() {
        GroupIndex index = new GroupIndex();
        index.offer(group(1, "G"), Set.of(u1), Set.of(), u -> true);
        index.offer(group(3, "G"), Set.of(), Set.of(u2), u -> true);
        index.offer(group(5, "G"), Set.of(u1), Set.of(), u -> true);
        // The database at version 4: u2 and u3 (version 3 is older than the snapshot and is dropped).
        index.reset(group(4, "G"), List.of(u2, u3), u -> true);
        assertThat(index.versionOf(gid)).isEqualTo(5);
        assertThat(index.members(gid)).containsExactlyInAnyOrderElementsOf(List.of(u1, u2, u3));
        assertThat(index.groupsOf(u3)).containsExactly(gid);
        assertThat(index.stalled(0)).isEmpty();
        // An older snapshot than the index holds is ignored.
        index.reset(group(2, "Old"), List.of(), u -> true);
        assertThat(index.members(gid)).hasSize(3);
        assertThat(index.get(gid).row().displayName()).isEqualTo("G");
    }

    @Test
    void aDeletedGroupTakesNoLateWritesAndDeletedUsersAreNotAdded() {
        GroupIndex index = new GroupIndex();
        index.offer(group(1, "G"), Set.of(u1, u2), Set.of(), u -> !u.equals(u2));
        assertThat(index.members(gid)).containsExactly(u1);
        index.offer(group(3, "G"), Set.of(u3), Set.of(), u -> true);
        index.deleteGroup(gid);
        assertThat(index.offer(group(2, "G"), Set.of(u3), Set.of(), u -> true)).isEqualTo(GroupIndex.Outcome.STALE);
        assertThat(index.get(gid)).isNull();
        assertThat(index.idByDisplayName("G")).isNull();
        assertThat(index.groupsOf(u1)).isEmpty();
        assertThat(index.stalled(0)).isEmpty();
        index.reset(group(4, "G"), List.of(u1), u -> true);
        assertThat(index.get(gid)).isNull();

        // A reload keeps what the previous index knew of deletions.
        GroupIndex reloaded = new GroupIndex();
        reloaded.inheritDeletions(index);
        assertThat(reloaded.offer(group(1, "G"), Set.of(u1), Set.of(), u -> true)).isEqualTo(GroupIndex.Outcome.STALE);
    }

    /**
     * A reader of a group never sees the row of one version with the members of another, while
     * writes swap thousands of members at a time: the ETag it answers names what it shows.
     */
    @Test
    void aReaderSeesEachVersionWithItsOwnMembers() throws Exception {
        GroupIndex index = new GroupIndex();
        Set<UUID> odd = new HashSet<>();
        Set<UUID> even = new HashSet<>();
        for (int i = 0; i < 3_000; i++) {
            odd.add(UUID.randomUUID());
            even.add(UUID.randomUUID());
        }
        index.offer(group(1, "G"), odd, Set.of(), u -> true);
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> torn = new AtomicReference<>();
        List<Thread> readers = new ArrayList<>();
        AtomicLong reads = new AtomicLong();
        for (int r = 0; r < 2; r++) {
            Thread t = new Thread(() -> {
                while (!done.get() && torn.get() == null) {
                    GroupIndex.View v = index.view(gid);
                    long version = v.group().row().version();
                    Set<UUID> expected = version % 2 == 1 ? odd : even;
                    if (v.members().size() != expected.size() || !expected.containsAll(v.members())) {
                        torn.set("version " + version + " shown with " + v.members().size() + " members, not its own");
                    }
                    reads.incrementAndGet();
                }
            });
            readers.add(t);
            t.start();
        }
        // The writes begin once a reader reads, and wait midway for a read begun after they began, so
        // that reads overlap them however the threads are scheduled.
        awaitReadsPast(reads, 0, torn);
        long beforeWrites = reads.get();
        for (long version = 2; version <= 60 && torn.get() == null; version++) {
            if (version == 30) {
                // Each reader may have had one read under way: past those, a read begun since.
                awaitReadsPast(reads, beforeWrites + 2, torn);
            }
            boolean toEven = version % 2 == 0;
            index.offer(group(version, "G"), toEven ? even : odd, toEven ? odd : even, u -> true);
        }
        done.set(true);
        for (Thread t : readers) {
            t.join();
        }
        assertThat(torn.get()).isNull();
        assertThat(index.members(gid)).containsExactlyInAnyOrderElementsOf(even);
    }

    /** Waits until the readers have counted more than {@code count} reads, or one saw a torn view. */
    private static void awaitReadsPast(AtomicLong reads, long count, AtomicReference<String> torn) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (reads.get() <= count && torn.get() == null) {
            assertThat(System.nanoTime() - deadline).as("the readers read within 10 s").isNegative();
            Thread.sleep(1);
        }
    }

    private IndexedGroup group(long version, String name) {
        ObjectNode a = JSON.createObjectNode();
        a.put("displayName", name);
        Instant now = Instant.now();
        return new IndexedGroup(new GroupRow(ORG, gid, a, version, now, now), a);
    }
}
