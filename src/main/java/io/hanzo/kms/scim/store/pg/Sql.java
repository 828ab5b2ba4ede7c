package io.hanzo.kms.scim.store.pg;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Every SQL statement of the server. Each one names its organisation in the WHERE clause or the
 * inserted row, so that none spans organisations once tables are sharded by organisation id.
 */
final class Sql {
    static final String ORG_INSERT =
            "INSERT INTO organizations (id, name, plan, scim_enabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)";
    /** An organisation's columns, in the order {@code PgOrganizationStore.organization} reads them. */
    private static final String ORG_COLUMNS = "id, name, plan, scim_enabled, created_at, updated_at, default_role";
    /**
     * A changed organisation's updated_at: the time given, but strictly after the row's previous one
     * (whose clock or millisecond it was). Every change of a row locks it, so updated_at grows in commit
     * order and caches keep the row with the latest one.
     */
    private static final String ORG_NEXT_UPDATE = "GREATEST($2, updated_at + interval '1 millisecond')";
    /**
     * Taken before an organisation's change is decided, so that changes sent together apply one after
     * another. It is the lock an update of the row takes (not FOR UPDATE, which would also hold back
     * every insert of the organisation's users, groups and invitations: their foreign keys take a
     * key-share lock).
     */
    static final String ORG_LOCK = "SELECT " + ORG_COLUMNS + " FROM organizations WHERE id = $1 AND deleted_at IS NULL "
            + "FOR NO KEY UPDATE";
    static final String ORG_UPDATE = "UPDATE organizations SET updated_at = " + ORG_NEXT_UPDATE
            + ", plan = $3, scim_enabled = $4 WHERE id = $1 RETURNING " + ORG_COLUMNS;
    static final String ORG_FIND = "SELECT " + ORG_COLUMNS + " FROM organizations WHERE id = $1 AND deleted_at IS NULL";
    /** Tells every instance's {@code AdminChangeFeed} what changed; delivered when the transaction commits. */
    static final String NOTIFY_ADMIN_CHANGE = "SELECT pg_notify('" + AdminChangeFeed.CHANNEL + "', $1)";
    static final String ORG_ALL = "SELECT " + ORG_COLUMNS + " FROM organizations WHERE deleted_at IS NULL ORDER BY id";
    /**
     * The organisation $1, unless it is being erased, locked against its erasure until the transaction
     * ends: a CTE for the statements that add rows to an organisation without holding a row of it that
     * the erasure deletes first (a new user or group, a token, an event). Taken before ORG_ERASE's lock,
     * the statement commits before the erasure begins; taken after, it finds nothing and adds nothing.
     */
    private static final String ORG_LIVE =
            "live AS (SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL FOR KEY SHARE)";
    /**
     * Makes an organisation unreachable: FOR UPDATE (which the update itself does not take) waits for
     * the statements that hold ORG_LIVE's lock, and holds off those that would take it until this
     * commits, when they find the organisation erased. Answers the organisation erased, or nothing.
     */
    static final String ORG_ERASE = "WITH locked AS (SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL "
            + "FOR UPDATE) UPDATE organizations o SET deleted_at = $2 FROM locked WHERE o.id = locked.id RETURNING o.id";
    /** The erasures still to finish: the one read that spans organisations besides the change feed's. */
    static final String ORG_ERASING = "SELECT id FROM organizations WHERE deleted_at IS NOT NULL ORDER BY id";
    /**
     * The tables an erasure empties, each with its primary key after the organisation id, in this
     * order: users and groups first, so that a write that holds a row of one (its lock) commits what it
     * adds to the later tables before the erasure gets there, or finds the row gone and adds nothing.
     */
    private static final List<Map.Entry<String, String>> ERASED_TABLES = List.of(
            Map.entry("scim_users", "id"), Map.entry("scim_groups", "id"),
            Map.entry("scim_group_members", "group_id, user_id"), Map.entry("invitations", "id"),
            Map.entry("account_keys", "user_id"), Map.entry("scim_tokens", "id"),
            Map.entry("group_role_mappings", "group_name"), Map.entry("scim_events", "id"),
            Map.entry("resource_changes", "seq"), Map.entry("resource_changes_pruned", "org_id"));
    /**
     * One batch of an erasure per table, in {@link #ERASED_TABLES}' order: the next $2 rows of the
     * organisation in the primary key's order that no other transaction holds, after the key the
     * previous batch answered ($3 on, see {@link EraseBatch}), locked, then each deleted by its address
     * (as INVITATIONS_BY_KEY: naming the organisation in the delete too let the planner read all its
     * rows to find the batch's). Skipping held rows, the erasure never waits for a
     * row while it holds others: a write holding some of the organisation's people and asking for more
     * (a membership add) waited for the erasure as it waited for the write, until one was cancelled as
     * deadlocked. Two instances erasing at once take different rows. A skipped row is left for
     * {@link #ORG_ERASE_BATCHES_WAITING}. Each answers how many rows it took, how many it deleted and
     * the last one's key after the organisation (null when it took none). Sent with
     * {@link #PLANS_IN_KEY_ORDER}: a person's batch read through the userName index and sorted read
     * every person the organisation had left, for each batch.
     */
    static final List<EraseBatch> ORG_ERASE_BATCHES = eraseBatches("FOR UPDATE SKIP LOCKED");
    /**
     * As {@link #ORG_ERASE_BATCHES}, waiting for the rows others hold: for the few those skipped,
     * which their holders are about to release, taken in the primary key's order. A pass of these
     * starts again from the first key, so it finds the rows a pass of those skipped. Its batches are of
     * one row: holding one row while waiting for the next, a batch waited for a write that held the
     * next and asked for the first (a membership add locks people in the client's order), and
     * PostgreSQL cancelled one of the two as deadlocked.
     */
    static final List<EraseBatch> ORG_ERASE_BATCHES_WAITING = eraseBatches("FOR UPDATE");

    /**
     * A table's erasure batch: the first of a pass, and the next after the key the previous one
     * answered. A batch that started again from the organisation's first key read, under a snapshot
     * open elsewhere (a dump, a report), the index entries of every row the batches before it had
     * deleted: work growing with the square of the organisation's rows.
     */
    record EraseBatch(String first, String next) {
    }
    /** Taken before ORG_ERASE_LAST: waits for every statement still holding ORG_LIVE's lock or a foreign key's. */
    static final String ORG_ERASE_LAST_LOCK = "SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NOT NULL FOR UPDATE";
    /** The organisation's row, which ends its erasure, once no table holds a row of it. */
    static final String ORG_ERASE_LAST = "DELETE FROM organizations WHERE id = $1 AND deleted_at IS NOT NULL"
            + ERASED_TABLES.stream().map(t -> " AND NOT EXISTS (SELECT 1 FROM " + t.getKey() + " WHERE org_id = $1)")
            .reduce("", String::concat);

