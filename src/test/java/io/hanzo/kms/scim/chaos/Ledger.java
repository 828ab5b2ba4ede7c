package io.hanzo.kms.scim.chaos;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one client was told about the users it owns. An acknowledged (2xx) change fixes the state;
 * a request without an answer (the server was killed under it, or answered 5xx) may or may not have
 * happened, so its state joins the allowed ones until the next acknowledged change. A client sends one
 * request at a time and owns its users and its group, so its changes to one user are ordered.
 */
final class Ledger {
    /** Whether the user exists. */
    enum Existence { YES, NO, CREATE_UNKNOWN, DELETE_UNKNOWN }

    /** The attributes the test changes, as one allowed combination. */
    record Snapshot(String title, String givenName) {
    }

    static final class TrackedUser {
        final String userName;
        String id;
        Existence existence;
        Set<Snapshot> allowed = new HashSet<>();
        Set<Boolean> memberAllowed = new HashSet<>(Set.of(false));

        TrackedUser(String userName) {
            this.userName = userName;
        }

        /** A change of the title (PATCH) acknowledged, or (known false) perhaps applied. */
        void title(String title, boolean known) {
            Set<Snapshot> next = new HashSet<>();
            allowed.forEach(s -> next.add(new Snapshot(title, s.givenName())));
            apply(next, known);
        }

        /** A replacement (PUT) acknowledged or perhaps applied. */
        void replaced(String title, String givenName, boolean known) {
            apply(Set.of(new Snapshot(title, givenName)), known);
        }

        private void apply(Set<Snapshot> next, boolean known) {
            if (known) {
                allowed = new HashSet<>(next);
            } else {
                allowed.addAll(next);
            }
        }

        void member(boolean in, boolean known) {
            if (known) {
                memberAllowed = new HashSet<>(Set.of(in));
            } else {
                memberAllowed.add(in);
            }
        }

        /** True while the client may still send this user changes with predictable outcomes. */
        boolean usable() {
            return existence == Existence.YES;
        }
    }

    final int client;
    final List<TrackedUser> users = new ArrayList<>();
    String groupId;
    long acknowledged;
    long unknown;
    long serverErrors;
    final List<String> anomalies = new ArrayList<>();

    Ledger(int client) {
        this.client = client;
    }
}
