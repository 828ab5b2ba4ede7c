package io.hanzo.kms.scim.loadtools;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The summary of a bench run: one line per simulation from Gatling's own statistics (the report's
 * js/stats.js), the phase rates the simulations wrote, and the ceilings with their ratios.
 * <pre>
 * BenchReport --manifest FILE --results DIR --root REPO_DIR [--server-log FILE] [--markdown FILE] [--label TEXT]
 * </pre>
 * The manifest has one line per simulation run: name, report directory, exit code, wall seconds,
 * separated by tabs.
 */
public final class BenchReport {
    private static final Pattern BARE_KEY = Pattern.compile("(?m)^(\\s*)([A-Za-z_][A-Za-z0-9_]*)\\s*:");

    /** The same simulation run against one instance alone, before the others start (BENCH_INSTANCES > 1). */
    static final String SINGLE = "-1instance";

    record Run(String name, Path report, int exitCode, long seconds, JsonObject stats, JsonObject phases,
               List<long[]> lag) {
        String value(String metric) {
            if (stats == null) {
                return "-";
            }
            return stats.getJsonObject(metric, new JsonObject()).getString("total", "-");
        }

        double phaseRate(String phase) {
            if (phases == null) {
                return Double.NaN;
            }
            JsonObject p = phases.getJsonObject("phases", new JsonObject()).getJsonObject(phase);
            return p == null ? Double.NaN : p.getDouble("perSecond");
        }

        long phaseCount(String phase) {
            JsonObject p = phases == null ? null : phases.getJsonObject("phases", new JsonObject()).getJsonObject(phase);
            return p == null ? 0 : p.getLong("count");
        }

        String fact(String name) {
            return phases == null ? "?" : phases.getJsonObject("facts", new JsonObject()).getString(name, "?");
        }
    }

    private BenchReport() {
    }