    /** Inserts nothing into an organisation being erased (see ORG_LIVE). */
    static final String TOKEN_INSERT = "WITH " + ORG_LIVE + " INSERT INTO scim_tokens (org_id, id, token_hash, description, "
            + "created_at, expires_at) SELECT $1, $2, $3, $4, $5, $6 FROM live";
    static final String TOKEN_REVOKE =
            "UPDATE scim_tokens SET revoked_at = $3 WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL";
    static final String TOKEN_UNREVOKED =
            "SELECT org_id, id, token_hash, description, created_at, expires_at, last_used_at, revoked_at "
                    + "FROM scim_tokens WHERE org_id = $1 AND revoked_at IS NULL ORDER BY created_at, id";
    static final String TOKEN_FIND =
            "SELECT org_id, id, token_hash, description, created_at, expires_at, last_used_at, revoked_at "
                    + "FROM scim_tokens WHERE org_id = $1 AND id = $2";
    static final String TOKEN_LAST_USED =
            "UPDATE scim_tokens SET last_used_at = GREATEST(last_used_at, $3) WHERE org_id = $1 AND id = $2";

    private static final String USER_COLUMNS = "org_id, id, attributes::text, version, created_at, updated_at";
    /** What a write returns: the caller already holds the attributes it wrote. */
    private static final String USER_WRITTEN = "org_id, id, version, created_at, updated_at";
    /**
     * Inserts users, skipping those whose userName is taken, and in the same statement queues an
     * invitation for each one inserted: a first provisioning and its invitation commit together. The
     * change-feed row takes the jsonb the insert made, so each document is parsed once.
     */
    static final String USER_INSERT_MANY =
            "WITH " + ORG_LIVE + ", ins AS (INSERT INTO scim_users (org_id, id, user_name, external_id, active, "
                    + "attributes, version, created_at, updated_at) "
                    + "SELECT $1, t.id, t.user_name, t.external_id, t.active, t.attributes::jsonb, 1, $7, $7 "
                    + "FROM live, unnest($2::uuid[], $3::text[], $4::text[], $5::bool[], $6::text[]) "
                    + "AS t(id, user_name, external_id, active, attributes) "
                    + "ON CONFLICT DO NOTHING RETURNING " + USER_WRITTEN + ", attributes), "
                    + "inv AS (INSERT INTO invitations (org_id, id, user_id, created_at) "
                    + "SELECT org_id, gen_random_uuid(), id, $7 FROM ins), "
                    + "ev AS (INSERT INTO scim_events (org_id, id, at, token_id, operation, resource_type, resource_id, status, outcome) "
                    + "SELECT $1, e.event_id, $7, e.token_id, e.operation, 'User', ins.id::text, 201, 'success' "
                    + "FROM ins JOIN unnest($2::uuid[], $8::uuid[], $9::uuid[], $10::text[]) AS e(user_id, event_id, token_id, operation) "
                    + "ON e.user_id = ins.id), "
                    + "feed AS (INSERT INTO resource_changes (org_id, kind, resource_id, version, attributes, created_at, updated_at) "
                    + "SELECT ins.org_id, 'user', ins.id, ins.version, ins.attributes, ins.created_at, ins.updated_at FROM ins) "
                    + "SELECT " + USER_WRITTEN + " FROM ins "
                    // One row of nulls: the organisation is being erased (see ORG_LIVE), and nothing was written.
                    + "UNION ALL SELECT NULL, NULL, NULL, NULL, NULL WHERE NOT EXISTS (SELECT FROM live)";
    /**
     * Set for the rest of the transaction (a local setting): the user written, whether active, and
     * their set-up state, which {@link #USER_INVITATIONS_FOLLOW} reads instead of the user's row.
     */
    private static final String USER_WRITTEN_MARK =
            "set_config('kms.user_written', upd.id::text || ' ' || upd.active::text || ' ' || upd.setup_state, true)";
    /** A conditional update and, when it happens, its event, in one statement; marks the user written. */
    static final String USER_REPLACE =
            "WITH upd AS (UPDATE scim_users SET user_name = $3, external_id = $4, active = $5, attributes = $6::text::jsonb, "
                    + "version = version + 1, updated_at = $8 WHERE org_id = $1 AND id = $2 AND version = $7 RETURNING "
                    + USER_WRITTEN + ", active, setup_state), "
                    + "ev AS (INSERT INTO scim_events (org_id, id, at, token_id, operation, resource_type, resource_id, status, outcome) "
                    + "SELECT org_id, $9, $8, $10, $11, 'User', id::text, 200, 'success' FROM upd), "
                    + "feed AS (INSERT INTO resource_changes (org_id, kind, resource_id, version, attributes, created_at, updated_at) "
                    + "SELECT org_id, 'user', id, version, $6::text::jsonb, created_at, updated_at FROM upd) "
                    + "SELECT upd.org_id, upd.id, upd.version, upd.created_at, upd.updated_at, " + USER_WRITTEN_MARK + " FROM upd";
    /**
     * After USER_REPLACE, in the same transaction but a statement of its own: the user's row lock,
     * which USER_REPLACE took, holds off every claim of their invitations (OUTBOX_CLAIM), and this
     * statement's fresh snapshot sees each claim that committed before it. For a person who has not
     * set up: once deactivated, every open invitation is voided (its link works no more, also after a
     * reactivation); while active, the tokens minted for another address than $4 (the one the outbox
     * would now send to) are voided, and when no open invitation is left a new one ($5) is queued, so
     * that a changed address or a reactivation brings a new link to the address that is now theirs.
     * Addresses are compared without regard to letter case: an identity provider that lower-cases an
     * email changes nobody's mailbox. Only a person who was invited before is invited again (migration
     * V10 invited those provisioned before invitations were kept, who had none).
     * An invitation not claimed yet is left: its token will be minted for the address of its claim.
     * Sent before USER_REPLACE's answer is known, so it does nothing unless that wrote the user (see
     * {@link #GROUP_WRITTEN_HERE}); answers the invitation queued, if any. The user's state comes from
     * USER_REPLACE's mark, not from their row: read by the organisation and id, the row could be
     * reached, on a table whose statistics lag (a first sync), through the organisation's userName
     * index and every user of the organisation it holds.
     */
    static final String USER_INVITATIONS_FOLLOW =
            "WITH u AS (SELECT split_part(w, ' ', 2)::boolean AS active FROM current_setting('kms.user_written', true) "
                    + "AS w WHERE split_part(w, ' ', 1) = $2::uuid::text AND split_part(w, ' ', 3) = 'invited'), "
                    + "voided AS (UPDATE invitations i SET voided_at = $3 FROM u WHERE i.org_id = $1 AND i.user_id = $2 "
                    + "AND i.used_at IS NULL AND i.voided_at IS NULL "
                    + "AND (NOT u.active OR (i.token_hash IS NOT NULL AND lower(i.recipient) IS DISTINCT FROM lower($4))) "
                    + "RETURNING i.id) "
                    + "INSERT INTO invitations (org_id, id, user_id, created_at) SELECT $1, $5, $2, $3 FROM u WHERE u.active "
                    + "AND EXISTS (SELECT 1 FROM invitations i WHERE i.org_id = $1 AND i.user_id = $2) "
                    + "AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.org_id = $1 AND i.user_id = $2 "
                    + "AND i.used_at IS NULL AND i.voided_at IS NULL AND i.id NOT IN (SELECT id FROM voided)) RETURNING id";
    /** The user's row, its change-feed row and its event (see {@link #resourceDelete}). */
    static final String USER_DELETE = resourceDelete("scim_users", "User");
    /**
     * After USER_DELETE, in the same transaction but a statement of its own: by then any add that
     * locked the user has committed, and this statement's fresh snapshot sees its rows. Its
     * memberships, the key material of its account set-up and its invitations go (the person is no
     * longer in the organisation): an invitation holds the address its link was sent to and the link's
     * token hash, which must not outlive the person; their link is then one the set-up knows nothing
     * of. An invitation being sent is held by its claim, which holds off the user's delete until it
     * commits; the outbox's later mark of it then finds no row and changes nothing. Sent before
     * USER_DELETE's answer is known, so it does nothing while the user is still there (a version that
     * no longer matched).
     */
    static final String USER_DELETE_REST =
            "WITH gone AS (SELECT WHERE NOT EXISTS (SELECT 1 FROM scim_users WHERE org_id = $1 AND id = $2)), "
                    + "members AS (DELETE FROM scim_group_members WHERE org_id = $1 AND user_id = $2 "
                    + "AND EXISTS (SELECT FROM gone)), "
                    + "keys AS (DELETE FROM account_keys WHERE org_id = $1 AND user_id = $2 AND EXISTS (SELECT FROM gone)) "
                    + "DELETE FROM invitations WHERE org_id = $1 AND user_id = $2 AND EXISTS (SELECT FROM gone)";
    static final String USER_FIND = "SELECT " + USER_COLUMNS + " FROM scim_users WHERE org_id = $1 AND id = $2";
    /**
     * A write that changes nothing: the user's row as it is, and, when it is still at version $3, the
     * request's event (an audit of what the IdP sent, though nothing was written to the user).
     */
    static final String USER_UNCHANGED =
            "WITH " + ORG_LIVE + ", cur AS (SELECT " + USER_COLUMNS + " FROM scim_users WHERE org_id = $1 AND id = $2), "
                    + "ev AS (INSERT INTO scim_events (org_id, id, at, token_id, operation, resource_type, resource_id, status, outcome) "
                    + "SELECT org_id, $4, $5, $6, $7, 'User', cur.id::text, 200, 'success' FROM cur, live WHERE version = $3) "
                    + "SELECT * FROM cur";
    /**
     * Every user of the organisation, to load the index: besides the row, what the index's lookups
     * need (userName, externalId, the emails' values, the display name), taken out of the JSON here
     * so that loading does not parse every document. Not the organisation id: the caller knows it, and
     * its users then share one instance of it.
     *
     * <p>The emails' values: none unless emails is an array; the one email most users have is read
     * directly (a set-returning subquery per row cost PostgreSQL about 0.8 s per million users), any
     * other number through the subquery. Entries without a value give none in both ways.
     */
    static final String USER_ALL = "SELECT id, attributes::text, version, created_at, updated_at, user_name, external_id, "
            + "attributes->>'displayName', "
            + "CASE WHEN jsonb_typeof(attributes->'emails') <> 'array' THEN '{}'::text[] "
            + "WHEN jsonb_array_length(attributes->'emails') = 1 THEN array_remove(ARRAY[attributes->'emails'->0->>'value'], NULL) "
            + "ELSE ARRAY(SELECT e->>'value' FROM jsonb_array_elements(attributes->'emails') e WHERE e->>'value' IS NOT NULL) END "
            + "FROM scim_users WHERE org_id = $1 ORDER BY id";

