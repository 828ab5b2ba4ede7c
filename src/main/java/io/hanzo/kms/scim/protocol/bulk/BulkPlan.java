package io.hanzo.kms.scim.protocol.bulk;

import io.hanzo.kms.scim.protocol.ScimException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The order to run a bulk request in: every operation after the creations whose bulkIds it refers
 * to, otherwise in request order, so forward references work. Operations caught in a cycle of
 * references, or referring to a bulkId no creation in the request declares, cannot run and get
 * their own error (RFC 7644 §3.7.1 and §3.7.2).
 *
 * @param order    operation indexes in the order to run them
 * @param refusals operation index to the error it gets without running
 * @param creators bulkId to the index of the operation that creates it
 * @param references by operation index, the bulkIds it refers to ({@link BulkIds#references}), found
 *                   once here: an operation's data can be large (a PATCH of hundreds of members), and
 *                   running the request asks again; empty for an operation refused as invalid
 */
public record BulkPlan(List<Integer> order, Map<Integer, ScimException> refusals, Map<String, Integer> creators,
                       List<Set<String>> references) {

    /** The bulkIds the operation refers to. */
    public Set<String> references(BulkOperation op) {
        return references.get(op.index());
    }

    public static BulkPlan of(List<BulkOperation> ops) {
        Map<Integer, ScimException> refusals = new HashMap<>();
        Map<String, Integer> creators = new HashMap<>();
        for (BulkOperation op : ops) {
            if (op.invalid() != null) {
                refusals.put(op.index(), op.invalid());
            } else if (op.isCreate()) {
                if (creators.putIfAbsent(op.bulkId(), op.index()) != null) {
                    refusals.put(op.index(), ScimException.invalidValue("bulkId '" + op.bulkId()
                            + "' is used by more than one operation."));
                }
            }
        }
        int n = ops.size();
        List<List<Integer>> dependents = new ArrayList<>(n);
        int[] waitingOn = new int[n];
        List<Set<String>> references = new ArrayList<>(Collections.nCopies(n, Set.of()));
        for (int i = 0; i < n; i++) {
            dependents.add(new ArrayList<>());
        }
        for (BulkOperation op : ops) {
            if (op.invalid() == null) {
                references.set(op.index(), BulkIds.references(op));
            }
            if (refusals.containsKey(op.index())) {
                continue;
            }
            Set<String> refs = references.get(op.index());
            for (String ref : refs) {
                Integer creator = creators.get(ref);
                if (creator == null) {
                    refusals.put(op.index(), ScimException.invalidValue("bulkId '" + ref
                            + "' is not created by any operation of this request."));
                    break;
                }
                if (creator == op.index()) {
                    refusals.put(op.index(), new ScimException(409, null,
                            "Operation " + op.bulkId() + " refers to itself through bulkId '" + ref + "'."));
                    break;
                }
                dependents.get(creator).add(op.index());
                waitingOn[op.index()]++;
            }
        }
        // Kahn's algorithm, always taking the earliest ready operation so request order is kept.
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < n; i++) {
            if (waitingOn[i] == 0) {
                ready.add(i);
            }
        }
        List<Integer> order = new ArrayList<>(n);
        boolean[] placed = new boolean[n];
        while (!ready.isEmpty()) {
            int i = ready.poll();
            order.add(i);
            placed[i] = true;
            for (int d : dependents.get(i)) {
                if (--waitingOn[d] == 0) {
                    ready.add(d);
                }
            }
        }
        Deque<Integer> cyclic = new ArrayDeque<>();
        for (int i = 0; i < n; i++) {
            if (!placed[i]) {
                cyclic.add(i);
            }
        }
        for (int i : cyclic) {
            refusals.putIfAbsent(i, new ScimException(409, null,
                    "Circular bulkId references: this operation and the ones it refers to depend on each other."));
            order.add(i);
        }
        return new BulkPlan(order, refusals, creators, references);
    }
}
