package io.hanzo.kms.scim.store.pg;

import io.hanzo.kms.scim.it.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plans PostgreSQL makes for the write statements that touch a few rows of a large organisation,
 * for an organisation the table's statistics do not know yet (one provisioned since the last
 * ANALYZE, as in any first sync): each row must be reached by its own key, never by reading every
 * row of the organisation, whatever the statistics say.
 */
class StatementPlansIT {
    private static final int USERS = 3_000;
    /** Enough that reading the table costs the planner more than a batch's addresses. */
    private static final int INVITATIONS = 20_000;
    private static Connection db;
    private static UUID org;

    @BeforeAll
    static void fill() throws SQLException {
        DatabaseTarget target = TestServer.database();
        DatabaseSetup.migrate(target);
        db = DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password());
        org = UUID.randomUUID();
        insert("INSERT INTO organizations (id, name, plan, scim_enabled, created_at, updated_at) "
                + "SELECT ?, 'Plans', 'pro', true, now(), now() FROM generate_series(1, ?)", 1);
        insert("INSERT INTO invitations (org_id, id, user_id, created_at) "
                + "SELECT ?, gen_random_uuid(), gen_random_uuid(), now() FROM generate_series(1, ?)", INVITATIONS);
        insert("INSERT INTO scim_users (org_id, id, user_name, active, attributes, version, created_at, updated_at) "
                + "SELECT ?, gen_random_uuid(), 'plan' || n, true, '{}', 1, now(), now() FROM generate_series(1, ?) AS n", USERS);
    }

    /** Runs an insert of {@code rows} rows whose parameters are the organisation and the count. */
    private static void insert(String sql, int rows) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            ps.setObject(1, org);
            ps.setInt(2, rows);
            ps.executeUpdate();
        }
    }

    @AfterAll
    static void close() throws SQLException {
        db.close();
    }

    @Test
    void deliveringInvitationsReachesEachByItsAddress() throws SQLException {
        // The batch as OUTBOX_CLAIM answers it.
        List<String> claimed = column("SELECT i.ctid::text || ' ' || i.id FROM invitations i WHERE i.org_id = '" + org
                + "' AND i.sent_at IS NULL AND i.voided_at IS NULL ORDER BY i.created_at LIMIT 100");
        List<String> rows = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (String c : claimed) {
            rows.add("\"" + c.substring(0, c.indexOf(' ')) + "\"");
            ids.add(c.substring(c.indexOf(' ') + 1));
        }
        String arguments = "'{" + String.join(",", rows) + "}'::text[], " + uuids(ids) + ", array_fill('\\x00'::bytea, "
                + "ARRAY[" + ids.size() + "]), now(), now(), '" + org + "', array_fill('a@example.com'::text, "
                + "ARRAY[" + ids.size() + "])";
        for (boolean generic : new boolean[] {false, true}) {
            String plan = explain("claimed(text[], uuid[], bytea[], timestamptz, timestamptz, uuid, text[])", Sql.OUTBOX_CLAIMED,
                    arguments, generic, "public", Sql.PLANS_BY_ADDRESS);
            assertThat(plan).as("generic plan: %s", generic).contains("Tid Scan on invitations i")
                    .doesNotContain("Index").doesNotContain("Seq Scan on invitations");
        }
    }

    /**
     * The outbox's claim reaches each invitation's person by the person's key, for an organisation the
     * statistics do not know yet while they know another one (any first sync into a database that
     * serves other organisations). Joined instead, the planner took the organisation's index alone to
     * the people, so each invitation read every person of the organisation: claims of minutes, each
     * cut at its time limit, and no invitation sent, once older invitations of inactive people stood
     * before the active ones.
     */
    @Test
    void claimingInvitationsReachesEachPersonByTheirKey() throws SQLException {
        UUID fresh = organisationTheStatisticsDoNotKnow();
        for (boolean generic : new boolean[] {false, true}) {
            // As the claim runs: its own plans (custom, then maybe generic), sequential scans allowed.
            String plan = explain("claim(uuid, int, timestamptz)", Sql.OUTBOX_CLAIM, "'" + fresh + "', 100, now()", generic,
                    STALE, Sql.OUTBOX_CLAIM_TIME_LIMIT, "SET LOCAL enable_seqscan = on");
            // No sort: the invitations are locked as they are read, in the index's order, only as many as the batch takes.
            assertThat(plan).as("generic plan: %s", generic).doesNotContain("Seq Scan").doesNotContain("Join Filter")
                    .doesNotContain("Sort").contains("Index Scan using");
            assertThat(indexConditions(plan)).as("generic plan: %s", generic)
                    .anySatisfy(c -> assertThat(c).contains("id = i.user_id").contains("org_id = i.org_id"));
        }
        // Once the statistics know the organisation and its thousands of invitations waiting, the same.
        try (Statement s = db.createStatement()) {
            s.execute("ANALYZE " + STALE + ".scim_users, " + STALE + ".invitations");
        }
        for (boolean generic : new boolean[] {false, true}) {
            String plan = explain("claim(uuid, int, timestamptz)", Sql.OUTBOX_CLAIM, "'" + fresh + "', 100, now()", generic,
                    STALE, Sql.OUTBOX_CLAIM_TIME_LIMIT, "SET LOCAL enable_seqscan = on");
            assertThat(plan).as("analysed, generic plan: %s", generic).doesNotContain("Seq Scan").doesNotContain("Sort")
                    .doesNotContain("Join Filter");
        }
    }

    /**
     * The reads of one invitation or one person (the set-up page and the set-up, a re-issue), under the
     * plans by key they are sent with, and the outbox's backlog, for an organisation the statistics do
     * not know yet: each row by its whole key. With custom plans, an invitation was found through the
     * organisation's index by person, its id a filter, and its person through the index by userName.
     */
    @Test
    void readingAnInvitationOrAPersonReachesThemByKey() throws SQLException {
        UUID fresh = organisationTheStatisticsDoNotKnow();
        String invitation = column("SELECT id FROM " + STALE + ".invitations WHERE org_id = '" + fresh + "' LIMIT 1").get(0);
        String user = column("SELECT user_id FROM " + STALE + ".invitations WHERE id = '" + invitation + "'").get(0);
        String byInvitation = "'" + fresh + "', '" + invitation + "'";
        for (String[] statement : List.of(
                new String[] {"peek(uuid, uuid)", Sql.INVITATION_PEEK, byInvitation, "id = '" + invitation + "'"},
                new String[] {"find(uuid, uuid)", Sql.INVITATION_FIND, byInvitation, "id = '" + invitation + "'"},
                new String[] {"lock(uuid, uuid)", Sql.INVITATION_USER_LOCK, byInvitation, "id = '" + invitation + "'"},
                new String[] {"state(uuid, uuid)", Sql.MEMBER_STATE_LOCKED, "'" + fresh + "', '" + user + "'", "id = '" + user + "'"})) {
            String plan = explain(statement[0], statement[1], statement[2], true, STALE);
            assertThat(plan).as(statement[0]).doesNotContain("Seq Scan").doesNotContain("Join Filter").doesNotContain("Filter: (id");
            assertThat(indexConditions(plan)).as(statement[0]).isNotEmpty()
                    .allSatisfy(c -> assertThat(c).containsAnyOf("id = $2", "id = $0", "id = i.user_id", "id = $1)"));
        }
        // The backlog's count runs with its own plans, for every organisation every 15 s.
        for (boolean generic : new boolean[] {false, true}) {
            String backlog = explain("backlog(uuid)", Sql.OUTBOX_BACKLOG, "'" + fresh + "'", generic, STALE,
                    "SET LOCAL enable_seqscan = on");
            assertThat(backlog).as("generic plan: %s", generic).doesNotContain("Seq Scan").doesNotContain("Join Filter");
            assertThat(indexConditions(backlog)).as("generic plan: %s", generic)
                    .anySatisfy(c -> assertThat(c).contains("id = i.user_id"));
        }
    }

    /**
     * A batch of the events' pruning reads the organisation's oldest events by the primary key, in
     * its order, and deletes them by their addresses: never the whole table nor all of the
     * organisation's events, for an organisation the statistics know and for one they do not.
     */
    @Test
    void pruningEventsReadsOnlyTheBatch() throws SQLException {
        UUID fresh = organisationTheStatisticsDoNotKnow();
        String known = column("SELECT org_id FROM " + STALE + ".scim_events WHERE org_id <> '" + fresh + "' LIMIT 1").get(0);
        for (String organisation : List.of(fresh.toString(), known)) {
            for (boolean generic : new boolean[] {false, true}) {
                String plan = explain("prune(uuid, uuid, int)", Sql.EVENTS_PRUNE, "'" + organisation + "', '"
                        + new UUID(-1, -1) + "', 1000", generic, STALE, "SET LOCAL enable_seqscan = on");
                assertThat(plan).as("%s, generic plan: %s", organisation, generic).contains("Tid Scan on scim_events")
                        .doesNotContain("Seq Scan").doesNotContain("Join");
                assertThat(indexConditions(plan)).as("%s, generic plan: %s", organisation, generic).singleElement()
                        .satisfies(c -> assertThat(c).contains("org_id = ").contains("id < "));
            }
        }
    }

    /** A schema of its own whose tables' statistics know one organisation but not the one this answers. */
    private static final String STALE = "stale_statistics";

    /**
     * Fills {@link #STALE}'s users, invitations and events with an organisation, analysed, then with another,
     * not (autovacuum off): 3,000 people, the first 1,000 inactive, each with an invitation not sent,
     * and 8,000 events.
     */
    private static UUID organisationTheStatisticsDoNotKnow() throws SQLException {
        UUID known = UUID.randomUUID();
        UUID fresh = UUID.randomUUID();
        try (Statement s = db.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + STALE);
            for (String table : List.of("scim_users", "invitations", "scim_events")) {
                s.execute("CREATE TABLE IF NOT EXISTS " + STALE + "." + table + " (LIKE public." + table + " INCLUDING ALL) "
                        + "WITH (autovacuum_enabled = false)");
                s.execute("TRUNCATE " + STALE + "." + table);
            }
            s.execute("INSERT INTO " + STALE + ".scim_users (org_id, id, user_name, active, attributes, version, created_at, "
                    + "updated_at) SELECT '" + known + "', gen_random_uuid(), 'known' || n, true, '{}', 1, now(), now() "
                    + "FROM generate_series(1, 2000) AS n");
            s.execute("INSERT INTO " + STALE + ".invitations (org_id, id, user_id, created_at, sent_at) "
                    + "SELECT org_id, gen_random_uuid(), id, now(), now() FROM " + STALE + ".scim_users");
            s.execute("INSERT INTO " + STALE + ".scim_events (org_id, id, at, operation, status, outcome) SELECT org_id, "
                    + "gen_random_uuid(), now(), 'create', 201, 'success' FROM " + STALE + ".scim_users");
            s.execute("ANALYZE " + STALE + ".scim_users, " + STALE + ".invitations, " + STALE + ".scim_events");
            s.execute("INSERT INTO " + STALE + ".scim_users (org_id, id, user_name, active, attributes, version, created_at, "
                    + "updated_at) SELECT '" + fresh + "', gen_random_uuid(), 'fresh' || n, n > 1000, '{}', 1, now(), now() "
                    + "FROM generate_series(1, 3000) AS n");
            s.execute("INSERT INTO " + STALE + ".invitations (org_id, id, user_id, created_at) SELECT org_id, gen_random_uuid(), "
                    + "id, created_at FROM " + STALE + ".scim_users WHERE org_id = '" + fresh + "'");
            s.execute("INSERT INTO " + STALE + ".scim_events (org_id, id, at, operation, status, outcome) SELECT '" + fresh
                    + "', gen_random_uuid(), now(), 'create', 201, 'success' FROM generate_series(1, 8000)");
        }
        return fresh;
    }

    /**
     * A batch that was sent, or whose sending failed, is found by each invitation's key and then by
     * its address, also with plans made while the table was empty.
     */
    @Test
    void markingSentOrFailedInvitationsReachesEachByItsKey() throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS plans_on_empty");
            s.execute("CREATE TABLE IF NOT EXISTS plans_on_empty.invitations (LIKE public.invitations INCLUDING ALL)");
        }
        List<String> ids = column("SELECT id FROM invitations WHERE org_id = '" + org + "' LIMIT 100");
        String sent = "'" + org + "', " + uuids(ids) + ", now(), now()";
        String failed = "'" + org + "', " + uuids(ids) + ", array_fill(now(), ARRAY[" + ids.size() + "]), now()";
        for (String schema : List.of("public", "plans_on_empty")) {
            for (String[] statement : List.of(
                    new String[] {"sent(uuid, uuid[], timestamptz, timestamptz)", Sql.OUTBOX_SENT, sent},
                    new String[] {"failed(uuid, uuid[], timestamptz[], timestamptz)", Sql.OUTBOX_RETURN, failed})) {
                String plan = explain(statement[0], statement[1], statement[2], true, schema);
                assertThat(plan).as("%s on %s", statement[0], schema).contains("Tid Scan on invitations")
                        .doesNotContain("Seq Scan");
                assertThat(indexConditions(plan)).as("%s on %s", statement[0], schema).isNotEmpty()
                        .allSatisfy(c -> assertThat(c).contains("id = a.id"));
            }
        }
    }

    /**
     * What a user's write does to their invitations reaches them by the user, not by reading the
     * organisation's invitations, with the plans a write's transaction has (no setting of its own).
     */
    @Test
    void aUsersWriteReachesTheirInvitationsByTheUser() throws SQLException {
        String user = column("SELECT id FROM scim_users WHERE org_id = '" + org + "' LIMIT 1").get(0);
        String arguments = "'" + org + "', '" + user + "', now(), 'a@example.com', gen_random_uuid()";
        for (boolean generic : new boolean[] {false, true}) {
            String plan = explain("follow(uuid, uuid, timestamptz, text, uuid)", Sql.USER_INVITATIONS_FOLLOW, arguments,
                    generic, "public", "SET LOCAL enable_seqscan = on");
            assertThat(plan).as("generic plan: %s", generic).doesNotContain("Seq Scan");
            assertThat(indexConditions(plan)).as("generic plan: %s", generic).isNotEmpty()
                    .allSatisfy(c -> assertThat(c).containsAnyOf("id = '" + user + "'", "id = $2"));
        }
    }

    /**
     * A user's delete reaches their invitations by the user, and a batch of the invitations' pruning
     * reads a range of the organisation's primary key and probes each person's newer ones by the
     * person: neither reads the table, under the plans by key their transactions ask for.
     */
    @Test
    void deletingAndPruningInvitationsReachThemByKey() throws SQLException {
        String user = column("SELECT user_id FROM invitations WHERE org_id = '" + org + "' LIMIT 1").get(0);
        String delete = explain("rest(uuid, uuid)", Sql.USER_DELETE_REST, "'" + org + "', '" + user + "'",
                true, "public", "SET LOCAL enable_seqscan = on");
        // The tables this class fills with thousands of rows; the others hold what earlier tests left,
        // and a sequential scan is the right read of a table of a few pages.
        assertThat(delete).as("delete").doesNotContain("Seq Scan on invitations").doesNotContain("Seq Scan on scim_users");
        assertThat(indexConditions(delete)).as("delete").isNotEmpty()
                .allSatisfy(c -> assertThat(c).containsAnyOf("id = '" + user + "'", "id = $2"));
        String prune = explain("prune(uuid, uuid, timestamptz, int)", Sql.INVITATIONS_PRUNE,
                "'" + org + "', '" + new UUID(0, 0) + "', now(), 1000", true, "public", "SET LOCAL enable_seqscan = on");
        assertThat(prune).as("prune").doesNotContain("Seq Scan");
        assertThat(indexConditions(prune)).as("prune").anySatisfy(c -> assertThat(c).contains("user_id = s.user_id"));
    }

    /**
     * Under statistics that count on a row or two per organisation, a batch of the invitations'
     * pruning reads its range by the primary key, deletes by address and probes each person's newer
     * invitations by the person. Joined, the delete read all of the organisation's invitations for the
     * batch's rows, and so did the probe.
     */
    @Test
    void pruningInvitationsReachesThemByKeyWhereEachOrganisationLooksSmall() throws SQLException {
        thinOutOrganisations();
        for (String schema : List.of("public", THINNED)) {
            String prune = explain("prune(uuid, uuid, timestamptz, int)", Sql.INVITATIONS_PRUNE,
                    "'" + org + "', '" + new UUID(0, 0) + "', now(), 1000", true, schema, Sql.PLANS_IN_KEY_ORDER);
            assertThat(prune).as(schema).doesNotContain("Seq Scan").doesNotContain("Join Filter")
                    .contains("Tid Scan on invitations");
            assertThat(indexConditions(prune)).as(schema).hasSize(2)
                    .anySatisfy(c -> assertThat(c).contains("org_id = $1").contains("id > $2"))
                    .anySatisfy(c -> assertThat(c).contains("org_id = $1").contains("user_id = s.user_id"));
        }
    }

    /** A page of an organisation's members, also where each organisation looks small: the primary key, unsorted. */
    @Test
    void aPageOfMembersReadsThePrimaryKeyInItsOrder() throws SQLException {
        thinOutOrganisations();
        for (String schema : List.of("public", THINNED)) {
            String page = explain("page(uuid, uuid, text, int)", Sql.MEMBERS_PAGE,
                    "'" + org + "', '" + new UUID(0, 0) + "', NULL, 100", true, schema, Sql.PLANS_IN_KEY_ORDER);
            assertThat(page).as(schema).doesNotContain("Seq Scan").doesNotContain("Sort").contains("Index Scan using scim_users_pkey");
            assertThat(indexConditions(page)).as(schema).singleElement()
                    .satisfies(c -> assertThat(c).contains("org_id = $1").contains("id > $2"));
        }
    }

    /**
     * Lookups by key, as each is sent, for an organisation the statistics do not know where they saw
     * every other organisation once (so they would take the organisation id for unique): each row by
     * its whole key. Taking org_id for unique, the planner found a person through the userName index
     * with the organisation alone (every person of it read for a GET), the backlog's people likewise
     * for each waiting invitation, an invitation through its person's index, a group through its
     * displayName, and a group's members through the index by person.
     */
    @Test
    void lookupsByKeyTakeTheWholeKeyWhereEachOrganisationLooksSmall() throws SQLException {
        thinOutOrganisations();
        String user = "'" + UUID.randomUUID() + "'";
        String target = "'" + org + "', " + user;
        // The statistics as the migrations have them made; sent without settings of their own, so
        // sequential scans allowed.
        List<String> settings = new ArrayList<>(List.of(asMigrated()));
        settings.add("SET LOCAL enable_seqscan = on");
        String[] migrated = settings.toArray(new String[0]);
        for (boolean generic : new boolean[] {false, true}) {
            String find = explain("find(uuid, uuid)", Sql.USER_FIND, target, generic, THINNED, migrated);
            assertThat(indexConditions(find)).as("find, generic plan: %s", generic).singleElement()
                    .satisfies(c -> assertThat(c).contains("org_id = ").containsAnyOf("(id = $2)", "(id = " + user));
            String backlog = explain("backlog(uuid)", Sql.OUTBOX_BACKLOG, "'" + org + "'", generic, THINNED, migrated);
            assertThat(backlog).as("backlog, generic plan: %s", generic).doesNotContain("Seq Scan");
            assertThat(indexConditions(backlog)).as("backlog, generic plan: %s", generic)
                    .anySatisfy(c -> assertThat(c).contains("org_id = i.org_id").contains("id = i.user_id"));
            String group = explain("grp(uuid, uuid)", Sql.GROUP_WITH_MEMBERS, target, generic, THINNED, migrated);
            assertThat(group).as("group, generic plan: %s", generic).contains("Index Scan using scim_groups_pkey")
                    .doesNotContain("Seq Scan");
            assertThat(indexConditions(group)).as("group, generic plan: %s", generic).hasSize(2)
                    .allSatisfy(c -> assertThat(c).containsAnyOf("(id = ", "(group_id = g.id)"));
            assertThat(group).as("group, generic plan: %s", generic)
                    .containsPattern("Index (Only )?Scan using scim_group_members_pkey");
        }
        // Sent with plans by key.
        String peek = explain("peek(uuid, uuid)", Sql.INVITATION_PEEK, target, true, THINNED, asMigrated());
        assertThat(peek).doesNotContain("Join Filter").doesNotContain("Seq Scan");
        assertThat(indexConditions(peek)).hasSize(2).allSatisfy(c -> assertThat(c).containsAnyOf("(id = $2)", "(id = i.user_id)"));
    }

    /**
     * A group's members removed by id probe each membership by its whole key and go by address; a
     * PUT's members kept are looked up in a hash. Both read a group's members against every id given
     * before (a filter of {@code = ANY} or {@code <> ALL} an array parameter, compared one by one).
     */
    @Test
    void removingMembersProbesEachByKeyAndKeepingThemHashesTheIds() throws SQLException {
        thinOutOrganisations();
        String arguments = "'" + org + "', '" + UUID.randomUUID() + "', '{" + UUID.randomUUID() + "," + UUID.randomUUID() + "}'";
        for (String schema : List.of("public", THINNED)) {
            String remove = explain("remove(uuid, uuid, uuid[])", Sql.MEMBERS_REMOVE, arguments, true, schema);
            assertThat(remove).as(schema).contains("Tid Scan on scim_group_members").doesNotContain("Seq Scan")
                    .doesNotContain("ANY ($3");
            assertThat(indexConditions(remove)).as(schema).singleElement()
                    .satisfies(c -> assertThat(c).contains("org_id = $1").contains("group_id = $2").contains("user_id = r.id"));
            String keep = explain("keep(uuid, uuid, uuid[])", Sql.MEMBERS_KEEP_ONLY, arguments, true, schema);
            assertThat(keep).as(schema).contains("hashed SubPlan").doesNotContain("ALL ($3").doesNotContain("Seq Scan");
            assertThat(indexConditions(keep)).as(schema).singleElement()
                    .satisfies(c -> assertThat(c).contains("org_id = $1").contains("group_id = $2"));
        }
    }

    /** Every setting that turns plan types off turns JIT off with them (see Sql.NO_JIT). */
    @Test
    void plansThatTurnPlanTypesOffTurnJitOff() throws SQLException {
        for (String settings : List.of(Sql.PLANS_BY_KEY, Sql.PLANS_IN_KEY_ORDER, Sql.PLANS_BY_ADDRESS)) {
            db.setAutoCommit(false);
            try (Statement s = db.createStatement()) {
                s.execute("SET LOCAL jit = on");
                s.execute(settings);
                assertThat(column("SHOW jit")).as(settings).containsExactly("off");
            } finally {
                db.rollback();
                db.setAutoCommit(true);
            }
        }
    }

    /**
     * Statements that give {@link #THINNED}'s tables the organisation id's settings the migrations
     * gave public's and analyse them again, for an {@link #explain} to run first: its transaction is
     * rolled back, the schema keeps its statistics as ANALYZE alone made them.
     */
    private static String[] asMigrated() throws SQLException {
        List<String> out = new ArrayList<>();
        List<String> tables = List.of("scim_users", "scim_groups", "scim_group_members", "invitations");
        for (String table : tables) {
            for (String option : column("SELECT unnest(attoptions) FROM pg_attribute "
                    + "WHERE attrelid = 'public." + table + "'::regclass AND attname = 'org_id'")) {
                out.add("ALTER TABLE " + THINNED + "." + table + " ALTER COLUMN org_id SET (" + option + ")");
            }
        }
        assertThat(out).as("the migrations' settings of org_id").isNotEmpty();
        out.add("ANALYZE " + String.join(", ", tables.stream().map(t -> THINNED + "." + t).toList()));
        return out.toArray(new String[0]);
    }

    /** A schema of its own whose statistics count on a row or two per organisation in each table. */
    private static final String THINNED = "thinned_statistics";

    /**
     * Fills {@link #THINNED}'s people, groups, memberships and invitations with 2,000 organisations of
     * 20 rows each, then deletes all but one of each organisation's and analyses them, once per run:
     * the statistics then count on one row per organisation, and the primary keys keep their pages (as
     * in a database of many small organisations, or after a test run's deletes) while the other
     * indexes are rebuilt. Reading an organisation through another index and sorting what it read then
     * costs the planner less than its primary key.
     */
    private static synchronized void thinOutOrganisations() throws SQLException {
        try (Statement s = db.createStatement()) {
            if (!column("SELECT 1 FROM pg_namespace WHERE nspname = '" + THINNED + "'").isEmpty()) {
                return;
            }
            s.execute("CREATE SCHEMA " + THINNED);
            for (String table : List.of("scim_users", "scim_groups", "scim_group_members", "invitations")) {
                // Without the organisation id's settings the migrations give public's table (LIKE copies
                // none): statistics as ANALYZE alone makes them (see asMigrated).
                s.execute("CREATE TABLE " + THINNED + "." + table + " (LIKE public." + table + " INCLUDING ALL) "
                        + "WITH (autovacuum_enabled = false)");
            }
            String t = THINNED + ".";
            s.execute("INSERT INTO " + t + "scim_users (org_id, id, user_name, active, attributes, version, created_at, updated_at) "
                    + "SELECT o, gen_random_uuid(), 'u' || n, true, '{}', 1, now(), now() "
                    + "FROM (SELECT gen_random_uuid() AS o FROM generate_series(1, 2000)) orgs, generate_series(1, 20) AS n");
            s.execute("INSERT INTO " + t + "scim_groups (org_id, id, display_name, attributes, version, created_at, updated_at) "
                    + "SELECT org_id, gen_random_uuid(), 'g' || substr(user_name, 2), '{}', 1, now(), now() FROM " + t + "scim_users");
            s.execute("INSERT INTO " + t + "invitations (org_id, id, user_id, created_at) "
                    + "SELECT org_id, gen_random_uuid(), id, now() FROM " + t + "scim_users");
            s.execute("INSERT INTO " + t + "scim_group_members (org_id, group_id, user_id) SELECT u.org_id, g.id, u.id FROM "
                    + t + "scim_users u JOIN " + t + "scim_groups g ON g.org_id = u.org_id AND g.display_name = 'g1'");
            s.execute("DELETE FROM " + t + "scim_users WHERE user_name <> 'u1'");
            s.execute("DELETE FROM " + t + "scim_groups WHERE display_name <> 'g1'");
            s.execute("DELETE FROM " + t + "invitations i WHERE NOT EXISTS (SELECT 1 FROM " + t + "scim_users u WHERE u.id = i.user_id)");
            s.execute("DELETE FROM " + t + "scim_group_members m WHERE NOT EXISTS (SELECT 1 FROM " + t + "scim_users u "
                    + "WHERE u.id = m.user_id)");
            // The other indexes rebuilt, the primary keys left with the deleted rows' pages: reading an
            // organisation through another index and sorting it then costs the planner less than its
            // primary key in order, every run, rather than about the same.
            for (String index : column("SELECT schemaname || '.' || indexname FROM pg_indexes WHERE schemaname = '"
                    + THINNED + "' AND indexname NOT LIKE '%pkey%'")) {
                s.execute("REINDEX INDEX " + index);
            }
            s.execute("ANALYZE " + t + "scim_users, " + t + "scim_groups, " + t + "invitations, " + t + "scim_group_members");
        }
    }

    /**
     * An erasure's batches, a table's first and those after it, and its last check: each table read by
     * its primary key, never read whole; a batch after the first starts its read at the key it is given.
     */
    @Test
    void erasingReachesTheOrganisationsRowsByKey() throws SQLException {
        thinOutOrganisations();
        // Also where the statistics count on a row or two per organisation (the tables this schema lacks are public's).
        for (String schema : List.of("public", THINNED + ", public")) {
            for (Sql.EraseBatch batch : Stream.concat(Sql.ORG_ERASE_BATCHES.stream(), Sql.ORG_ERASE_BATCHES_WAITING.stream()).toList()) {
                String plan = explain("erase(uuid, int)", batch.first(), "'" + org + "', 1000", true, schema, Sql.PLANS_IN_KEY_ORDER);
                assertThat(plan).as("%s: %s", schema, batch.first()).doesNotContain("Seq Scan").contains("Tid Scan")
                        .containsPattern("Index Scan using \\w+_pkey");
                assertThat(indexConditions(plan)).as("%s: %s", schema, batch.first()).singleElement()
                        .satisfies(c -> assertThat(c).contains("org_id = $1"));
                // The key's types are left to PostgreSQL, as the client does.
                String after = batch.next().contains("$4") ? ", NULL, NULL" : ", NULL";
                String next = explain("erase_next(uuid, int)", batch.next(), "'" + org + "', 1000" + after, true, schema,
                        Sql.PLANS_IN_KEY_ORDER);
                assertThat(next).as("%s: %s", schema, batch.next()).doesNotContain("Seq Scan").contains("Tid Scan")
                        .containsPattern("Index Scan using \\w+_pkey");
                assertThat(indexConditions(next)).as("%s: %s", schema, batch.next()).singleElement()
                        .satisfies(c -> assertThat(c).contains("org_id = $1").contains("> ROW($1, $3"));
            }
        }
        String last = explain("last(uuid)", Sql.ORG_ERASE_LAST, "'" + org + "'", true);
        assertThat(last).doesNotContain("Seq Scan");
        assertThat(indexConditions(last)).hasSizeGreaterThan(Sql.ORG_ERASE_BATCHES.size());
    }

    @Test
    void addingMembersInABatchProbesEachMembershipByItsKey() throws SQLException {
        List<String> users = column("SELECT id FROM scim_users WHERE org_id = '" + org + "' LIMIT 200");
        String group = UUID.randomUUID().toString();
        String plan = explain(BATCH_SIGNATURE, Sql.MEMBERS_BATCH, batchArguments(group, users), true);
        // Every read of the memberships and the users is by the whole key of an index; the delete then
        // reaches the rows by their addresses.
        assertThat(plan).doesNotContain("Seq Scan").doesNotContain("Anti Join").contains("Tid Scan on scim_group_members");
        List<String> conditions = indexConditions(plan);
        assertThat(conditions).filteredOn(c -> c.contains("user_id")).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(c -> assertThat(c).contains("group_id = $2"));
        assertThat(conditions).filteredOn(c -> c.contains("u.id") || c.contains("(id =")).isNotEmpty();
    }

    @Test
    void addingMembersOneByOneProbesEachUserAndMembershipByItsKey() throws SQLException {
        List<String> users = column("SELECT id FROM scim_users WHERE org_id = '" + org + "' LIMIT 200");
        // The generic plan, as a group write's transaction asks for: a custom plan may take, for each
        // probe, an index on the organisation alone (measured: every user of the organisation read per id).
        String plan = explain("addm(uuid, uuid, uuid[])", Sql.MEMBERS_ADD,
                "'" + org + "', '" + UUID.randomUUID() + "', " + uuids(users), true);
        assertThat(plan).doesNotContain("Seq Scan").doesNotContain("Anti Join");
        assertThat(indexConditions(plan)).isNotEmpty()
                .allSatisfy(c -> assertThat(c).containsAnyOf("(id = a.id)", "(user_id = k"));
    }

    /**
     * A connection keeps a statement's generic plan until the statistics of its tables change, so a
     * plan made while the tables were small serves them at any size until autovacuum next analyses
     * them (in a first sync, a million memberships later). Made on empty tables of the same shape,
     * the membership writes' plans must still reach every row by a key or an address.
     */
    @Test
    void plansMadeWhileTheTablesAreEmptyReachRowsByKeyOrAddress() throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS plans_on_empty");
            for (String table : List.of("scim_groups", "scim_users", "scim_group_members", "resource_changes", "scim_events")) {
                s.execute("CREATE TABLE IF NOT EXISTS plans_on_empty." + table + " (LIKE public." + table + " INCLUDING ALL)");
            }
        }
        String group = UUID.randomUUID().toString();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(UUID.randomUUID().toString());
        }
        for (String[] statement : List.of(
                new String[] {BATCH_SIGNATURE, Sql.MEMBERS_BATCH, batchArguments(group, ids)},
                new String[] {"addm(uuid, uuid, uuid[])", Sql.MEMBERS_ADD, "'" + org + "', '" + group + "', " + uuids(ids)})) {
            String plan = explain(statement[0], statement[1], statement[2], true, "plans_on_empty");
            // With only that schema on the search path, each table named is its empty copy.
            assertThat(plan).as(statement[0]).doesNotContain("Seq Scan");
        }
    }

    private static final String BATCH_SIGNATURE =
            "batch(uuid, uuid, uuid[], uuid[], uuid[], text, text, uuid[], uuid[], text[], int[], int[], text[], uuid[], int[], timestamptz)";

    /** MEMBERS_BATCH's arguments for a batch that checks all of {@code ids}, removes ten and adds the rest. */
    private static String batchArguments(String group, List<String> ids) {
        return "'" + org + "', '" + group + "', " + uuids(ids) + ", " + uuids(ids.subList(0, 10)) + ", "
                + uuids(ids.subList(10, ids.size())) + ", 'Group', '" + group + "', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', now()";
    }

    /**
     * The plan PostgreSQL makes for a prepared statement: the generic one (as a membership batch's
     * transaction asks for, {@link Sql#PLANS_BY_KEY}) or one for these arguments.
     */
    private static String explain(String signature, String sql, String arguments, boolean generic) throws SQLException {
        return explain(signature, sql, arguments, generic, "public");
    }

    /** {@link #explain(String, String, String, boolean)} with the tables of that schema, after those settings. */
    private static String explain(String signature, String sql, String arguments, boolean generic, String schema,
                                  String... settings) throws SQLException {
        String name = signature.substring(0, signature.indexOf('('));
        db.setAutoCommit(false);
        try (Statement s = db.createStatement()) {
            s.execute("SET LOCAL search_path TO " + schema);
            s.execute(generic ? Sql.PLANS_BY_KEY : "SET LOCAL plan_cache_mode = force_custom_plan");
            for (String setting : settings) {
                s.execute(setting);
            }
            s.execute("PREPARE " + signature + " AS " + sql);
            StringBuilder out = new StringBuilder();
            try (ResultSet rs = s.executeQuery("EXPLAIN (COSTS OFF) EXECUTE " + name + "(" + arguments + ")")) {
                while (rs.next()) {
                    out.append(rs.getString(1)).append('\n');
                }
            }
            return out.toString();
        } finally {
            db.rollback();
            db.setAutoCommit(true);
            try (Statement s = db.createStatement()) {
                s.execute("DEALLOCATE ALL");
            }
        }
    }

    private static List<String> indexConditions(String plan) {
        List<String> out = new ArrayList<>();
        for (String line : plan.split("\n")) {
            if (line.contains("Index Cond:")) {
                out.add(line.trim());
            }
        }
        return out;
    }

    private static List<String> column(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static String uuids(List<String> ids) {
        return "'{" + String.join(",", ids) + "}'::uuid[]";
    }
}
