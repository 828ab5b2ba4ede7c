package io.hanzo.kms.scim.load;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Wall-clock span and count of the named phases of a simulation (the user creations of an initial
 * sync, say), so that a phase's own rate can be reported beside Gatling's whole-run figures. The
 * simulation writes them to {@code <resultsDir>/<simulation>.phases.json} in {@code after()}, with the
 * CPU time each process used from the first operation on (see {@link CpuSample}).
 */
public final class Phases {
    private static final class Span {
        final AtomicLong first = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong last = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong count = new AtomicLong();
    }

    private final Map<String, Span> spans = new ConcurrentHashMap<>();
    private final Map<String, Object> facts = new ConcurrentHashMap<>();
    private final AtomicReference<CpuSample> cpuAtStart = new AtomicReference<>();
    /**
     * The server's CPU ticks sampled every {@link #SAMPLE_MILLIS} from the first operation on, as
     * (epoch millis, ticks) pairs: each phase's share is read off it by the phase's span, so that the
     * server CPU per operation can be told per phase without reading /proc on every request.
     */
    private final List<long[]> serverCpu = new ArrayList<>();
    private volatile ScheduledExecutorService sampler;
    private static final long SAMPLE_MILLIS = 25;

    /** Marks the start of one operation of the phase; the first one of the run also samples CPU use. */
    public void started(String phase) {
        if (cpuAtStart.get() == null && cpuAtStart.compareAndSet(null, CpuSample.take())) {
            startSampling();
        }
        long now = System.currentTimeMillis();
        spans.computeIfAbsent(phase, k -> new Span()).first.accumulateAndGet(now, Math::min);
    }

    private void startSampling() {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "server-cpu-sampler");
            t.setDaemon(true);
            return t;
        });
        sampler = s;
        s.scheduleAtFixedRate(this::sampleServerCpu, 0, SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void sampleServerCpu() {
        long[] sample = {System.currentTimeMillis(), CpuSample.serverTicks()};
        synchronized (serverCpu) {
            serverCpu.add(sample);
        }
    }

    /** The server's CPU ticks at an instant, interpolated between the samples around it. */
    private long serverTicksAt(long millis) {
        synchronized (serverCpu) {
            long[] before = null;
            for (long[] s : serverCpu) {
                if (s[0] >= millis) {
                    if (before == null || s[0] == before[0]) {
                        return s[1];
                    }
                    double f = (double) (millis - before[0]) / (s[0] - before[0]);
                    return Math.round(before[1] + f * (s[1] - before[1]));
                }
                before = s;
            }
            return before == null ? 0 : before[1];
        }
    }

    /** Marks the end of one operation of the phase. */
    public void finished(String phase) {
        finished(phase, 1);
    }

    /** Marks the end of an operation that did {@code items} of the phase's items (a bulk request). */
    public void finished(String phase, long items) {
        long now = System.currentTimeMillis();
        Span s = spans.computeIfAbsent(phase, k -> new Span());
        s.last.accumulateAndGet(now, Math::max);
        s.count.addAndGet(items);
    }

    /**
     * Milliseconds from the first operation of {@code firstPhase} to the end of the last one of
     * {@code lastPhase} (a whole sync from its first lookup to its last PATCH); -1 when either is missing.
     */
    public long millisBetween(String firstPhase, String lastPhase) {
        Span a = spans.get(firstPhase);
        Span b = spans.get(lastPhase);
        if (a == null || b == null || a.first.get() == Long.MAX_VALUE || b.last.get() == Long.MIN_VALUE) {
            return -1;
        }
        return b.last.get() - a.first.get();
    }

    /** A fact about the run to show in the summary (sizes, expected counts). */
    public void fact(String name, Object value) {
        facts.put(name, value);
    }

    /**
     * Writes {@code <resultsDir>/<name>.phases.json}, where the name is BENCH_RUN_NAME when set (the
     * same simulation run twice in one bench, against one instance and against several) or else the
     * simulation's. {@code window} is the measured part in epoch milliseconds, which the propagation
     * probe's samples are matched against.
     */
    public void write(String simulation) {
        ObjectNode root = Provisioner.JSON.createObjectNode();
        String run = BenchConfig.get("runName", simulation);
        root.put("simulation", run);
        long from = spans.values().stream().mapToLong(s -> s.first.get()).min().orElse(0);
        long to = spans.values().stream().mapToLong(s -> s.last.get()).max().orElse(0);
        root.putObject("window").put("from", from).put("to", to);
        ScheduledExecutorService s0 = sampler;
        if (s0 != null) {
            s0.shutdownNow();
            try {
                s0.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sampleServerCpu();
        }
        ObjectNode phases = root.putObject("phases");
        spans.forEach((name, s) -> {
            ObjectNode p = phases.putObject(name);
            long ms = Math.max(1, s.last.get() - s.first.get());
            p.put("count", s.count.get());
            p.put("millis", ms);
            p.put("perSecond", s.count.get() * 1000.0 / ms);
            if (s0 != null && s.count.get() > 0) {
                // Server CPU over the phase's span (other phases running at the same time included).
                double micros = CpuSample.ticksToMicros(serverTicksAt(s.last.get()) - serverTicksAt(s.first.get()));
                p.put("serverCpuSeconds", Math.round(micros / 1e5) / 10.0);
                p.put("serverCpuMicrosPerItem", Math.round(micros / s.count.get() * 10) / 10.0);
            }
        });
        if (cpuAtStart.get() != null) {
            CpuSample.take().since(cpuAtStart.get(), root.putObject("cpu"));
        }
        ObjectNode f = root.putObject("facts");
        facts.forEach((k, v) -> f.put(k, String.valueOf(v)));
        Path dir = BenchConfig.resultsDir();
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(run + ".phases.json"),
                    Provisioner.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