    static final String USER_COUNT = "SELECT count(*) FROM scim_users WHERE org_id = $1";

    private static final String GROUP_COLUMNS = "org_id, id, attributes::text, version, created_at, updated_at";
    /** Set for the rest of the transaction (a local setting): see {@link #GROUP_WRITTEN_HERE}. */
    private static final String GROUP_WRITTEN_MARK = "set_config('kms.group_written', id::text, true)";
    /** Inserts nothing into an organisation being erased (see ORG_LIVE). */
    static final String GROUP_INSERT = "WITH " + ORG_LIVE + " INSERT INTO scim_groups (org_id, id, display_name, "
            + "external_id, attributes, version, created_at, updated_at) SELECT $1, $2, $3, $4, $5::text::jsonb, 1, $6, $6 "
            + "FROM live RETURNING " + GROUP_COLUMNS + ", " + GROUP_WRITTEN_MARK;
    /**
     * Every write to an existing group takes the group's row lock here first (the lock an update of
     * the row takes), at the expected version $3 when one is given, so writes to one group commit in
     * order. The row itself is written only once the write is known to change something
     * (GROUP_UPDATE, GROUP_TOUCH, or MEMBERS_BATCH's own update): a write that changes nothing keeps
     * the version and lastModified (RFC 7644 §3.5.2.1). The mark is set outside the locking query,
     * so that it is set only for a row the lock returns: a row another transaction changed meanwhile
     * is checked against $3 again once that one commits, after the query below the lock has run.
     */
    static final String GROUP_LOCK = "WITH locked AS (SELECT " + GROUP_COLUMNS + " FROM scim_groups WHERE org_id = $1 "
            + "AND id = $2 AND ($3::bigint IS NULL OR version = $3) FOR NO KEY UPDATE) "
            + "SELECT locked.*, " + GROUP_WRITTEN_MARK + " FROM locked";
    /** A locked group's new attributes; the version the caller predicts from the lock's (one more). */
    static final String GROUP_UPDATE =
            "UPDATE scim_groups SET display_name = $3, external_id = $4, attributes = $5::text::jsonb, "
                    + "version = version + 1, updated_at = $6 WHERE org_id = $1 AND id = $2";
    /** A locked group whose members changed: its next version. */
    static final String GROUP_TOUCH =
            "UPDATE scim_groups SET version = version + 1, updated_at = $3 WHERE org_id = $1 AND id = $2";
    /** The group's row, its change-feed row and its event (see {@link #resourceDelete}). */
    static final String GROUP_DELETE = resourceDelete("scim_groups", "Group");
    /**
     * After GROUP_DELETE, in the same transaction but a statement of its own: by then every write that
     * locked the group has committed, and this statement's fresh snapshot sees its members. Sent before
     * GROUP_DELETE's answer is known, so it does nothing while the group is still there.
     */
    static final String GROUP_DELETE_REST = "DELETE FROM scim_group_members WHERE org_id = $1 AND group_id = $2 "
            + "AND NOT EXISTS (SELECT 1 FROM scim_groups WHERE org_id = $1 AND id = $2)";
    /** One group and its members, read in one statement so that they show one moment. */
    static final String GROUP_WITH_MEMBERS =
            "SELECT " + GROUP_COLUMNS + ", ARRAY(SELECT m.user_id FROM scim_group_members m "
                    + "WHERE m.org_id = g.org_id AND m.group_id = g.id) FROM scim_groups g WHERE g.org_id = $1 AND g.id = $2";
    static final String GROUP_ALL = "SELECT " + GROUP_COLUMNS + " FROM scim_groups WHERE org_id = $1 ORDER BY id";

    /**
     * Each id of $3 that names a user of the organisation, as {@code k.id}, locked against a
     * concurrent delete until the transaction ends: one probe of the users' primary key per id
     * (OFFSET 0 keeps the planner from merging it into a scan of the organisation's users).
     */
    static final String USERS_BY_KEY = "unnest($3::uuid[]) AS a(id) CROSS JOIN LATERAL "
            + "(SELECT u.id FROM scim_users u WHERE u.org_id = $1 AND u.id = a.id OFFSET 0 FOR KEY SHARE) AS k";

