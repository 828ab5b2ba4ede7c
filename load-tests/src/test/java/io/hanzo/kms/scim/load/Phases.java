package io.hanzo.kms.scim.load;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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

    /** Marks the start of one operation of the phase; the first one of the run also samples CPU use. */
    public void started(String phase) {
        if (cpuAtStart.get() == null) {
            cpuAtStart.compareAndSet(null, CpuSample.take());
        }
        long now = System.currentTimeMillis();
        spans.computeIfAbsent(phase, k -> new Span()).first.accumulateAndGet(now, Math::min);
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
        ObjectNode phases = root.putObject("phases");
        spans.forEach((name, s) -> {
            ObjectNode p = phases.putObject(name);
            long ms = Math.max(1, s.last.get() - s.first.get());
            p.put("count", s.count.get());
            p.put("millis", ms);
            p.put("perSecond", s.count.get() * 1000.0 / ms);
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
