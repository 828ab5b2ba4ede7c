package io.hanzo.kms.scim.index;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * Combining candidate id sets of index lookups, where null means "cannot narrow, scan everything".
 */
final class CandidateSets {
    private CandidateSets() {
    }

    /** For {@code and}: either side narrows the result. */
    static Set<UUID> and(Set<UUID> left, Set<UUID> right) {
        if (left == null || right == null) {
            return left == null ? right : left;
        }
        Set<UUID> out = new HashSet<>(left);
        out.retainAll(right);
        return out;
    }

    /** For {@code or}: only when both sides narrow. */
    static Set<UUID> or(Set<UUID> left, Set<UUID> right) {
        if (left == null || right == null) {
            return null;
        }
        Set<UUID> out = new HashSet<>(left);
        out.addAll(right);
        return out;
    }
}
