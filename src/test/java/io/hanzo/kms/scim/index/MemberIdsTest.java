package io.hanzo.kms.scim.index;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.store.GroupRow;
import io.hanzo.kms.scim.store.Ids;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** The compact member sets: order, adds and removes across chunk splits, readers during writes. */
class MemberIdsTest {
    private static final JsonMapper JSON = new JsonMapper();
    private static final UUID ORG = UUID.randomUUID();

    @Test
    void addsAndRemovesInAnyOrderKeepIdOrderAcrossManyChunks() {
        Random random = new Random(12);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            // Random (v4-like) ids as well as v7 ones: the order is UUID order whatever the kind.
            ids.add(i % 2 == 0 ? Ids.newId() : new UUID(random.nextLong(), random.nextLong()));
        }
        Collections.shuffle(ids, random);
        TreeSet<UUID> expected = new TreeSet<>();
        MemberIds set = MemberIds.EMPTY;
        for (UUID id : ids) {
            set = set.with(id);
            expected.add(id);
        }
        assertThat(set.with(ids.get(17))).isSameAs(set);
        assertThat(set).hasSize(5_000).containsExactlyElementsOf(expected);
        for (int i = 0; i < ids.size(); i += 3) {
            set = set.without(ids.get(i));
            expected.remove(ids.get(i));
        }
        assertThat(set.without(UUID.randomUUID())).isSameAs(set);
        assertThat(set).hasSize(expected.size()).containsExactlyElementsOf(expected);
        for (UUID id : ids) {
            assertThat(set.contains(id)).isEqualTo(expected.contains(id));
        }
        for (UUID id : ids) {
            set = set.without(id);
        }
        assertThat(set).isEmpty();
        assertThat(set.contains(ids.get(0))).isFalse();
    }

    @Test
    void aSortedLoadEqualsOneAddAtATime() {
        UUID[] sorted = new UUID[1_000];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = Ids.newId();
        }
        MemberIds loaded = MemberIds.ofSorted(sorted, sorted.length);
        MemberIds added = MemberIds.EMPTY;
        for (int i = sorted.length - 1; i >= 0; i--) {
            added = added.with(sorted[i]);
        }
        assertThat(loaded).containsExactly(sorted).isEqualTo(added);
        UUID later = Ids.newId();
        MemberIds more = loaded.with(later);
        assertThat(more).hasSize(1_001).endsWith(sorted[999], later);
        // A write makes a new set; the one readers hold is unchanged.
        assertThat(loaded).hasSize(1_000).doesNotContain(later);
    }

    @Test
    void readersIterateAWholeOrderedSetWhileTheGroupChanges() throws Exception {
        GroupIndex index = new GroupIndex();
        UUID gid = Ids.newId();
        ObjectNode a = JSON.createObjectNode().put("displayName", "G");
        Instant now = Instant.now();
        index.putGroup(new IndexedGroup(new GroupRow(ORG, gid, a, 1, now, now), a));
        List<UUID> stable = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            stable.add(Ids.newId());
        }
        index.addMembers(gid, stable.toArray(new UUID[0]));
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> problem = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (!done.get() && problem.get() == null) {
                Set<UUID> members = index.members(gid);
                UUID previous = null;
                int seen = 0;
                int stableSeen = 0;
                for (UUID u : members) {
                    if (previous != null && previous.compareTo(u) >= 0) {
                        problem.set("out of order: " + previous + " then " + u);
                    }
                    previous = u;
                    seen++;
                }
                for (UUID u : stable) {
                    if (index.isMember(gid, u)) {
                        stableSeen++;
                    }
                }
                if (seen != members.size()) {
                    problem.set("iterated " + seen + " of " + members.size());
                }
                if (stableSeen != stable.size()) {
                    problem.set("a member that never left was missing");
                }
            }
        });
        reader.start();
        Random random = new Random(5);
        List<UUID> churn = new ArrayList<>();
        for (int round = 0; round < 20_000; round++) {
            if (churn.isEmpty() || random.nextBoolean()) {
                UUID u = new UUID(random.nextLong(), random.nextLong());
                churn.add(u);
                index.addMembership(gid, u);
            } else {
                UUID u = churn.remove(random.nextInt(churn.size()));
                index.removeUser(u);
            }
        }
        done.set(true);
        reader.join();
        assertThat(problem.get()).isNull();
        TreeSet<UUID> expected = new TreeSet<>(stable);
        expected.addAll(churn);
        assertThat(index.members(gid)).containsExactlyElementsOf(expected);
        assertThat(index.membershipCount()).isEqualTo(expected.size());
        for (UUID u : churn) {
            assertThat(index.groupsOf(u)).containsExactly(gid);
        }
    }

    @Test
    void aUsersGroupsComeInIdOrderAndGoWithTheirGroup() {
        GroupIndex index = new GroupIndex();
        UUID user = Ids.newId();
        List<UUID> groups = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            groups.add(Ids.newId());
        }
        List<UUID> shuffled = new ArrayList<>(groups);
        Collections.shuffle(shuffled, new Random(3));
        Instant now = Instant.now();
        for (UUID g : shuffled) {
            ObjectNode a = JSON.createObjectNode().put("displayName", "G" + g);
            index.putGroup(new IndexedGroup(new GroupRow(ORG, g, a, 1, now, now), a));
            index.addMembers(g, new UUID[] {user, user});
        }
        assertThat(index.groupsOf(user)).containsExactlyElementsOf(groups);
        assertThat(index.groupsOf(user).contains(groups.get(3))).isTrue();
        index.deleteGroup(groups.get(3));
        assertThat(index.groupsOf(user)).hasSize(11).doesNotContain(groups.get(3));
        for (UUID g : groups) {
            index.deleteGroup(g);
        }
        assertThat(index.groupsOf(user)).isEmpty();
        assertThat(index.membershipCount()).isZero();
    }

    @Test
    void loadingUserByUserEqualsAddingGroupsOneByOne() {
        Random random = new Random(9);
        List<UUID> users = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            // Time-ordered ids, ids whose first byte has its high bit set (PostgreSQL sorts them last,
            // UUID.compareTo first), and pairs that differ only in the sign of their last eight bytes.
            UUID id = switch (i % 4) {
                case 0 -> Ids.newId();
                case 1 -> new UUID(random.nextLong() | Long.MIN_VALUE, random.nextLong());
                case 2 -> new UUID(random.nextLong() & Long.MAX_VALUE, random.nextLong());
                default -> new UUID(users.get(i - 1).getMostSignificantBits(), ~users.get(i - 1).getLeastSignificantBits());
            };
            users.add(id);
        }
        Map<UUID, List<UUID>> groupsOfUser = new HashMap<>();
        List<UUID> groupIds = new ArrayList<>();
        GroupIndex oneByOne = new GroupIndex();
        for (int g = 0; g < 40; g++) {
            UUID gid = new UUID(random.nextLong(), random.nextLong());
            groupIds.add(gid);
            Set<UUID> members = new TreeSet<>();
            for (int k = 0; k < 60; k++) {
                members.add(users.get(random.nextInt(users.size())));
            }
            for (UUID u : members) {
                groupsOfUser.computeIfAbsent(u, x -> new ArrayList<>()).add(gid);
            }
            oneByOne.addMembers(gid, members.toArray(new UUID[0]));
        }
        GroupIndex loaded = new GroupIndex();
        MembershipLoad load = loaded.membershipLoad();
        List<UUID> byDatabaseOrder = new ArrayList<>(groupsOfUser.keySet());
        byDatabaseOrder.sort(MemberIdsTest::unsigned);
        for (UUID u : byDatabaseOrder) {
            List<UUID> groups = new ArrayList<>(groupsOfUser.get(u));
            Collections.shuffle(groups, random);
            load.add(u, bytes(groups.toArray(new UUID[0])));
        }
        load.finish();
        assertThat(loaded.membershipCount()).isEqualTo(oneByOne.membershipCount());
        for (UUID gid : groupIds) {
            assertThat(loaded.members(gid)).containsExactlyElementsOf(oneByOne.members(gid));
            assertThat(new ArrayList<>(loaded.members(gid))).isSortedAccordingTo(UUID::compareTo);
            for (UUID u : users) {
                assertThat(loaded.isMember(gid, u)).isEqualTo(oneByOne.isMember(gid, u));
            }
        }
        for (UUID u : users) {
            assertThat(loaded.groupsOf(u)).containsExactlyElementsOf(oneByOne.groupsOf(u));
            assertThat(new ArrayList<>(loaded.groupsOf(u))).isSortedAccordingTo(UUID::compareTo);
        }
        // Into an index that has memberships already, the groups are added to what it holds.
        UUID extra = Ids.newId();
        MembershipLoad more = loaded.membershipLoad();
        more.add(users.get(0), bytes(extra));
        more.finish();
        assertThat(loaded.groupsOf(users.get(0))).contains(extra);
        assertThat(loaded.members(extra)).containsExactly(users.get(0));
    }

    @Test
    void idOrderFromTheDatabasesOrder() {
        UUID low = new UUID(1, 5);
        UUID high = new UUID(Long.MIN_VALUE | 7, 1);
        UUID lowNegativeTail = new UUID(1, -3);
        UUID[] ids = {low, lowNegativeTail, high};
        MemberIds.toIdOrder(ids, 0, ids.length);
        assertThat(ids).containsExactly(high, lowNegativeTail, low);
        UUID[] shuffled = {low, high, new UUID(3, 0), new UUID(-5, 0), new UUID(2, 0)};
        MemberIds.toIdOrder(shuffled, 1, 5);
        assertThat(shuffled).containsExactly(low, high, new UUID(-5, 0), new UUID(2, 0), new UUID(3, 0));
    }

    /** Ids as PostgreSQL sends uuids: sixteen bytes each, big-endian. */
    private static byte[] bytes(UUID... ids) {
        ByteBuffer out = ByteBuffer.allocate(16 * ids.length);
        for (UUID id : ids) {
            out.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
        }
        return out.array();
    }

    /** PostgreSQL's uuid order: the sixteen bytes compared unsigned. */
    private static int unsigned(UUID a, UUID b) {
        int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return c != 0 ? c : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

    @Test
    void memberSetsShareTheUserIndexsIdInstances() {
        UserIndex users = new UserIndex();
        GroupIndex index = new GroupIndex(users);
        UUID id = Ids.newId();
        users.put(UserDocumentsTest.user(id, 1, "a@example.com"));
        UUID sameValue = new UUID(id.getMostSignificantBits(), id.getLeastSignificantBits());
        UUID gid = Ids.newId();
        index.addMembers(gid, new UUID[] {sameValue});
        assertThat(index.members(gid).iterator().next()).isSameAs(users.get(id).id());
        GroupIndex loaded = new GroupIndex(users);
        MembershipLoad load = loaded.membershipLoad();
        load.add(new UUID(id.getMostSignificantBits(), id.getLeastSignificantBits()), bytes(gid));
        load.finish();
        assertThat(loaded.members(gid).iterator().next()).isSameAs(users.get(id).id());
    }
}
