package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The set-up links the server's log sender wrote, read from standard error. slf4j-simple looks up
 * {@code System.err} on every write (its {@code cacheOutputStream} is off by default), so a tee
 * installed here sees every line written after it, whichever thread writes it.
 */
final class InvitationLog {
    private static final Pattern LINE =
            Pattern.compile("Invitation for (\\S+): set-up link (\\S+)#token=([A-Za-z0-9_\\-]+)");

    /**
     * One delivered invitation as the log shows it; the recipient is the person's primary email, or
     * their userName when they have no email (as the people these tests provision).
     */
    record Link(String recipient, String url, String token) {
    }

    private final PrintStream original;
    private final PrintStream tee;
    private final List<Link> links = new ArrayList<>();
    private final List<String> lines = new ArrayList<>();

    private InvitationLog(PrintStream original) {
        this.original = original;
        this.tee = new PrintStream(new Tee(), true, StandardCharsets.UTF_8);
    }

    /** Starts reading standard error; call before the server under test starts. */
    static InvitationLog install() {
        InvitationLog log = new InvitationLog(System.err);
        System.setErr(log.tee);
        return log;
    }

    void uninstall() {
        if (System.err == tee) {
            System.setErr(original);
        }
        tee.flush();
    }

    /** Every link delivered so far to {@code userName}, oldest first. */
    synchronized List<Link> links(String userName) {
        List<Link> out = new ArrayList<>();
        for (Link l : links) {
            if (l.recipient().equals(userName)) {
                out.add(l);
            }
        }
        return out;
    }

    int count(String userName) {
        return links(userName).size();
    }

    /** Waits until {@code userName} has had {@code n} links and returns the n-th (counting from 1). */
    Link await(String userName, int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Link> found = links(userName);
            if (found.size() >= n) {
                return found.get(n - 1);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Invitation link #" + n + " for " + userName + " was not written to the log within "
                        + timeout + "; links seen for it: " + found);
            }
            pause(Duration.ofMillis(20));
        }
    }

    /** The first link of {@code userName}, waiting for it. */
    Link awaitFirst(String userName) {
        return await(userName, 1, Duration.ofSeconds(15));
    }

    /** After a settling time long enough for many delivery rounds, {@code userName} has had exactly {@code n} links. */
    void assertSettledAt(String userName, int n, Duration settle) {
        pause(settle);
        assertThat(links(userName)).as("links delivered to %s", userName).hasSize(n);
    }

    /** As {@link #assertSettledAt(String, int, Duration)} for several people at once, after one wait. */
    void assertSettledAt(Map<String, Integer> links, Duration settle) {
        pause(settle);
        links.forEach((userName, n) -> assertThat(links(userName)).as("links delivered to %s", userName).hasSize(n));
    }

    static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted", e);
        }
    }

    /** Whether any line written since {@link #install} contains {@code text}. */
    synchronized boolean anyLineContains(String text) {
        return lines.stream().anyMatch(l -> l.contains(text));
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    private synchronized void line(String text) {
        lines.add(text);
        Matcher m = LINE.matcher(text);
        if (m.find()) {
            links.add(new Link(m.group(1), m.group(2), m.group(3)));
        }
    }

    /** Writes through to the original stream and hands each complete line to {@link #line}. */
    private final class Tee extends OutputStream {
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            original.write(b);
            take(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            original.write(b, off, len);
            for (int i = off; i < off + len; i++) {
                take(b[i]);
            }
        }

        @Override
        public synchronized void flush() {
            original.flush();
        }

        private void take(int b) {
            if (b == '\n') {
                line(current.toString(StandardCharsets.UTF_8));
                current.reset();
            } else if (b != '\r') {
                current.write(b);
            }
        }
    }
}