    /**
     * True once this transaction has inserted or locked group $2's row (GROUP_INSERT or GROUP_LOCK
     * before it), and so holds the group's row lock: those statements set {@link #GROUP_WRITTEN_MARK}
     * for each row they return, and return none when they find none. The membership statements that
     * follow a group write are sent before its answer is known; when the lock found no row (the group
     * is gone, or GROUP_LOCK's expected version no longer holds) they must do nothing, for without
     * the lock they would race the writer that holds it: an add waiting on that writer's uncommitted
     * membership, then failing on the primary key or deadlocking with it. A setting rather than a
     * read of the group's row, so that no plan can turn the test into a scan; it names no column, so
     * PostgreSQL tests it once, before the rest of the statement runs.
     */
    static final String GROUP_WRITTEN_HERE = "current_setting('kms.group_written', true) = $2::uuid::text";

    /**
     * True for a candidate {@code k.id} that is not yet a member of group $2: one probe of the primary
     * key per candidate, whatever the statistics say (OFFSET 0 keeps the planner from turning it into
     * an anti-join, which could read every member of a large group to add a few).
     */
    static final String NOT_A_MEMBER = "NOT EXISTS (SELECT 1 FROM scim_group_members m WHERE m.org_id = $1 "
            + "AND m.group_id = $2 AND m.user_id = k.id OFFSET 0)";

    /**
     * Adds the ids that are users of the organisation; answers the memberships it created and the ids
     * it found to be users (the rest are skipped). Runs after the group's row lock (GROUP_INSERT or
     * GROUP_LOCK in the same transaction; does nothing when that found no row, see
     * {@link #GROUP_WRITTEN_HERE}), so no other transaction adds members to
     * the group meanwhile and this statement's snapshot holds every membership committed before it:
     * a membership already there is left out by {@link #NOT_A_MEMBER}, a probe of the primary key,
     * rather than by {@code ON CONFLICT DO NOTHING}, whose speculative insertion wrote a further WAL
     * record and page change per row (about a third of the insert's time on a table of a million
     * memberships). The primary key still refuses a repeat, should any write ever bypass the lock.
     * Each id is looked up by its own probe of the users' primary key (as in MEMBERS_BATCH), under
     * the transaction's plans ({@link #PLANS_BY_KEY}, see PgGroupStore): with {@code u.id = ANY($3)}
     * the planner, for an organisation the statistics do not know yet, read every user of the
     * organisation and filtered them, with a custom plan and a generic one alike.
     */
    static final String MEMBERS_ADD =
            "WITH known AS (SELECT DISTINCT k.id FROM " + USERS_BY_KEY + " WHERE " + GROUP_WRITTEN_HERE + "), "
                    + "ins AS (INSERT INTO scim_group_members (org_id, group_id, user_id) SELECT $1, $2, k.id FROM known k "
                    + "WHERE " + NOT_A_MEMBER + " RETURNING user_id) "
                    + "SELECT ARRAY(SELECT user_id FROM ins), ARRAY(SELECT id FROM known)";
    /**
     * The memberships of $3 in group $2, each found by its own probe of the primary key (as in
     * MEMBERS_BATCH) and deleted by its address. With {@code user_id = ANY($3)} the generic plan read
     * the group's members and compared each with every id of the array, where the statistics made
     * groups look small: work growing with the group times the ids removed.
     */
    static final String MEMBERS_REMOVE = "DELETE FROM scim_group_members WHERE ctid = ANY(ARRAY(SELECT t.ctid "
            + "FROM unnest($3::uuid[]) AS r(id) CROSS JOIN LATERAL (SELECT m.ctid FROM scim_group_members m "
            + "WHERE m.org_id = $1 AND m.group_id = $2 AND m.user_id = r.id OFFSET 0) AS t)) AND " + GROUP_WRITTEN_HERE
            + " RETURNING user_id";
    static final String MEMBERS_REMOVE_ALL = "DELETE FROM scim_group_members WHERE org_id = $1 AND group_id = $2 "
            + "AND " + GROUP_WRITTEN_HERE + " RETURNING user_id";
    /**
     * The group's members other than $3 (a PUT's). The ids to keep are looked up in a hash of them
     * (a hashed subplan): {@code user_id <> ALL($3)} in a generic plan compared each member with every
     * id of the array: 13 s for a PUT that keeps a group of 100,000 whole, against 59 ms hashed. A null
     * array removes nobody (NOT IN the empty set it unnests to would remove everybody).
     */
    static final String MEMBERS_KEEP_ONLY = "DELETE FROM scim_group_members WHERE org_id = $1 AND group_id = $2 "
            + "AND $3::uuid[] IS NOT NULL AND user_id NOT IN (SELECT unnest($3::uuid[])) AND " + GROUP_WRITTEN_HERE
            + " RETURNING user_id";
    /**
     * A batch of membership PATCHes of one group, after GROUP_LOCK took the group's row lock in the
     * same transaction (so this statement's snapshot sees every write committed before the lock):
     * checks every added id against the users ($3), removes the
     * net removals ($4), adds the net additions that are users and not members yet ($5; $3 and $5
     * hold each id once), and, when that changed any membership, moves the group to its next version
     * at $16 and writes the batch's change-feed row with it; and one success event per request ($8
     * to $11), each naming the
     * ids that request added which name no user ($12 to $14, see below), all in one statement. Answers
     * the memberships it created, the ones it removed, the ids found to be users and the group's new
     * version (null when no membership changed, and with it neither the version nor lastModified).
     * The two sets are disjoint, so the delete and the insert never touch the same row.
     *
     * <p>Nothing is bound to what GROUP_LOCK answers, so both are sent at once with BEGIN and COMMIT
     * (one round trip per batch). When the group does not exist (GROUP_LOCK found no row) nothing
     * is written.
     *
     * <p>Users and memberships are looked up one id at a time (a lateral subquery that the planner
     * cannot merge, OFFSET 0), each a primary-key probe. With {@code = ANY(array)} the planner chose,
     * for an organisation loaded since the table was last analysed (its statistics say it has hardly
     * any rows), to read all of the organisation's users or all of the group's members and filter
     * them: thousands of index entries per batch, measured at 5 to 30 ms per statement in a storm
     * right after the users were loaded. Deleting by the rows' ctid keeps the delete to those probes.
     *
     * <p>Events: $8 event ids, $9 token ids, $10 operations, $11 the request each event is for (its
     * position in the batch), $15 the status each request is answered with. Skipped candidates, one row per id a request adds, in that request's
     * order: $12 the request, $13 the id as written, $14 the id as a uuid, or null when it cannot be
     * one (always skipped). $6 and $7 are the event's resource type and id. The detail is written as
     * the single-request path words it: at most 50 ids shown.
     *
     * <p>Members already there are left out by {@link #NOT_A_MEMBER}, a probe of the primary key,
     * rather than by {@code ON CONFLICT DO NOTHING}: the group's row lock holds off every other writer
     * of its members. In a sync of 100,000 users adding about 230 members per PATCH this took 23 to
     * 25 ms per statement against 75 to 77 ms with ON CONFLICT; in the storm's batches of a few
     * single-member PATCHes the two ran alike once both were kept prepared (see
     * DatabaseTarget#CACHED_STATEMENT_MAX_LENGTH: the longer one was not, and lost a tenth).
     */
    static final String MEMBERS_BATCH =
            "WITH g AS (SELECT attributes, created_at FROM scim_groups WHERE org_id = $1 AND id = $2), "
            + "known AS (SELECT k.id FROM " + USERS_BY_KEY + " WHERE EXISTS (SELECT 1 FROM g)), "
            + "del AS (DELETE FROM scim_group_members WHERE ctid = ANY(ARRAY(SELECT t.ctid FROM unnest($4::uuid[]) AS r(id) "
            + "CROSS JOIN LATERAL (SELECT m.ctid FROM scim_group_members m WHERE m.org_id = $1 AND m.group_id = $2 "
            + "AND m.user_id = r.id OFFSET 0) AS t WHERE EXISTS (SELECT 1 FROM g))) RETURNING user_id), "
            + "ins AS (INSERT INTO scim_group_members (org_id, group_id, user_id) SELECT $1, $2, k.id FROM known k "
            + "WHERE k.id = ANY($5::uuid[]) AND " + NOT_A_MEMBER + " RETURNING user_id), "
            + "bump AS (UPDATE scim_groups SET version = version + 1, updated_at = $16 WHERE org_id = $1 AND id = $2 "
            + "AND (EXISTS (SELECT 1 FROM ins) OR EXISTS (SELECT 1 FROM del)) RETURNING version), "
            + "feed AS (INSERT INTO resource_changes (org_id, kind, resource_id, version, attributes, created_at, "
            + "updated_at, added, removed) SELECT $1, 'group', $2, b.version, g.attributes, g.created_at, $16, "
            + "ARRAY(SELECT user_id FROM ins), ARRAY(SELECT user_id FROM del) FROM g CROSS JOIN bump b), "
            + "cand AS (SELECT c.req, c.val, row_number() OVER (PARTITION BY c.req ORDER BY c.pos) AS k "
            + "FROM unnest($12::int[], $13::text[], $14::uuid[]) WITH ORDINALITY AS c(req, val, uid, pos) "
            + "WHERE c.uid IS NULL OR c.uid NOT IN (SELECT id FROM known)), "
            + "skip AS (SELECT req, count(*) AS n, string_agg(val, ', ' ORDER BY k) FILTER (WHERE k <= 50) AS shown "
            + "FROM cand GROUP BY req), "
            + "ev AS (INSERT INTO scim_events (org_id, id, at, token_id, operation, resource_type, resource_id, status, "
            + "outcome, detail) SELECT $1, e.id, $16, e.token_id, e.operation, $6, $7, e.status, 'success', "
            + "CASE WHEN s.n IS NULL THEN NULL ELSE 'Skipped ' || s.n || ' member id(s) that name no user of the "
            + "organization: ' || s.shown || CASE WHEN s.n > 50 THEN ', ...' ELSE '' END END "
            + "FROM g CROSS JOIN unnest($8::uuid[], $9::uuid[], $10::text[], $11::int[], $15::int[]) "
            + "AS e(id, token_id, operation, req, status) "
            + "LEFT JOIN skip s ON s.req = e.req) "
            + "SELECT ARRAY(SELECT user_id FROM ins), ARRAY(SELECT user_id FROM del), ARRAY(SELECT id FROM known), "
            + "(SELECT version FROM bump)";