    public static void main(String[] args) throws IOException {
        Args a = new Args(args, 0);
        Path root = Path.of(a.get("root")).toAbsolutePath().normalize();
        Path results = Path.of(a.get("results"));
        List<Run> runs = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(a.get("manifest")))) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            Path report = f[1].isEmpty() ? null : Path.of(f[1]);
            runs.add(new Run(f[0], report, Integer.parseInt(f[2]), Long.parseLong(f[3]), readStats(report),
                    readJson(results.resolve(f[0] + ".phases.json")), Propagation.read(results.resolve(f[0] + ".lag.tsv"))));
        }
        runs.sort((x, y) -> Boolean.compare(x.name().equals("BareLookupCeiling"), y.name().equals("BareLookupCeiling")));
        JsonObject raw = readJson(results.resolve("raw-inserts.json"));
        String serverLog = a.get("server-log", null);
        String text = render(runs, raw, root, serverLog == null ? null : Path.of(serverLog), a.get("label", ""))
                + indexSection(readJson(results.resolve("index-heap.json")));
        System.out.print(text);
        String md = a.get("markdown", null);
        if (md != null) {
            Files.writeString(Path.of(md), text);
        }
    }

    /** EntraGroupStorm's PATCH/s when issue 12 was filed, the base of its target (3 times as many). */
    private static final int ENTRA_PATCHES_BEFORE = 577;

    /** A Gatling figure as a number; NaN when it is missing. */
    private static double number(String value) {
        try {
            return Double.parseDouble(value);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    static String render(List<Run> runs, JsonObject raw, Path root, Path serverLog, String label) throws IOException {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%nkms-scim bench on %s%n", Machine.describe()));
        if (!label.isEmpty()) {
            out.append(label).append('\n');
        }
        out.append('\n');
        String header = String.format(Locale.ROOT, "| %-28s | %9s | %9s | %7s | %7s | %7s | %6s | %-6s | %s |%n",
                "simulation", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "result", "Gatling report");
        out.append(header);
        out.append("|").append("-".repeat(30)).append("|").append("-".repeat(11)).append("|").append("-".repeat(11))
                .append("|").append("-".repeat(9)).append("|").append("-".repeat(9)).append("|").append("-".repeat(9))
                .append("|").append("-".repeat(8)).append("|").append("-".repeat(8)).append("|").append("-".repeat(16))
                .append("|\n");
        for (Run r : runs) {
            String report = r.report() == null ? "(none)" : shorten(root, r.report().resolve("index.html"));
            out.append(String.format(Locale.ROOT, "| %-28s | %9s | %9s | %7s | %7s | %7s | %6s | %-6s | %s |%n",
                    r.name(), grouped(r.value("numberOfRequests")), r.value("meanNumberOfRequestsPerSecond"),
                    r.value("percentiles1"), r.value("percentiles3"), r.value("percentiles4"),
                    r.stats() == null ? "?" : r.stats().getJsonObject("numberOfRequests").getString("ko"),
                    r.exitCode() == 0 ? "passed" : "FAILED", report));
        }
        out.append("\n(errors: requests that failed a status or response check; result: the simulation's own assertions,\n"
                + " which also fail on a lost membership or a missing request.)\n\n");

        out.append("Phases\n");
        for (Run r : runs) {
            String line = phaseLine(r);
            if (line != null) {
                out.append("  ").append(line).append('\n');
            }
        }

        out.append("\nCeilings (measured in this run, same machine)\n");
        Run lookups = find(runs, "LookupStorm");
        Run bare = find(runs, "BareLookupCeiling");
        if (lookups != null && bare != null) {
            double l = lookups.phaseRate("lookups");
            double b = bare.phaseRate("lookups");
            out.append(String.format(Locale.ROOT,
                    "  reads:  lookup req/s %,.0f ÷ bare Vert.x req/s %,.0f = %.2f   (%s connections, same request mix)%n",
                    l, b, l / b, lookups.fact("concurrency")));
            out.append(String.format(Locale.ROOT,
                    "          lookup p99 %s ms ÷ bare Vert.x p99 %s ms = %.2f   (target at most 1.25)%n",
                    lookups.value("percentiles4"), bare.value("percentiles4"),
                    number(lookups.value("percentiles4")) / number(bare.value("percentiles4"))));
        } else {
            out.append("  reads:  not measured\n");
        }
        Run storm = find(runs, "EntraGroupStorm");
        if (storm != null && !Double.isNaN(storm.phaseRate("memberPatches"))) {
            double rate = storm.phaseRate("memberPatches");
            out.append(String.format(Locale.ROOT,
                    "  group storm: single-member PATCH/s %,.0f = %.2f × the %,d of issue 12 (target at least 3); "
                            + "p99 %s ms (target at most 100)%n",
                    rate, rate / ENTRA_PATCHES_BEFORE, ENTRA_PATCHES_BEFORE, storm.value("percentiles4")));
        }
        Run sync = find(runs, "PingOneInitialSync");
        Run bulk = find(runs, "BulkSync");
        if (raw != null && sync != null) {
            double rawRate = raw.getDouble("perSecond");
            double creates = sync.phaseRate("createUsers");
            out.append(String.format(Locale.ROOT,
                    "  writes: creates/s %,.0f ÷ raw rows/s %,.0f = %.2f   (PostgreSQL alone: %,d rows, one per transaction, "
                            + "%d connections, p50 %.1f ms, p99 %.1f ms)%n",
                    creates, rawRate, creates / rawRate, raw.getLong("rows"), raw.getInteger("concurrency"),
                    raw.getDouble("p50"), raw.getDouble("p99")));
            JsonObject durability = raw.getJsonObject("durability");
            out.append(durability == null ? "          (durability of the ceiling's database: not reported)\n"
                    : String.format(Locale.ROOT, "          (the ceiling's database: fsync=%s synchronous_commit=%s "
                            + "full_page_writes=%s; the server writes to the same database)%n",
                    durability.getString("fsync"), durability.getString("synchronous_commit"),
                    durability.getString("full_page_writes")));
            if (!sync.fact("concurrency").equals(String.valueOf(raw.getInteger("concurrency")))) {
                out.append("          (note: the sync ran at ").append(sync.fact("concurrency"))
                        .append(" connections, the raw loader at ").append(raw.getInteger("concurrency")).append(")\n");
            }
            if (bulk != null && !Double.isNaN(bulk.phaseRate("users"))) {
                double b = bulk.phaseRate("users");
                out.append(String.format(Locale.ROOT,
                        "          (BulkSync users/s %,.0f ÷ raw rows/s %,.0f = %.2f; a bulk request writes its users in one statement)%n",
                        b, rawRate, b / rawRate));
            }
        } else {
            out.append("  writes: not measured\n");
        }

        out.append("\nWhere the CPU went during each simulation's measured part (CPU seconds; two cores shared by all)\n");
        out.append(String.format(Locale.ROOT, "| %-28s | %7s | %8s | %10s | %14s | %7s | %9s |%n",
                "simulation", "wall s", "server", "PostgreSQL", "load generator", "other", "busy %"));
        out.append("|").append("-".repeat(30)).append("|").append("-".repeat(9)).append("|").append("-".repeat(10))
                .append("|").append("-".repeat(12)).append("|").append("-".repeat(16)).append("|").append("-".repeat(9))
                .append("|").append("-".repeat(11)).append("|\n");
        for (Run r : runs) {
            JsonObject cpu = r.phases() == null ? null : r.phases().getJsonObject("cpu");
            if (cpu == null) {
                continue;
            }
            out.append(String.format(Locale.ROOT, "| %-28s | %7.1f | %8.1f | %10.1f | %14.1f | %7.1f | %9.0f |%n",
                    r.name(), cpu.getDouble("wallSeconds"), cpu.getDouble("server"), cpu.getDouble("postgres"),
                    cpu.getDouble("loadGenerator"), cpu.getDouble("other"), cpu.getDouble("machineBusyPercent")));
        }
        out.append("(server: the kms-scim JVM, or the bare Vert.x server for BareLookupCeiling; other: every other process)\n");
        renderCpuPerOperation(runs, out);
        Propagation.render(runs, out);

        if (serverLog != null && Files.exists(serverLog)) {
            long errors;
            long warnings;
            try (var lines = Files.lines(serverLog)) {
                List<String> all = lines.filter(s -> s.contains(" ERROR ") || s.contains(" WARN ")).toList();
                errors = all.stream().filter(s -> s.contains(" ERROR ")).count();
                warnings = all.size() - errors;
            }
            out.append(String.format(Locale.ROOT, "%nServer log: %d ERROR and %d WARN lines (%s)%n", errors, warnings,
                    shorten(root, serverLog)));
        }
        return out.toString();
    }

    /** The in-memory index's cost, from load-tests/index-bench.sh (run by make bench at 100,000 users). */
    static String indexSection(JsonObject index) {
        if (index == null) {
            return "";
        }
        Object loadMillis = index.getValue("indexLoadMillis");
        return String.format(Locale.ROOT, "%nIndex (one organisation filled by SQL, the server restarted on it; live heap after a full GC)%n"
                        + "  index heap per user: %,d bytes with %,d users and %,d memberships (limit 1,024)%n"
                        + "  start-up with that organisation: %.1f s, server CPU %.1f s (empty database: %.1f s, CPU %.1f s); "
                        + "index loaded in %s ms%n",
                index.getLong("bytesPerUser"), index.getLong("users"), index.getLong("memberships"),
                index.getDouble("startSeconds"), index.getDouble("startCpuSeconds", Double.NaN),
                index.getDouble("emptyStartSeconds"), index.getDouble("emptyStartCpuSeconds", Double.NaN),
                loadMillis == null ? "?" : String.format(Locale.ROOT, "%,d", ((Number) loadMillis).longValue()));
    }

    /**
     * The server's CPU per operation of each phase, from /proc of the server process alone: unlike a
     * rate, it does not depend on how much of the shared cores the load generator took.
     */
    static void renderCpuPerOperation(List<Run> runs, StringBuilder out) {
        Run bare = find(runs, "BareLookupCeiling");
        double bareMicros = bare == null ? Double.NaN : cpuPerItem(bare, "lookups");
        StringBuilder rows = new StringBuilder();
        for (Run r : runs) {
            JsonObject phases = r.phases() == null ? null : r.phases().getJsonObject("phases");
            if (phases == null) {
                continue;
            }
            for (String phase : phases.fieldNames().stream().sorted().toList()) {
                double micros = cpuPerItem(r, phase);
                if (!Double.isNaN(micros)) {
                    rows.append(cpuRow(r.name(), phase, r.phaseCount(phase), micros, bareMicros));
                }
            }
            // Members added in PATCHes of many members: the server CPU of the PATCH phase per member.
            String memberships = r.fact("memberships");
            JsonObject patches = phases.getJsonObject("memberPatches");
            if (r.name().startsWith("PingOneInitialSync") && patches != null && patches.containsKey("serverCpuSeconds")
                    && memberships.matches("\\d+") && Long.parseLong(memberships) > 0) {
                long m = Long.parseLong(memberships);
                rows.append(cpuRow(r.name(), "member added", m, patches.getDouble("serverCpuSeconds") * 1e6 / m, bareMicros));
            }
        }
        if (rows.length() == 0) {
            return;
        }
        out.append("\nServer CPU per operation (the server process's own CPU from /proc over each phase, whatever the load "
                + "generator took)\n");
        out.append(String.format(Locale.ROOT, "| %-28s | %-16s | %9s | %9s | %8s |%n",
                "simulation", "per", "count", "CPU µs", "× bare"));
        out.append("|").append("-".repeat(30)).append("|").append("-".repeat(18)).append("|").append("-".repeat(11))
                .append("|").append("-".repeat(11)).append("|").append("-".repeat(10)).append("|\n");
        out.append(rows);
        out.append(Double.isNaN(bareMicros)
                ? "(× bare: not measured; BareLookupCeiling runs with LookupStorm)\n"
                : String.format(Locale.ROOT, "(× bare: against the bare Vert.x server's %.1f µs per request)%n", bareMicros));
    }

    private static String cpuRow(String simulation, String phase, long count, double micros, double bareMicros) {
        return String.format(Locale.ROOT, "| %-28s | %-16s | %,9d | %,9.1f | %8s |%n", simulation, phase, count, micros,
                Double.isNaN(bareMicros) || bareMicros <= 0 ? "-" : String.format(Locale.ROOT, "%.1f", micros / bareMicros));
    }

    private static double cpuPerItem(Run r, String phase) {
        JsonObject p = r.phases() == null ? null
                : r.phases().getJsonObject("phases", new JsonObject()).getJsonObject(phase);
        return p == null || !p.containsKey("serverCpuMicrosPerItem") ? Double.NaN : p.getDouble("serverCpuMicrosPerItem");
    }

    private static String phaseLine(Run r) {
        String base = r.name().endsWith(SINGLE) ? r.name().substring(0, r.name().length() - SINGLE.length()) : r.name();
        String line = phaseLine(r, base);
        return line == null || base.equals(r.name()) ? line : line.replaceFirst("^" + base + ":", r.name() + ":");
    }

    private static String phaseLine(Run r, String base) {
        return switch (base) {
            case "PingOneInitialSync" -> String.format(Locale.ROOT,
                    "PingOneInitialSync: %s users (lookup + create) at %,.0f users/s, creates %,.0f/s; %s groups created at %,.0f/s; "
                            + "%s memberships in %,d PATCHes at %,.0f PATCH/s (largest group %s members); %s connections; "
                            + "whole sync (first lookup to last PATCH) %s",
                    r.fact("users"), r.phaseRate("users"), r.phaseRate("createUsers"), r.fact("groups"),
                    r.phaseRate("createGroups"), r.fact("memberships"), r.phaseCount("memberPatches"),
                    r.phaseRate("memberPatches"), r.fact("largestGroup"), r.fact("concurrency"), syncTime(r));
            case "LookupStorm", "BareLookupCeiling" -> String.format(Locale.ROOT,
                    "%s: %,d lookups at %,.0f/s over %s s, %s connections%s",
                    r.name(), r.phaseCount("lookups"), r.phaseRate("lookups"), r.fact("seconds"), r.fact("concurrency"),
                    base.equals("LookupStorm") ? " (" + r.fact("users") + " users loaded)" : "");
            case "SteadyChurn" -> String.format(Locale.ROOT,
                    "SteadyChurn: %,d operations at %,.0f/s over %s s on %s users, %s deleted and re-provisioned; %s connections",
                    r.phaseCount("operations"), r.phaseRate("operations"), r.fact("seconds"), r.fact("users"),
                    r.fact("reprovisioned"), r.fact("concurrency"));
            case "EntraGroupStorm" -> String.format(Locale.ROOT,
                    "EntraGroupStorm: %s single-member PATCHes at %,.0f/s on %s groups from %s connections; "
                            + "every group verified at exactly %s members",
                    r.fact("patches"), r.phaseRate("memberPatches"), r.fact("groups"), r.fact("concurrency"),
                    r.fact("expectedMembersPerGroup"));
            case "BulkSync" -> String.format(Locale.ROOT,
                    "BulkSync: %s users at %,.0f users/s and %s memberships in %s bulk requests (%,.0f operations/s); "
                            + "%s requests in flight",
                    r.fact("users"), r.phaseRate("users"), r.fact("memberships"), r.fact("userRequests"),
                    r.phaseRate("operations"), r.fact("concurrency"));
            case "FilterScans" -> String.format(Locale.ROOT,
                    "FilterScans: %s users; equality lookups p99 %s ms alone, %s ms with unindexed filters scanning beside "
                            + "them (ratio %s, target at most 2.00; p50 %s and %s ms, p99.9 %s and %s ms, max %s and %s ms); "
                            + "%,d scans at %,.1f/s from %s connections, lookups from %s",
                    r.fact("users"), r.fact("lookupP99AloneMs"), r.fact("lookupP99WithScansMs"), r.fact("p99Ratio"),
                    r.fact("lookupP50AloneMs"), r.fact("lookupP50WithScansMs"), r.fact("lookupP999AloneMs"),
                    r.fact("lookupP999WithScansMs"), r.fact("lookupMaxAloneMs"), r.fact("lookupMaxWithScansMs"),
                    r.phaseCount("scans"),
                    r.phaseRate("scans"), r.fact("scanConcurrency"), r.fact("lookupConcurrency"));
            default -> null;
        };
    }

    /** PingOneInitialSync's whole sync in seconds, with the large scale's target when it ran at that size. */
    static String syncTime(Run r) {
        String millis = r.fact("syncMillis");
        if (millis == null || !millis.matches("\\d+")) {
            return "not measured";
        }
        double seconds = Long.parseLong(millis) / 1000.0;
        boolean large = "100000".equals(r.fact("users")) && "1000000".equals(r.fact("memberships"));
        return String.format(Locale.ROOT, "%.1f s", seconds)
                + (large ? String.format(Locale.ROOT, " (target at most 60 s: %s)", seconds <= 60 ? "met" : "missed") : "");
    }

    static Run find(List<Run> runs, String name) {
        return runs.stream().filter(r -> r.name().equals(name) && r.phases() != null).findFirst().orElse(null);
    }

    private static String grouped(String n) {
        try {
            return String.format(Locale.ROOT, "%,d", Long.parseLong(n));
        } catch (NumberFormatException e) {
            return n;
        }
    }

    private static String shorten(Path root, Path p) {
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(root) ? root.relativize(abs).toString() : abs.toString();
    }

    private static JsonObject readJson(Path p) throws IOException {
        return Files.exists(p) ? new JsonObject(Files.readString(p)) : null;
    }

    /** The "All Requests" statistics of a Gatling report, from the object literal in js/stats.js. */
    static JsonObject readStats(Path report) throws IOException {
        if (report == null) {
            return null;
        }
        Path file = report.resolve("js").resolve("stats.js");
        if (!Files.exists(file)) {
            return null;
        }
        String js = Files.readString(file);
        int start = js.indexOf('{', js.indexOf("var stats"));
        int end = matchingBrace(js, start);
        Matcher m = BARE_KEY.matcher(js.substring(start, end + 1));
        String json = m.replaceAll("$1\"$2\":");
        return new JsonObject(json).getJsonObject("stats");
    }

    private static int matchingBrace(String s, int open) {
        int depth = 0;
        boolean inString = false;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("Unbalanced braces in stats.js");
    }
}
