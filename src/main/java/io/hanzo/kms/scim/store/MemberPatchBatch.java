package io.hanzo.kms.scim.store;

import io.hanzo.kms.scim.protocol.group.MemberOp;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Membership PATCHes of one group composed, in arrival order, into one set change. Applying the
 * operations one after another leaves each named id in the state its last operation asked for, so
 * the net change is: ids whose last operation is an add are added (when they are users), the others
 * named are removed. An add then a remove of one id in the batch nets out to a remove, a remove then
 * an add to an add, exactly as if the requests had been written one by one.
 */
public final class MemberPatchBatch {
    private final List<MemberPatch> patches;
    /** Every id some request adds: each is checked against the users, so each request's skipped ids are known. */
    private final Set<UUID> addedAnywhere = new LinkedHashSet<>();
    private final Map<UUID, Boolean> lastIsAdd = new LinkedHashMap<>();
    /** Per request: ids it adds that cannot be user ids, and the ones that can (in its order). */
    private final List<List<String>> unparseable = new ArrayList<>();
    private final List<List<UUID>> adds = new ArrayList<>();

    public MemberPatchBatch(List<MemberPatch> patches) {
        this.patches = List.copyOf(patches);
        for (MemberPatch p : this.patches) {
            List<String> bad = new ArrayList<>();
            Set<UUID> added = new LinkedHashSet<>();
            for (MemberOp op : p.ops()) {
                boolean add = op.kind() == MemberOp.Kind.ADD;
                for (String s : op.ids()) {
                    UUID u = Ids.parseOrNull(s);
                    if (u == null) {
                        if (add) {
                            bad.add(s);
                        }
                        continue;
                    }
                    if (add) {
                        added.add(u);
                        addedAnywhere.add(u);
                    }
                    lastIsAdd.remove(u);
                    lastIsAdd.put(u, add);
                }
            }
            unparseable.add(bad);
            adds.add(new ArrayList<>(added));
        }
    }

    public List<MemberPatch> patches() {
        return patches;
    }

    public int size() {
        return patches.size();
    }

    /** Ids to check against the users of the organisation. */
    public UUID[] toCheck() {
        return addedAnywhere.toArray(new UUID[0]);
    }

    /** Ids the batch leaves as members (if they are users). */
    public UUID[] netAdded() {
        return filter(true);
    }

    /** Ids the batch leaves as non-members. */
    public UUID[] netRemoved() {
        return filter(false);
    }

    /** The ids request {@code i} added that name no user, given the ids found to be users. */
    public List<String> skipped(int i, Collection<UUID> users) {
        List<String> out = new ArrayList<>(unparseable.get(i));
        for (UUID u : adds.get(i)) {
            if (!users.contains(u)) {
                out.add(u.toString());
            }
        }
        return out;
    }

    /** The ids request {@code i} adds that cannot be user ids, in its order: skipped whatever the users are. */
    public List<String> unparseable(int i) {
        return unparseable.get(i);
    }

    /** The ids request {@code i} adds that can be user ids, each once, in its order. */
    public List<UUID> adds(int i) {
        return adds.get(i);
    }

    private UUID[] filter(boolean add) {
        List<UUID> out = new ArrayList<>();
        lastIsAdd.forEach((u, isAdd) -> {
            if (isAdd == add) {
                out.add(u);
            }
        });
        return out.toArray(new UUID[0]);
    }
}
