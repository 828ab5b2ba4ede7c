package io.hanzo.kms.scim.load;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * CPU time used so far, from Linux's /proc, by the server under test (BENCH_SERVER_PID), by
 * PostgreSQL (BENCH_POSTGRES_PID, the postmaster, with its backends), by this load generator, and by
 * the whole machine. Two samples around a simulation's measured part tell where the cores went.
 * With several instances (BENCH_SERVER_PIDS, space-separated) {@code server} is their sum and
 * {@code instances} each one's share; {@code proxy} is HAProxy's (BENCH_PROXY_PID).
 * Without /proc (not Linux) every figure is zero.
 */
public record CpuSample(long nanos, long server, long postgres, long self, long busy, long total,
                        long[] instances, long proxy) {
    /** Clock ticks per second of /proc figures; 100 on every common Linux. */
    private static final double TICKS = 100.0;

    public static CpuSample take() {
        long serverPid = pid("serverPid");
        long pgPid = pid("postgresPid");
        long pg = 0;
        if (pgPid > 0) {
            long[] master = stat(Path.of("/proc", Long.toString(pgPid), "stat"));
            pg = master[1] + master[2] + master[3] + master[4];
            try (DirectoryStream<Path> all = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
                for (Path p : all) {
                    long[] s = stat(p.resolve("stat"));
                    if (s[0] == pgPid) {
                        pg += s[1] + s[2];
                    }
                }
            } catch (IOException | RuntimeException e) {
                pg = 0;
            }
        }
        long[] server = serverPid > 0 ? stat(Path.of("/proc", Long.toString(serverPid), "stat")) : new long[5];
        String many = BenchConfig.get("serverPids", "");
        long[] instances = many.isEmpty() ? new long[0]
                : Arrays.stream(many.split("[ ,]+")).mapToLong(p -> used(Long.parseLong(p))).toArray();
        long servers = instances.length > 0 ? Arrays.stream(instances).sum() : server[1] + server[2];
        long proxyPid = pid("proxyPid");
        long proxy = proxyPid > 0 ? used(proxyPid) : 0;
        long[] self = stat(Path.of("/proc/self/stat"));
        long[] machine = machine();
        return new CpuSample(System.nanoTime(), servers, pg, self[1] + self[2], machine[0], machine[1], instances, proxy);
    }

    /**
     * CPU time the server under test (or the sum of its instances) used so far, in ticks: only its
     * own /proc entries are read, so this is cheap enough to sample several times a second.
     */
    public static long serverTicks() {
        String many = BenchConfig.get("serverPids", "");
        if (!many.isEmpty()) {
            return Arrays.stream(many.split("[ ,]+")).mapToLong(p -> used(Long.parseLong(p))).sum();
        }
        long serverPid = pid("serverPid");
        return serverPid > 0 ? used(serverPid) : 0;
    }

    /** Ticks to microseconds. */
    public static double ticksToMicros(long ticks) {
        return ticks * 1e6 / TICKS;
    }

    /** utime + stime of a process, in ticks. */
    private static long used(long pid) {
        long[] s = stat(Path.of("/proc", Long.toString(pid), "stat"));
        return s[1] + s[2];
    }

    /** What happened between {@code start} and this sample, in CPU seconds, into {@code out}. */
    public void since(CpuSample start, ObjectNode out) {
        double wall = (nanos - start.nanos) / 1e9;
        int cores = Runtime.getRuntime().availableProcessors();
        double busySeconds = (busy - start.busy) / TICKS;
        double serverSeconds = (server - start.server) / TICKS;
        double pgSeconds = (postgres - start.postgres) / TICKS;
        double selfSeconds = (self - start.self) / TICKS;
        out.put("wallSeconds", round(wall));
        out.put("cores", cores);
        out.put("server", round(serverSeconds));
        out.put("postgres", round(pgSeconds));
        out.put("loadGenerator", round(selfSeconds));
        double proxySeconds = (proxy - start.proxy) / TICKS;
        out.put("other", round(Math.max(0, busySeconds - serverSeconds - pgSeconds - selfSeconds - proxySeconds)));
        if (instances.length > 0 && instances.length == start.instances.length) {
            ArrayNode each = out.putArray("instances");
            for (int i = 0; i < instances.length; i++) {
                each.add(round((instances[i] - start.instances[i]) / TICKS));
            }
            out.put("proxy", round(proxySeconds));
        }
        out.put("machineBusyPercent", total == start.total ? 0 : round(100.0 * (busy - start.busy) / (total - start.total)));
    }

    private static double round(double d) {
        return Math.round(d * 10) / 10.0;
    }

    private static long pid(String name) {
        String v = BenchConfig.get(name, null);
        return v == null ? -1 : Long.parseLong(v);
    }

    /** ppid, utime, stime, cutime, cstime of a process; zeros if it is gone. */
    private static long[] stat(Path file) {
        try {
            String s = Files.readString(file);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]),
                    Long.parseLong(f[13]), Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return new long[5];
        }
    }

    /** Busy and total ticks of all cores. */
    private static long[] machine() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[2];
        }
    }
}
