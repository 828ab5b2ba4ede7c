package io.hanzo.kms.scim.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hanzo.kms.scim.chaos.Ledger.Existence;
import io.hanzo.kms.scim.chaos.Ledger.Snapshot;
import io.hanzo.kms.scim.chaos.Ledger.TrackedUser;
import io.hanzo.kms.scim.it.TempDirectories;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Kill -9 under load: 8 clients create, PATCH, PUT and DELETE users and add and remove group members
 * while the server's JVM (and sometimes its embedded PostgreSQL with it) is killed with SIGKILL at
 * random moments and restarted. Afterwards every acknowledged change is there, and every provisioned
 * person has exactly one delivered invitation. {@code -Dchaos.kills=N} runs more kills (make chaos).
 */
class KillNineIT {
    private static final int CLIENTS = 8;
    private static final String SCIM = "/api/v1/scim";
    private static final String USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
    private static final String PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    /**
     * A restart's bound on a busy shared machine: clearing a leftover PostgreSQL may wait 25 s (15 s for
     * it to stop cleanly, 10 s more once killed: EmbeddedLeftovers), and starting the JVM, recovering
     * the database and loading the index may take half a minute more. A start that waits for a 60 s
     * timeout, as one did before it was fixed, still exceeds it.
     */
    private static final Duration RESTART_BOUND = Duration.ofSeconds(60);

    private enum Kill { JVM, JVM_AND_POSTGRES }