    /**
     * Every membership of the organisation, one row per user in user order (loading the index): read
     * from the index on (org_id, user_id, group_id) alone, in its order, so nothing is sorted or
     * hashed here; each user's groups come in that index's order, as one bytea of sixteen bytes per
     * group (a uuid[] costs the client a UUID object and two reads from its buffer per membership).
     */
    static final String MEMBERSHIPS_OF_ORG_BY_USER = "SELECT user_id, string_agg(uuid_send(group_id), ''::bytea) "
            + "FROM scim_group_members WHERE org_id = $1 GROUP BY user_id ORDER BY user_id";

    /**
     * No JIT compilation in the transactions that turn plan types off (PLANS_BY_KEY, PLANS_IN_KEY_ORDER,
     * PLANS_BY_ADDRESS): PostgreSQL counts a node of a type turned off at a cost of ten billion, which
     * passes every JIT threshold, and compiled a plan holding a sort that had to stay (the last key of
     * an erasure's batch) on every execution: 60 to 560 ms each for statements that run in a
     * millisecond, where the server's PostgreSQL has JIT (most builds since PostgreSQL 12).
     */
    static final String NO_JIT = "set_config('jit', 'off', true)";

    /**
     * For the rest of a membership batch's transaction (and of any group write's, see PgGroupStore):
     * plans that reach every row by a key or an address, whatever the statistics say.
     * <ul>
     * <li>The prepared statements' generic plans: the planner otherwise planned MEMBERS_BATCH afresh
     * for most batches (2,294 plans for 3,215 batches in a storm, 0.62 ms each, more than the
     * statement's 0.43 ms of execution), and a custom plan made for an organisation the statistics
     * do not know took an index on the organisation alone for each probe. The generic plan probes by
     * key whatever the arrays hold, so one plan fits every batch.</li>
     * <li>No sequential scan where a key or an address can be used. A connection keeps its generic
     * plan until the table's statistics change, and one made while the memberships table was small
     * read it whole to delete by ctid (a sequential scan is cheaper than fetching ten addresses from a
     * table of a few pages). In a first sync the table grows to a million rows before autovacuum next
     * looks at it, and every batch kept reading all of it: PostgreSQL's CPU for the sync's
     * memberships doubled (50.7 s against 23.6 s) once the batch's plan was cached.</li>
     * </ul>
     * One statement, so that it goes in the same round trip as what follows it.
     */
    static final String PLANS_BY_KEY = "SELECT set_config('plan_cache_mode', 'force_generic_plan', true), "
            + "set_config('enable_seqscan', 'off', true), " + NO_JIT;
    /**
     * {@link #PLANS_BY_KEY}, and nothing sorted where an index gives the order: for a statement that
     * walks an organisation's rows in the primary key's order, a batch at a time (an erasure, a prune,
     * a page of members). Where the statistics count on a row or two per organisation (many small
     * organisations, or a few rows each left after deletes), reading the organisation through another
     * index that starts with it (a person's userName, a group's displayName) and sorting what it read
     * cost the planner the same as the primary key, and it took either: then each batch read and
     * sorted every row the organisation has left. Only the primary key gives the order unsorted.
     */
    static final String PLANS_IN_KEY_ORDER = PLANS_BY_KEY + ", set_config('enable_sort', 'off', true)";

    static final String MEMBERS_PAGE =
            "SELECT id, user_name, active, setup_state FROM scim_users WHERE org_id = $1 AND id > $2 "
                    + "AND ($3::text IS NULL OR setup_state = $3) ORDER BY id LIMIT $4";
    /** A member's set-up state, under the user's row lock until the re-issue commits (see INVITATION_USER_LOCK). */
    static final String MEMBER_STATE_LOCKED =
            "SELECT setup_state, active FROM scim_users WHERE org_id = $1 AND id = $2 FOR NO KEY UPDATE";

