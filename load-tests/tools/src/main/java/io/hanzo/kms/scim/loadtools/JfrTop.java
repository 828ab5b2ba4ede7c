package io.hanzo.kms.scim.loadtools;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The top frames of a flight recording of the server (BENCH_SERVER_JAVA_OPTS, docs/benchmarks.md):
 * execution samples of the Vert.x threads and the scan workers, optionally within a window (the
 * {@code window} of a simulation's phases.json), counted by their top frame (self) and by every
 * kms-scim method on their stack (inclusive).
 * <pre>
 * JfrTop --file server.jfr [--from EPOCH_MS --to EPOCH_MS] [--top 25]
 * </pre>
 */
public final class JfrTop {
    private JfrTop() {
    }

    public static void main(String[] args) throws IOException {
        Args a = new Args(args, 0);
        long from = Long.parseLong(a.get("from", "0"));
        long to = Long.parseLong(a.get("to", Long.toString(Long.MAX_VALUE)));
        int top = Integer.parseInt(a.get("top", "25"));
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        int samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(a.get("file")))) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            long at = e.getStartTime().toEpochMilli();
            String thread = e.getThread("sampledThread") == null ? "" : e.getThread("sampledThread").getJavaName();
            if (at < from || at > to || thread == null || !(thread.startsWith("vert.x-") || thread.startsWith("kms-scim-"))) {
                continue;
            }
            samples++;
            threads.merge(thread.replaceAll("[0-9]+", "#"), 1, Integer::sum);
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            self.merge(name(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame f : frames) {
                String m = name(f);
                if (m.startsWith("io.hanzo.") && !m.contains("$$Lambda") && seen.add(m)) {
                    inclusive.merge(m, 1, Integer::sum);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%d execution samples of the event loops and scan workers%n", samples);
        print("threads", threads, samples, top);
        print("top frames (self)", self, samples, top);
        print("kms-scim methods (inclusive)", inclusive, samples, top);
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static void print(String title, Map<String, Integer> counts, int samples, int top) {
        System.out.println(title + ":");
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(c -> System.out.printf(Locale.ROOT, "  %5.1f%%  %s%n", 100.0 * c.getValue() / Math.max(1, samples),
                        c.getKey()));
    }
}