    @Test
    void acknowledgedWritesSurviveRepeatedKills() throws Exception {
        assumeLinuxProc();
        int kills = Integer.getInteger("chaos.kills", 3);
        long seed = Long.getLong("chaos.seed", System.nanoTime());
        Random random = new Random(seed);
        Path dir = Files.createTempDirectory("kms-scim-chaos");
        ServerProcess server = new ServerProcess(dir);
        List<Long> restartMillis = new ArrayList<>();
        List<Kill> injected = new ArrayList<>();
        List<Ledger> ledgers = new ArrayList<>();
        boolean passed = false;
        try {
            Duration firstStart = server.start();
            PlainHttp admin = new PlainHttp(server.baseUrl());
            String[] org = createOrganisation(admin);
            String orgId = org[0];
            String token = org[1];

            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                Ledger ledger = new Ledger(c);
                ledgers.add(ledger);
                ledger.groupId = createGroup(admin, token, "chaos-group-" + c);
                Random own = new Random(random.nextLong());
                Thread t = new Thread(() -> runClient(ledger, new PlainHttp(server.baseUrl()), token, stop, own), "chaos-client-" + c);
                threads.add(t);
                t.start();
            }
            for (int k = 0; k < kills; k++) {
                Thread.sleep(1500 + random.nextInt(2500));
                // The first two kills cover both kinds; later ones are drawn at random.
                Kill kind = k == 0 ? Kill.JVM : k == 1 ? Kill.JVM_AND_POSTGRES
                        : random.nextBoolean() ? Kill.JVM : Kill.JVM_AND_POSTGRES;
                if (kind == Kill.JVM) {
                    server.killJvm();
                } else {
                    server.killAll();
                }
                injected.add(kind);
                restartMillis.add(server.start().toMillis());
            }
            // Some load on the last incarnation too, then stop the clients.
            Thread.sleep(1500);
            stop.set(true);
            for (Thread t : threads) {
                t.join(60_000);
                assertThat(t.isAlive()).as(t.getName() + " finished").isFalse();
            }

            waitForOutbox(server, orgId);
            List<String> lost = new ArrayList<>();
            for (Ledger l : ledgers) {
                lost.addAll(verify(server, admin, token, orgId, l));
            }
            lost.addAll(verifyOrganisation(server, admin, token, orgId, ledgers));

            long acknowledged = ledgers.stream().mapToLong(l -> l.acknowledged).sum();
            long unknown = ledgers.stream().mapToLong(l -> l.unknown).sum();
            long serverErrors = ledgers.stream().mapToLong(l -> l.serverErrors).sum();
            List<String> anomalies = ledgers.stream().flatMap(l -> l.anomalies.stream()).toList();
            String summary = String.format(Locale.ROOT,
                    "KILL-9 CHAOS: seed=%d kills=%d (jvm only=%d, jvm+postgres=%d) acknowledged=%d unknown=%d 5xx=%d "
                            + "lost=%d anomalies=%d first start=%d ms restart ms=%s (max %d, median %d)",
                    seed, injected.size(), injected.stream().filter(k -> k == Kill.JVM).count(),
                    injected.stream().filter(k -> k == Kill.JVM_AND_POSTGRES).count(), acknowledged, unknown, serverErrors,
                    lost.size(), anomalies.size(), firstStart.toMillis(), restartMillis,
                    restartMillis.stream().max(Comparator.naturalOrder()).orElse(0L), median(restartMillis));
            System.out.println(summary);
            writeSummary(summary);

            assertThat(lost).as("acknowledged changes lost or altered (seed " + seed + ")").isEmpty();
            assertThat(anomalies).as("answers no correct server gives (seed " + seed + ")").isEmpty();
            assertThat(acknowledged).as("the clients got work done between kills").isGreaterThan(100);
            assertThat(injected).hasSize(kills);
            // The target is under 10 s (reported above); see RESTART_BOUND for what the bound catches.
            assertThat(restartMillis).allSatisfy(ms -> assertThat(ms).isLessThan(RESTART_BOUND.toMillis()));
            passed = true;
        } finally {
            server.stop();
            if (passed) {
                TempDirectories.delete(dir);
            } else {
                System.out.println("Chaos data and server log kept in " + dir + ":\n" + server.tail());
            }
        }
    }

    /** The OOM killer's choice: only the JVM dies; its PostgreSQL keeps running, orphaned. */
    @Test
    void restartAfterOnlyTheJvmWasKilledIsQuick() throws Exception {
        assumeLinuxProc();
        Path dir = Files.createTempDirectory("kms-scim-jvmkill");
        ServerProcess server = new ServerProcess(dir);
        boolean passed = false;
        try {
            server.start();
            PlainHttp http = new PlainHttp(server.baseUrl());
            String[] org = createOrganisation(http);
            PlainHttp.Response created = http.send("POST", SCIM + "/Users", org[1],
                    "{\"userName\":\"orphan.test@example.com\",\"title\":\"before\"}");
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            String id = created.json().path("id").asText();

            List<ProcessHandle> orphans = server.postgresProcesses();
            assertThat(orphans).as("the embedded PostgreSQL runs in the data directory").isNotEmpty();
            server.killJvm();
            assertThat(orphans.stream().filter(ProcessHandle::isAlive))
                    .as("the PostgreSQL the killed JVM started is still running").isNotEmpty();

            Duration restart = server.start();
            System.out.println("KILL-9 JVM ONLY: restart with an orphaned PostgreSQL took " + restart.toMillis() + " ms");
            assertThat(orphans.stream().filter(ProcessHandle::isAlive)).as("the orphans were stopped").isEmpty();
            assertThat(restart).isLessThan(RESTART_BOUND);
            PlainHttp.Response got = http.send("GET", SCIM + "/Users/" + id, org[1], null);
            assertThat(got.status()).as(got.text()).isEqualTo(200);
            assertThat(got.json().path("title").asText()).isEqualTo("before");
            passed = true;
        } finally {
            server.stop();
            if (passed) {
                TempDirectories.delete(dir);
            } else {
                System.out.println("Data and server log kept in " + dir + ":\n" + server.tail());
            }
        }
    }

    // ---- the clients -------------------------------------------------------------------------

    private static void runClient(Ledger l, PlainHttp http, String token, AtomicBoolean stop, Random rnd) {
        int serial = 0;
        while (!stop.get()) {
            List<TrackedUser> live = l.users.stream().filter(TrackedUser::usable).toList();
            double r = rnd.nextDouble();
            try {
                if (live.size() < 4 || r < 0.2) {
                    create(l, http, token, "c" + l.client + "-u" + (serial++) + "@chaos.test", rnd);
                    continue;
                }
                TrackedUser u = live.get(rnd.nextInt(live.size()));
                if (r < 0.4) {
                    patchTitle(l, http, token, u, "t" + rnd.nextInt(1_000_000));
                } else if (r < 0.55) {
                    replace(l, http, token, u, "t" + rnd.nextInt(1_000_000), "g" + rnd.nextInt(1_000_000));
                } else if (r < 0.62) {
                    delete(l, http, token, u);
                } else if (r < 0.82) {
                    member(l, http, token, u, true);
                } else {
                    member(l, http, token, u, false);
                }
            } catch (ConnectException e) {
                // Nothing was sent: the server is down. Wait for it to come back.
                pause(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                synchronized (l.anomalies) {
                    l.anomalies.add("client " + l.client + " failed: " + e);
                }
            }
        }
    }

    /** Sends a request; null when no answer came back and the outcome is unknown. */
    private static PlainHttp.Response send(Ledger l, PlainHttp http, String method, String path, String token, String body)
            throws ConnectException, InterruptedException {
        try {
            PlainHttp.Response r = http.send(method, path, token, body);
            if (r.status() >= 500) {
                l.serverErrors++;
                l.unknown++;
                return null;
            }
            return r;
        } catch (ConnectException e) {
            throw e;
        } catch (IOException e) {
            l.unknown++;
            pause(50);
            return null;
        }
    }

    private static void create(Ledger l, PlainHttp http, String token, String userName, Random rnd)
            throws ConnectException, InterruptedException {
        String given = "g" + rnd.nextInt(1_000_000);
        TrackedUser u = new TrackedUser(userName);
        PlainHttp.Response r = send(l, http, "POST", SCIM + "/Users", token, userBody(userName, "t0", given));
        if (r == null) {
            u.existence = Existence.CREATE_UNKNOWN;
            u.allowed.add(new Snapshot("t0", given));
            l.users.add(u);
            return;
        }
        if (r.status() != 201) {
            l.anomalies.add("POST " + userName + " answered " + r.status() + ": " + r.text());
            return;
        }
        l.acknowledged++;
        u.id = r.json().path("id").asText();
        u.existence = Existence.YES;
        u.allowed.add(new Snapshot("t0", given));
        l.users.add(u);
    }

    private static void patchTitle(Ledger l, PlainHttp http, String token, TrackedUser u, String title)
            throws ConnectException, InterruptedException {
        String body = "{\"schemas\":[\"" + PATCH_SCHEMA + "\"],\"Operations\":[{\"op\":\"replace\",\"path\":\"title\",\"value\":\""
                + title + "\"}]}";
        PlainHttp.Response r = send(l, http, "PATCH", SCIM + "/Users/" + u.id, token, body);
        if (r == null) {
            u.title(title, false);
        } else if (r.status() == 200 || r.status() == 204) {
            l.acknowledged++;
            u.title(title, true);
        } else {
            l.anomalies.add("PATCH title of acknowledged " + u.userName + " answered " + r.status() + ": " + r.text());
        }
    }

    private static void replace(Ledger l, PlainHttp http, String token, TrackedUser u, String title, String given)
            throws ConnectException, InterruptedException {
        PlainHttp.Response r = send(l, http, "PUT", SCIM + "/Users/" + u.id, token, userBody(u.userName, title, given));
        if (r == null) {
            u.replaced(title, given, false);
        } else if (r.status() == 200) {
            l.acknowledged++;
            u.replaced(title, given, true);
        } else {
            l.anomalies.add("PUT of acknowledged " + u.userName + " answered " + r.status() + ": " + r.text());
        }
    }

    private static void delete(Ledger l, PlainHttp http, String token, TrackedUser u)
            throws ConnectException, InterruptedException {
        PlainHttp.Response r = send(l, http, "DELETE", SCIM + "/Users/" + u.id, token, null);
        if (r == null) {
            u.existence = Existence.DELETE_UNKNOWN;
        } else if (r.status() == 204) {
            l.acknowledged++;
            u.existence = Existence.NO;
        } else {
            l.anomalies.add("DELETE of acknowledged " + u.userName + " answered " + r.status() + ": " + r.text());
        }
    }

    private static void member(Ledger l, PlainHttp http, String token, TrackedUser u, boolean add)
            throws ConnectException, InterruptedException {
        String op = add
                ? "{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + u.id + "\"}]}"
                : "{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + u.id + "\\\"]\"}";
        String body = "{\"schemas\":[\"" + PATCH_SCHEMA + "\"],\"Operations\":[" + op + "]}";
        PlainHttp.Response r = send(l, http, "PATCH", SCIM + "/Groups/" + l.groupId, token, body);
        if (r == null) {
            u.member(add, false);
        } else if (r.status() == 200 || r.status() == 204) {
            l.acknowledged++;
            u.member(add, true);
        } else {
            l.anomalies.add("PATCH members of group " + l.groupId + " answered " + r.status() + ": " + r.text());
        }
    }

    private static String userBody(String userName, String title, String given) {
        return "{\"schemas\":[\"" + USER_SCHEMA + "\"],\"userName\":\"" + userName + "\",\"title\":\"" + title
                + "\",\"name\":{\"givenName\":\"" + given + "\",\"familyName\":\"Chaos\"},"
                + "\"emails\":[{\"value\":\"" + userName + "\",\"type\":\"work\",\"primary\":true}]}";
    }

    // ---- verification ------------------------------------------------------------------------

    private static List<String> verify(ServerProcess server, PlainHttp http, String token, String orgId, Ledger l)
            throws Exception {
        List<String> lost = new ArrayList<>();
        PlainHttp.Response group = http.send("GET", SCIM + "/Groups/" + l.groupId, token, null);
        if (group.status() != 200) {
            lost.add("group " + l.groupId + " answered " + group.status());
            return lost;
        }
        Set<String> apiMembers = new HashSet<>();
        group.json().path("members").forEach(m -> apiMembers.add(m.path("value").asText()));
        Set<String> dbMembers = new HashSet<>();
        Map<String, String[]> dbUsers = new HashMap<>();
        try (Connection c = server.database()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT user_id FROM scim_group_members WHERE org_id = ? AND group_id = ?")) {
                ps.setObject(1, UUID.fromString(orgId));
                ps.setObject(2, UUID.fromString(l.groupId));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        dbMembers.add(rs.getString(1));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id, lower(user_name), attributes->>'title', "
                    + "attributes->'name'->>'givenName' FROM scim_users WHERE org_id = ? AND user_name LIKE ?")) {
                ps.setObject(1, UUID.fromString(orgId));
                ps.setString(2, "c" + l.client + "-u%");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        dbUsers.put(rs.getString(2), new String[] {rs.getString(1), rs.getString(3), rs.getString(4)});
                    }
                }
            }
        }
        if (!apiMembers.equals(dbMembers)) {
            lost.add("group " + l.groupId + ": API members " + apiMembers + " differ from the database's " + dbMembers);
        }
        for (TrackedUser u : l.users) {
            String[] row = dbUsers.get(u.userName.toLowerCase(Locale.ROOT));
            String id = u.id != null ? u.id : row != null ? row[0] : null;
            PlainHttp.Response api = id == null ? null : http.send("GET", SCIM + "/Users/" + id, token, null);
            boolean inApi = api != null && api.status() == 200;
            if (inApi != (row != null)) {
                lost.add(u.userName + ": the API (" + (api == null ? "-" : api.status()) + ") and the database ("
                        + (row != null) + ") disagree");
                continue;
            }
            boolean exists = row != null;
            switch (u.existence) {
                case YES -> {
                    if (!exists) {
                        lost.add(u.userName + ": acknowledged creation lost");
                        continue;
                    }
                }
                case NO -> {
                    if (exists) {
                        lost.add(u.userName + ": acknowledged deletion undone");
                    }
                    continue;
                }
                default -> {
                    if (!exists) {
                        continue;
                    }
                }
            }
            if (u.id != null && !u.id.equals(row[0])) {
                lost.add(u.userName + ": id changed from " + u.id + " to " + row[0]);
            }
            Snapshot apiSnap = new Snapshot(api.json().path("title").asText(null),
                    api.json().path("name").path("givenName").asText(null));
            Snapshot dbSnap = new Snapshot(row[1], row[2]);
            if (!u.allowed.contains(apiSnap) || !u.allowed.contains(dbSnap)) {
                lost.add(u.userName + ": attributes API " + apiSnap + " / database " + dbSnap + " not among the allowed "
                        + u.allowed);
            }
            if (!api.json().path("userName").asText().equals(u.userName)) {
                lost.add(u.userName + ": userName became " + api.json().path("userName").asText());
            }
            boolean apiMember = apiMembers.contains(row[0]);
            boolean dbMember = dbMembers.contains(row[0]);
            if (!u.memberAllowed.contains(apiMember) || !u.memberAllowed.contains(dbMember)) {
                lost.add(u.userName + ": member of the group API=" + apiMember + " database=" + dbMember + ", allowed "
                        + u.memberAllowed);
            }
        }
        Set<String> known = new HashSet<>();
        l.users.forEach(u -> known.add(u.userName.toLowerCase(Locale.ROOT)));
        dbUsers.keySet().stream().filter(n -> !known.contains(n)).forEach(n -> lost.add(n + ": a user nobody created"));
        Set<String> ids = new HashSet<>();
        dbUsers.values().forEach(r -> ids.add(r[0]));
        dbMembers.stream().filter(m -> !ids.contains(m)).forEach(m -> lost.add("group member " + m + " is no user of the client"));
        return lost;
    }

    /** The index agrees with the database, and each provisioned person has exactly one delivered invitation. */
    private static List<String> verifyOrganisation(ServerProcess server, PlainHttp http, String token, String orgId,
                                                   List<Ledger> ledgers) throws Exception {
        List<String> problems = new ArrayList<>();
        PlainHttp.Response list = http.send("GET", SCIM + "/Users?count=0", token, null);
        long dbCount;
        try (Connection c = server.database()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM scim_users WHERE org_id = ?")) {
                ps.setObject(1, UUID.fromString(orgId));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    dbCount = rs.getLong(1);
                }
            }
            if (list.json().path("totalResults").asLong() != dbCount) {
                problems.add("the API lists " + list.json().path("totalResults").asLong() + " users, the database holds " + dbCount);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT u.user_name, "
                    + "count(i.id) FILTER (WHERE i.voided_at IS NULL), "
                    + "count(i.id) FILTER (WHERE i.voided_at IS NULL AND i.sent_at IS NOT NULL) "
                    + "FROM scim_users u LEFT JOIN invitations i ON i.org_id = u.org_id AND i.user_id = u.id "
                    + "WHERE u.org_id = ? GROUP BY u.user_name")) {
                ps.setObject(1, UUID.fromString(orgId));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getLong(2) != 1 || rs.getLong(3) != 1) {
                            problems.add(rs.getString(1) + ": " + rs.getLong(2) + " invitations, " + rs.getLong(3) + " delivered");
                        }
                    }
                }
            }
        }
        long tracked = ledgers.stream().mapToLong(l -> l.users.size()).sum();
        assertThat(dbCount).as("users in the database").isLessThanOrEqualTo(tracked);
        return problems;
    }

    private static void waitForOutbox(ServerProcess server, String orgId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try (Connection c = server.database();
                 PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM invitations WHERE org_id = ? "
                         + "AND sent_at IS NULL AND voided_at IS NULL")) {
                ps.setObject(1, UUID.fromString(orgId));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError(rs.getLong(1) + " invitations still undelivered after 60 s");
                    }
                }
            }
            Thread.sleep(200);
        }
    }

    // ---- set-up and helpers ------------------------------------------------------------------

    /** A paid organisation with SCIM on; returns its id and a SCIM token. */
    static String[] createOrganisation(PlainHttp http) throws IOException, InterruptedException {
        String admin = ServerProcess.ADMIN_TOKEN;
        PlainHttp.Response org = http.send("POST", "/api/v1/organizations", admin, "{\"name\":\"Chaos\",\"plan\":\"enterprise\"}");
        assertThat(org.status()).as(org.text()).isEqualTo(201);
        String id = org.json().path("id").asText();
        PlainHttp.Response on = http.send("PATCH", "/api/v1/organizations/" + id, admin, "{\"scimEnabled\":true}");
        assertThat(on.status()).as(on.text()).isEqualTo(200);
        PlainHttp.Response tok = http.send("POST", "/api/v1/organizations/" + id + "/scim-tokens", admin,
                "{\"description\":\"chaos\",\"ttlDays\":1}");
        assertThat(tok.status()).as(tok.text()).isEqualTo(201);
        return new String[] {id, tok.json().path("token").asText()};
    }

    private static String createGroup(PlainHttp http, String token, String name) throws IOException, InterruptedException {
        PlainHttp.Response r = http.send("POST", SCIM + "/Groups", token,
                "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"displayName\":\"" + name + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("id").asText();
    }

    private static void assumeLinuxProc() {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/cwd")),
                "Kill -9 tests find the embedded PostgreSQL's processes through Linux /proc; skipped here");
    }

    private static long median(List<Long> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static void writeSummary(String summary) {
        try {
            Path target = Path.of("target");
            if (Files.isDirectory(target)) {
                Files.writeString(target.resolve("chaos-summary.txt"), summary + System.lineSeparator());
            }
        } catch (IOException e) {
            System.out.println("Could not write target/chaos-summary.txt: " + e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