    /**
     * The claim's statements give up after 10 s (SQLSTATE 57014, and the outbox tries again at its next
     * poll): the rows it has locked give it a transaction id, and every instance's change feed waits for
     * the oldest transaction still open, for every organisation. A claim held up for whatever reason
     * (a lock, a plan gone wrong) must not hold back what the other instances see. Sent with the claim,
     * in the same round trip.
     */
    static final String OUTBOX_CLAIM_TIME_LIMIT = "SELECT set_config('statement_timeout', '10s', true)";
    /**
     * The oldest undelivered invitations that no instance holds ($3: now), locked so that one
     * instance claims each, with what their recipient is chosen from (the userName and the emails).
     * Only an active person's: one the identity provider created or made inactive is invited once it
     * is active (the set-up would refuse them meanwhile). The person's row is share-locked until the
     * claim commits, so that the address a token is minted for is the one the person has: a write of
     * the person waits for the claim and then sees it (USER_INVITATIONS_FOLLOW). The invitations of a
     * person being written are skipped, not waited for: that write holds the person and will lock
     * their invitations, which this claim may hold. They are claimed in a later round. Nothing here
     * waits for a lock, so the claim deadlocks with no write.
     *
     * <p>Each invitation's person is reached by their key, in a lateral probe of their own (OFFSET 0
     * keeps it one). Joined, for an organisation the statistics did not know yet while they knew
     * another (a first sync into a database that serves others), the planner counted on one person
     * and read all of the organisation's people for each invitation, matching the id afterwards: every
     * invitation of an inactive or deleted person, or held by another instance, read them all. With
     * 20,000 inactive people invited before 20,000 active ones, a claim took over six minutes, every
     * claim gave up at its time limit and no invitation was sent. The person's lock is taken before
     * the invitation's: one whose invitation another instance holds stays share-locked until this
     * claim commits, a few milliseconds, which a write of that person waits out. (The invitation locked
     * first, in a subquery of its own or in a probe of its own, made plans that read all of the
     * organisation's waiting invitations for each claim: sorted once the statistics knew them, or
     * through the organisation alone for each one while they did not.)
     */
    static final String OUTBOX_CLAIM =
            "SELECT i.id, i.user_id, u.user_name, i.ctid::text, i.attempts, (u.attributes->'emails')::text FROM invitations i "
                    + "CROSS JOIN LATERAL (SELECT p.user_name, p.attributes FROM scim_users p "
                    + "WHERE p.org_id = i.org_id AND p.id = i.user_id AND p.active OFFSET 0 FOR SHARE SKIP LOCKED) u "
                    + "WHERE i.org_id = $1 AND i.sent_at IS NULL AND i.voided_at IS NULL AND i.used_at IS NULL "
                    + "AND (i.claimed_until IS NULL OR i.claimed_until <= $3) "
                    + "ORDER BY i.created_at LIMIT $2 FOR UPDATE OF i SKIP LOCKED";
    /**
     * Claims a whole batch until $5, each invitation with its own token hash and the address it is
     * minted for ($7): one statement. It is marked delivered once sent (OUTBOX_SENT).
     * The rows are found by the addresses OUTBOX_CLAIM answered ($1), which stand because the
     * transaction holds the rows' locks since the claim, and each must still carry its id. Found by
     * organisation and id instead, the planner, for an organisation whose invitations are newer than
     * the table's statistics (any first sync), counted on the organisation having hardly any and read
     * all of them for each batch (28,000 buffers and 34 ms per batch of 100 in a sync of 100,000
     * users), with a custom plan and with a generic one alike; an address leaves it nothing to choose.
     * The organisation ($6) is named as in every statement, so that a database sharded by it routes the
     * update to the one shard the claim read. Since every index starts with the organisation, naming it
     * offers the planner that same read of all its invitations again: the update runs under
     * {@link #PLANS_BY_ADDRESS}, which leaves the addresses as the only way to the rows.
     */
    static final String OUTBOX_CLAIMED =
            "UPDATE invitations AS i SET token_hash = t.token_hash, recipient = t.recipient, expires_at = $4, "
                    + "claimed_until = $5, attempts = i.attempts + 1 "
                    + "FROM unnest($2::uuid[], $3::bytea[], $7::text[]) AS t(id, token_hash, recipient) "
                    + "WHERE i.ctid = ANY($1::text[]::tid[]) AND i.org_id = $6 AND i.id = t.id";
    /**
     * For the rest of the transaction, rows are reached by their addresses only: no sequential, index
     * or bitmap scan (see OUTBOX_CLAIMED). Sent with that statement, in the same round trip.
     */
    static final String PLANS_BY_ADDRESS = "SELECT set_config('enable_seqscan', 'off', true), "
            + "set_config('enable_indexscan', 'off', true), set_config('enable_bitmapscan', 'off', true), " + NO_JIT;
    /**
     * The rows of the organisation's invitations $2, by their addresses, each found by its own probe
     * of the primary key (OFFSET 0 keeps the planner from turning the probes into a read of the
     * organisation's invitations, which it did for one newer than the table's statistics).
     */
    private static final String INVITATIONS_BY_KEY = "ctid = ANY(ARRAY(SELECT x.ctid FROM unnest($2::uuid[]) AS a(id) "
            + "CROSS JOIN LATERAL (SELECT n.ctid FROM invitations n WHERE n.org_id = $1 AND n.id = a.id OFFSET 0) AS x))";
    /**
     * The invitations of a batch that were sent ($2), delivered at $3: one statement per batch. Only
     * while the claim ($4) is this instance's: one that lapsed meanwhile may have been claimed and
     * sent again, with a newer link, by another instance, which marks it itself.
     */
    static final String OUTBOX_SENT = "UPDATE invitations SET sent_at = $3, claimed_until = NULL WHERE "
            + INVITATIONS_BY_KEY + " AND claimed_until = $4 AND sent_at IS NULL";
    /**
     * The invitations of a batch whose sending failed ($2): their tokens forgotten (the next attempt
     * mints new ones), each held until its next attempt is due ($3, in the same order), while the
     * claim ($4) is still this instance's.
     */
    static final String OUTBOX_RETURN = "UPDATE invitations AS i SET token_hash = NULL, recipient = NULL, "
            + "expires_at = NULL, claimed_until = t.due FROM unnest($2::uuid[], $3::timestamptz[]) AS t(id, due) WHERE i."
            + INVITATIONS_BY_KEY + " AND i.id = t.id AND i.claimed_until = $4 AND i.sent_at IS NULL";
    /**
     * Invitations waiting to be sent: undelivered ones of active people, each person probed by key as
     * in OUTBOX_CLAIM (joined, for an organisation the statistics did not know, the count read all of
     * its people for each invitation). Sent with PLANS_BY_KEY: the gauge runs it for every organisation
     * every metrics.outbox-backlog-seconds.
     */
    static final String OUTBOX_BACKLOG = "SELECT count(*) FROM invitations i CROSS JOIN LATERAL (SELECT 1 FROM scim_users p "
            + "WHERE p.org_id = i.org_id AND p.id = i.user_id AND p.active OFFSET 0) u "
            + "WHERE i.org_id = $1 AND i.sent_at IS NULL AND i.voided_at IS NULL AND i.used_at IS NULL";
    static final String INVITATION_VOID_OPEN =
            "UPDATE invitations SET voided_at = $3 WHERE org_id = $1 AND user_id = $2 AND used_at IS NULL AND voided_at IS NULL";
    static final String INVITATION_INSERT =
            "INSERT INTO invitations (org_id, id, user_id, created_at) VALUES ($1, $2, $3, $4)";
    /**
     * The invitation's user, locked before the invitation itself (INVITATION_FIND, a statement of its
     * own, whose snapshot then sees the user as this lock left it) and until the set-up commits: in
     * the order a user's delete takes them (the row, then its invitations), and so that a
     * deactivation or a delete either waits for the set-up or is seen by it. Taken the other way
     * round, a set-up and a delete deadlocked, and a set-up that read the user as active before a
     * deactivation committed answered "accepted" without accepting.
     */
    static final String INVITATION_USER_LOCK = "SELECT u.id FROM scim_users u WHERE u.org_id = $1 AND u.id = "
            + "(SELECT i.user_id FROM invitations i WHERE i.org_id = $1 AND i.id = $2) FOR NO KEY UPDATE";
    static final String INVITATION_FIND =
            "SELECT i.user_id, i.token_hash, i.expires_at, i.used_at, i.voided_at, u.active, u.setup_state "
                    + "FROM invitations i LEFT JOIN scim_users u ON u.org_id = i.org_id AND u.id = i.user_id "
                    + "WHERE i.org_id = $1 AND i.id = $2 FOR UPDATE OF i";
    /**
     * INVITATION_FIND's columns and the userName, without a lock: the set-up page only reads, and a
     * set-up checks its token here before it takes any lock.
     */
    static final String INVITATION_PEEK =
            "SELECT i.user_id, i.token_hash, i.expires_at, i.used_at, i.voided_at, u.active, u.setup_state, u.user_name "
                    + "FROM invitations i LEFT JOIN scim_users u ON u.org_id = i.org_id AND u.id = i.user_id "
                    + "WHERE i.org_id = $1 AND i.id = $2";
    static final String INVITATION_USE = "UPDATE invitations SET used_at = $3 WHERE org_id = $1 AND id = $2";
    static final String ACCOUNT_KEYS_INSERT =
            "INSERT INTO account_keys (org_id, user_id, public_key, encrypted_private_key, kdf_salt, kdf_params, created_at) "
                    + "VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7)";
    static final String MEMBER_ACCEPT =
            "UPDATE scim_users SET setup_state = 'accepted' WHERE org_id = $1 AND id = $2 AND setup_state = 'invited' AND active";

