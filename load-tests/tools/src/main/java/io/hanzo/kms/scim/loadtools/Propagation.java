package io.hanzo.kms.scim.loadtools;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The part of the bench summary about several instances (BENCH_INSTANCES > 1): the propagation lag
 * the probe measured during each simulation, the lookup and create rates of one instance alone next
 * to those of the instances behind HAProxy, and each instance's CPU time.
 */
final class Propagation {
    /** Target for the 99th percentile of the lag, in milliseconds. */
    static final long TARGET_P99_MS = 100;

    private Propagation() {
    }

    /** The probe's samples, {epoch ms, lag ms or -1, status of the read by id}; null when there is no file. */
    static List<long[]> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        List<long[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.trim().split(" ");
            if (f.length == 3) {
                out.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        return out;
    }

    /** The samples whose creation fell within the simulation's measured part, else all of them. */
    static List<long[]> duringLoad(BenchReport.Run r) {
        JsonObject window = r.phases() == null ? null : r.phases().getJsonObject("window");
        if (window == null) {
            return r.lag();
        }
        long from = window.getLong("from");
        long to = window.getLong("to");
        List<long[]> in = r.lag().stream().filter(s -> s[0] >= from && s[0] <= to).toList();
        return in.isEmpty() ? r.lag() : in;
    }

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static void render(List<BenchReport.Run> runs, StringBuilder out) {
        List<BenchReport.Run> probed = runs.stream().filter(r -> r.lag() != null).toList();
        List<BenchReport.Run> spread = runs.stream()
                .filter(r -> r.phases() != null && r.phases().getJsonObject("cpu", new JsonObject()).containsKey("instances"))
                .toList();
        if (probed.isEmpty() && spread.isEmpty()) {
            return;
        }
        out.append("\nSeveral instances behind HAProxy, on one PostgreSQL\n");
        out.append("  All processes share this machine's cores: this measures the cost of keeping the instances\n"
                + "  coherent (every instance applies every other's changes to its index), not a speed-up.\n"
                + "  HAProxy sends one token's requests to one instance, so each simulation's load lands on one\n"
                + "  instance while the others follow its changes.\n");

        out.append(String.format(Locale.ROOT, "%nPropagation lag: a user created through one instance, then looked up with "
                + "userName eq on the next one until found%n"));
        out.append(String.format(Locale.ROOT, "| %-28s | %6s | %6s | %6s | %6s | %9s | %-14s | %13s |%n",
                "simulation", "probes", "p50 ms", "p99 ms", "max ms", "not found", "p99 <= " + TARGET_P99_MS + " ms",
                "by id at once"));
        out.append("|").append("-".repeat(30)).append("|").append("-".repeat(8)).append("|").append("-".repeat(8))
                .append("|").append("-".repeat(8)).append("|").append("-".repeat(8)).append("|").append("-".repeat(11))
                .append("|").append("-".repeat(16)).append("|").append("-".repeat(15)).append("|\n");
        for (BenchReport.Run r : probed) {
            List<long[]> samples = duringLoad(r);
            long[] seen = samples.stream().mapToLong(s -> s[1]).filter(v -> v >= 0).sorted().toArray();
            long lost = samples.size() - seen.length;
            long p99 = percentile(seen, 99);
            String verdict = samples.isEmpty() ? "no samples" : lost > 0 ? "NO (not found)" : p99 <= TARGET_P99_MS ? "yes" : "NO";
            long byId = samples.stream().filter(s -> s[2] == 200).count();
            out.append(String.format(Locale.ROOT, "| %-28s | %6d | %6s | %6s | %6s | %9d | %-14s | %13s |%n",
                    r.name(), samples.size(), ms(percentile(seen, 50)), ms(p99),
                    ms(seen.length == 0 ? -1 : seen[seen.length - 1]), lost, verdict, byId + " of " + samples.size()));
        }
        out.append("(from the creation's 201 to the first lookup answer that finds the user; lookups 5 ms apart, so a\n"
                + " figure can be one poll and one request late; not found: not visible within 10 s; samples taken\n"
                + " during each simulation's measured part; by id at once: GET /Users/{id} on the other instance\n"
                + " right after the 201 answered 200)\n");

        out.append("\nOne instance alone against the instances behind HAProxy (same machine, same run)\n");
        rate(out, runs, "lookups/s", "LookupStorm", "lookups");
        rate(out, runs, "creates/s", "PingOneInitialSync", "createUsers");

        if (!spread.isEmpty()) {
            int n = spread.get(0).phases().getJsonObject("cpu").getJsonArray("instances").size();
            out.append("\nCPU seconds per instance during each simulation's measured part\n");
            StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "| %-28s |", "simulation"));
            StringBuilder rule = new StringBuilder("|").append("-".repeat(30)).append("|");
            for (int i = 1; i <= n; i++) {
                head.append(String.format(Locale.ROOT, " %10s |", "instance " + i));
                rule.append("-".repeat(12)).append("|");
            }
            head.append(String.format(Locale.ROOT, " %7s | %10s | %6s |", "HAProxy", "PostgreSQL", "wall s"));
            rule.append("-".repeat(9)).append("|").append("-".repeat(12)).append("|").append("-".repeat(8)).append("|");
            out.append(head).append('\n').append(rule).append('\n');
            for (BenchReport.Run r : spread) {
                JsonObject cpu = r.phases().getJsonObject("cpu");
                JsonArray each = cpu.getJsonArray("instances");
                out.append(String.format(Locale.ROOT, "| %-28s |", r.name()));
                for (int i = 0; i < n; i++) {
                    out.append(String.format(Locale.ROOT, " %10s |", i < each.size() ? String.format(Locale.ROOT, "%.1f", each.getDouble(i)) : "-"));
                }
                out.append(String.format(Locale.ROOT, " %7.1f | %10.1f | %6.1f |%n", cpu.getDouble("proxy", 0.0),
                        cpu.getDouble("postgres"), cpu.getDouble("wallSeconds")));
            }
            out.append("(instance 1 is also the one the single-instance runs used; the lag probe counts as 'other' above)\n");
        }
    }

    private static void rate(StringBuilder out, List<BenchReport.Run> runs, String label, String simulation, String phase) {
        BenchReport.Run one = BenchReport.find(runs, simulation + BenchReport.SINGLE);
        BenchReport.Run many = BenchReport.find(runs, simulation);
        if (one == null || many == null) {
            out.append(String.format(Locale.ROOT, "  %-10s not measured (needs %s in BENCH_SIMULATIONS)%n", label, simulation));
            return;
        }
        double a = one.phaseRate(phase);
        double b = many.phaseRate(phase);
        out.append(String.format(Locale.ROOT, "  %-10s one instance %,.0f; behind HAProxy %,.0f (%.2f × one instance)   (%s)%n",
                label, a, b, b / a, simulation));
    }

    private static String ms(long v) {
        return v < 0 ? "-" : Long.toString(v);
    }
}
