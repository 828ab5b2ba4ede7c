package io.hanzo.kms.scim.index;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.UUID;

/**
 * The groups a user is directly in, kept as one array: the user's id first (the one instance every
 * member set of the organisation refers to), then the group ids in id order. Never changed: a change
 * makes a new array. Users are in a handful of groups, so the copy is small.
 */
final class UserGroups {
    private UserGroups() {
    }

    static UUID[] of(UUID user, UUID group) {
        return new UUID[] {user, group};
    }

    static UUID user(UUID[] entry) {
        return entry[0];
    }

    static int count(UUID[] entry) {
        return entry.length - 1;
    }

    static UUID group(UUID[] entry, int i) {
        return entry[i + 1];
    }

    /** The entry with the group added, or the same entry when it is there already. */
    static UUID[] with(UUID[] entry, UUID group) {
        int at = Arrays.binarySearch(entry, 1, entry.length, group);
        if (at >= 0) {
            return entry;
        }
        at = -at - 1;
        UUID[] next = new UUID[entry.length + 1];
        System.arraycopy(entry, 0, next, 0, at);
        next[at] = group;
        System.arraycopy(entry, at, next, at + 1, entry.length - at);
        return next;
    }

    /** The entry without the group (the same entry when it is not there); null when no group is left. */
    static UUID[] without(UUID[] entry, UUID group) {
        int at = Arrays.binarySearch(entry, 1, entry.length, group);
        if (at < 0) {
            return entry;
        }
        if (entry.length == 2) {
            return null;
        }
        UUID[] next = new UUID[entry.length - 1];
        System.arraycopy(entry, 0, next, 0, at);
        System.arraycopy(entry, at + 1, next, at, entry.length - at - 1);
        return next;
    }

    /** The groups of an entry as a set that iterates in id order. */
    static Set<UUID> groups(UUID[] entry) {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return entry.length - 1;
            }

            @Override
            public boolean contains(Object o) {
                return o instanceof UUID id && Arrays.binarySearch(entry, 1, entry.length, id) >= 0;
            }

            @Override
            public Iterator<UUID> iterator() {
                return new Iterator<>() {
                    private int at = 1;

                    @Override
                    public boolean hasNext() {
                        return at < entry.length;
                    }

                    @Override
                    public UUID next() {
                        if (at >= entry.length) {
                            throw new NoSuchElementException();
                        }
                        return entry[at++];
                    }
                };
            }
        };
    }
}