    /**
     * The organisation's updated_at and its mappings (one row of nulls when it has none), in one
     * statement and so one snapshot: the mappings are those of that version of the organisation.
     */
    static final String ROLE_MAPPINGS = "SELECT o.updated_at, m.group_name, m.role FROM organizations o "
            + "LEFT JOIN group_role_mappings m ON m.org_id = $1 WHERE o.id = $1 AND o.deleted_at IS NULL";
    static final String ROLE_MAPPINGS_CLEAR = "DELETE FROM group_role_mappings WHERE org_id = $1";
    static final String ROLE_MAPPING_INSERT = "INSERT INTO group_role_mappings (org_id, group_name, role) VALUES ($1, $2, $3)";
    /** In a replacement of the mappings, under the organisation's row lock (ORG_LOCK), so replacements apply one after another. */
    static final String ORG_DEFAULT_ROLE = "UPDATE organizations SET updated_at = " + ORG_NEXT_UPDATE
            + ", default_role = $3 WHERE id = $1 RETURNING " + ORG_COLUMNS;

    /**
     * An event in the transaction of the change it records, which holds the changed resource's row: the
     * erasure deletes that row before the events, so it needs no ORG_LIVE.
     */
    static final String EVENT_INSERT =
            "INSERT INTO scim_events (org_id, id, at, token_id, operation, resource_type, resource_id, status, outcome, detail) "
                    + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    /**
     * An event of its own (a refused request), which holds no row: it inserts nothing into an
     * organisation being erased (see ORG_LIVE), where a refusal counted before the erasure is dropped.
     */
    static final String EVENT_RECORD = "WITH " + ORG_LIVE + " INSERT INTO scim_events (org_id, id, at, token_id, operation, "
            + "resource_type, resource_id, status, outcome, detail) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM live";
    static final String EVENTS_PAGE =
            "SELECT org_id, id, at, token_id, operation, resource_type, resource_id, status, outcome, detail FROM scim_events "
                    + "WHERE org_id = $1 AND id < $2 AND ($3::text IS NULL OR outcome = $3) "
                    + "AND ($4::text IS NULL OR resource_type = $4) ORDER BY id DESC LIMIT $5";

    /** A group write in the change feed, in the write's transaction: the group as written and its member delta. */
    static final String FEED_GROUP =
            "INSERT INTO resource_changes (org_id, kind, resource_id, version, attributes, created_at, updated_at, added, removed) "
                    + "VALUES ($1, 'group', $2, $3, $4::text::jsonb, $5, $6, $7::uuid[], $8::uuid[])";
    /**
     * The next rows of the feed after a position, below the horizon of transactions that have all ended,
     * and that horizon; horizon and rows come from one snapshot. Without rows, one row of nulls carries
     * the horizon.
     */
    static final String FEED_READ =
            "SELECT h.below::text, c.xid::text, c.seq, c.org_id, c.kind, c.resource_id, c.version, c.attributes::text, "
                    + "c.created_at, c.updated_at, c.added, c.removed, c.at "
                    + "FROM (" + horizon("$1::text::xid8") + ") h "
                    + "LEFT JOIN LATERAL (SELECT * FROM resource_changes r "
                    + "WHERE (r.xid, r.seq) > ($1::text::xid8, $2::bigint) AND r.xid < h.below ORDER BY r.xid, r.seq LIMIT $3) c ON true";
    /** The horizon of transactions that have all ended: where a reader starting now begins. */
    static final String FEED_HORIZON = "SELECT below::text FROM (" + horizon(null) + ") h";
    /** Organisations whose pruned rows reach a reader's position (the highest transaction id pruned from each). */
    static final String FEED_PRUNED = "SELECT org_id, max_xid FROM resource_changes_pruned WHERE max_xid >= $1";
    /** Drops rows below a horizon seen longer ago than the retention, remembering per organisation how far. */
    static final String FEED_PRUNE =
            "WITH gone AS (DELETE FROM resource_changes WHERE xid < $1::text::xid8 RETURNING org_id, xid::text::bigint AS x) "
                    + "INSERT INTO resource_changes_pruned (org_id, max_xid) SELECT org_id, max(x) FROM gone GROUP BY org_id "
                    + "ON CONFLICT (org_id) DO UPDATE SET max_xid = GREATEST(resource_changes_pruned.max_xid, EXCLUDED.max_xid)";
    /** Wakes the readers of every instance; they read the table, the payload is empty. */
    static final String FEED_WAKE = "SELECT pg_notify('" + ResourceChangeFeed.CHANNEL + "', '')";
    /**
     * One batch of an organisation's expired events, oldest first. Keyed like every statement here:
     * organisation id, then a range of ids, which is the primary key's order. The retention is the
     * same for every organisation, so pruning them one by one costs nothing over one statement across
     * all of them, and keeps each batch short. The batch's rows are deleted by their addresses: with
     * `id IN` the batch, PostgreSQL read every event of the organisation for each batch (a hash of
     * the batch against a sequential scan of the whole table, or, for an organisation the statistics
     * did not know yet, the batch's thousand ids read again for each of its events: 3 to 9 s per batch
     * for 8,000 events), work that grew with the square of the events to prune.
     */
    static final String EVENTS_PRUNE = "DELETE FROM scim_events WHERE ctid = ANY(ARRAY("
            + "SELECT ctid FROM scim_events WHERE org_id = $1 AND id < $2 ORDER BY org_id, id LIMIT $3))";
    /**
     * One batch of an organisation's invitations that ended (voided or used) before $3 and that a
     * newer invitation of the same person replaces. A change of address or a re-send adds a row, so
     * without this a person's rows grow for as long as they stay. Each person keeps their newest one
     * whatever its age: a write of the person invites them again only if they were invited before
     * (USER_INVITATIONS_FOLLOW), and the set-up page reads it to say why their link no longer works.
     * The batch is the next $4 of the organisation's invitations after id $2 in the primary key's
     * order, whatever they hold, so each statement reads a bounded range; answers the last id it read
     * (null past the end) and how many it deleted. A row found to go stays gone: no write clears
     * voided_at or used_at, and the newer invitation goes only with the person. The delete checks the
     * ending again on the row as it finds it: where a write changed a row since the batch read it,
     * PostgreSQL deletes the row's new version without checking its address again.
     * Sent with {@link #PLANS_IN_KEY_ORDER}. The rows go by their addresses and each person's newer
     * invitation is a probe of its own (OFFSET 0 keeps it one): joined, under statistics that count on
     * a row or two per organisation, the planner read all of the organisation's invitations for each
     * of the batch's rows, in the delete and again in the probe.
     */
    static final String INVITATIONS_PRUNE =
            "WITH scanned AS (SELECT i.ctid AS c, i.id, i.user_id, i.created_at, i.voided_at, i.used_at FROM invitations i "
                    + "WHERE i.org_id = $1 AND i.id > $2 ORDER BY i.id LIMIT $4), "
                    + "gone AS (DELETE FROM invitations WHERE (voided_at < $3 OR used_at < $3) AND ctid = ANY(ARRAY(SELECT s.c FROM scanned s "
                    + "WHERE (s.voided_at < $3 OR s.used_at < $3) AND EXISTS (SELECT 1 FROM invitations n "
                    + "WHERE n.org_id = $1 AND n.user_id = s.user_id AND (n.created_at, n.id) > (s.created_at, s.id) "
                    + "OFFSET 0))) RETURNING 1) "
                    + "SELECT (SELECT id FROM scanned ORDER BY id DESC LIMIT 1), (SELECT count(*) FROM gone)";

    static final String PING = "SELECT 1";

    /**
     * Every character below U+20000 that the database's {@code lower()} changes, and what to: beyond
     * that lie only CJK ideographs and unassigned planes, which have no case. Surrogates are no
     * characters, and {@code chr()} takes only a UTF-8 database's code points.
     */
    static final String LOWER_CASE_PAIRS = "SELECT cp, lower(chr(cp)) FROM generate_series(1, 131071) AS cp "
            + "WHERE current_setting('server_encoding') = 'UTF8' AND (cp < 55296 OR cp > 57343) AND lower(chr(cp)) <> chr(cp)";

    /** SQLSTATE of a unique-key violation. */
    static final String UNIQUE_VIOLATION = "23505";
    /** The unique indexes a client's write can meet (migrations V1 and V2): a taken userName or displayName. */
    static final String USER_NAME_KEY = "scim_users_org_user_name_key";
    static final String GROUP_DISPLAY_NAME_KEY = "scim_groups_org_display_name_key";


    private Sql() {
    }

    /**
     * The lowest transaction id that may still add rows to the feed, as the statement's snapshot sees
     * it: its oldest transaction in progress, leaving out those known to run in another database of
     * the cluster (they cannot write this database's tables), else the snapshot's xmax. Transaction
     * ids are the cluster's, so the snapshot's xmin alone let one open transaction of another
     * application, in another database, hold every instance's feed back for as long as it ran.
     *
     * <p>A transaction is left out only when pg_stat_activity shows a backend of another database
     * running it, read after the snapshot: one that ended meanwhile, one of this database, and one of
     * a backend with no database all count, as before. (Any role sees every session's database and
     * backend_xid.) Ids of running transactions are less than 2^31 apart, so their low 32 bits
     * (backend_xid's) tell them apart.
     *
     * @param position the reader's position: while the snapshot's xmin is beyond it, the xmin serves
     *                 (rows below it are there to read) and pg_stat_activity is not read; null to
     *                 always look
     */
    private static String horizon(String position) {
        // ORDER BY and LIMIT: PostgreSQL 15 has no min() of xid8.
        String refined = "COALESCE((SELECT x FROM pg_snapshot_xip(s.snap) AS x WHERE NOT EXISTS ("
                + "SELECT 1 FROM pg_stat_activity a WHERE a.datid <> (SELECT oid FROM pg_database WHERE datname = current_database()) "
                + "AND a.backend_xid::text::bigint = x::text::bigint % 4294967296) ORDER BY x LIMIT 1), "
                + "pg_snapshot_xmax(s.snap))";
        String below = position == null ? refined
                : "CASE WHEN pg_snapshot_xmin(s.snap) > " + position + " THEN pg_snapshot_xmin(s.snap) ELSE " + refined + " END";
        return "SELECT " + below + " AS below FROM (SELECT pg_current_snapshot() AS snap) s";
    }

    private static List<EraseBatch> eraseBatches(String lock) {
        return ERASED_TABLES.stream().map(t -> new EraseBatch(eraseBatch(t.getKey(), t.getValue(), lock, ""),
                eraseBatch(t.getKey(), t.getValue(), lock, " AND (org_id, " + t.getValue() + ") > ($1, "
                        + IntStream.range(0, t.getValue().split(", ").length).mapToObj(i -> "$" + (i + 3))
                        .collect(Collectors.joining(", ")) + ")"))).toList();
    }

    private static String eraseBatch(String table, String key, String lock, String after) {
        String last = Arrays.stream(key.split(", ")).map(c -> c + " DESC").collect(Collectors.joining(", "));
        return "WITH batch AS (SELECT ctid AS c, " + key + " FROM " + table + " WHERE org_id = $1" + after
                + " ORDER BY org_id, " + key + " LIMIT $2 " + lock + "), gone AS (DELETE FROM " + table
                + " WHERE ctid = ANY(ARRAY(SELECT c FROM batch)) RETURNING 1) "
                + "SELECT (SELECT count(*) FROM batch), (SELECT count(*) FROM gone), l.* FROM (SELECT 1) one "
                + "LEFT JOIN (SELECT " + key + " FROM batch ORDER BY " + last + " LIMIT 1) l ON true";
    }

    /**
     * A resource's delete with, in the same statement, its change-feed row ($4: the kind, at the next
     * version) and, when audited ($8), its event ($5 id, $6 time, $7 token, $9 operation): answers the
     * version deleted, or nothing. With a version ($3), only that version: an If-Match checked before
     * is still true when it deletes.
     */
    private static String resourceDelete(String table, String resourceType) {
        return "WITH del AS (DELETE FROM " + table + " WHERE org_id = $1 AND id = $2 "
                + "AND ($3::bigint IS NULL OR version = $3) RETURNING org_id, id, version), "
                + "feed AS (INSERT INTO resource_changes (org_id, kind, resource_id, version) "
                + "SELECT org_id, $4, id, version + 1 FROM del), "
                + "ev AS (INSERT INTO scim_events (org_id, id, at, token_id, operation, resource_type, resource_id, status, outcome) "
                + "SELECT org_id, $5, $6, $7, $9, '" + resourceType + "', id::text, 204, 'success' FROM del WHERE $8) "
                + "SELECT version FROM del";
    }
}
