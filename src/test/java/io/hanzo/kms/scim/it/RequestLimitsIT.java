package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.hanzo.kms.scim.protocol.ScimUris;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Limits against hostile or broken clients, over raw sockets: the token is checked before a body is
 * read, an oversize body is refused from its Content-Length, half-sent requests and idle connections
 * are closed, and oversize headers are refused.
 */
@ExtendWith(VertxExtension.class)
class RequestLimitsIT {
    private static final int HEADER_TIMEOUT_SECONDS = 1;
    private static final int IDLE_TIMEOUT_SECONDS = 3;
    private static final int REQUEST_TIMEOUT_SECONDS = 5;
    private static final long BIG = 64L * 1024 * 1024;
    private static final int HALF_SENT = Integer.getInteger("kms.halfSent", 200);

    private static TestServer server;
    private static ApiClient client;
    private static ApiClient management;
    private static TestOrg org;

    @BeforeAll
    static void start(Vertx vertx) throws IOException {
        int managementPort = TestServer.freePort();
        server = TestServer.start(Map.of(
                "SCIM_HTTP_HEADER_TIMEOUT_SECONDS", Integer.toString(HEADER_TIMEOUT_SECONDS),
                "SCIM_HTTP_IDLE_TIMEOUT_SECONDS", Integer.toString(IDLE_TIMEOUT_SECONDS),
                "SCIM_HTTP_REQUEST_TIMEOUT_SECONDS", Integer.toString(REQUEST_TIMEOUT_SECONDS),
                "SCIM_HTTP_MAX_HEADER_BYTES", "4096",
                "SCIM_HTTP_MAX_INITIAL_LINE_BYTES", "2048",
                "SCIM_MANAGEMENT_PORT", Integer.toString(managementPort)));
        client = new ApiClient(vertx, server.port());
        management = new ApiClient(vertx, managementPort);
        org = TestOrg.create(client, "Limits Org");
    }

    @AfterAll
    static void stop() {
        client.close();
        management.close();
        server.stop();
    }

    /** What a client sending a large body saw: the status line, and how much it had sent by then. */
    record Upload(String statusLine, long sentWhenAnswered, long sentInTotal, boolean closedByServer) {
    }

    /**
     * Sends the head, then up to {@code length} bytes of body while reading the answer at the same
     * time; stops sending when the server closes the connection.
     */
    private static Upload upload(String head, long length) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            AtomicLong sent = new AtomicLong();
            AtomicBoolean closed = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                java.util.Arrays.fill(chunk, (byte) 'x');
                try {
                    while (sent.get() < length) {
                        int n = (int) Math.min(chunk.length, length - sent.get());
                        out.write(chunk, 0, n);
                        sent.addAndGet(n);
                    }
                } catch (IOException e) {
                    closed.set(true);
                }
            });
            writer.setDaemon(true);
            writer.start();
            String status = readLine(s.getInputStream());
            long atAnswer = sent.get();
            // The rest of the answer, then the end of the connection.
            boolean eof = drainToEnd(s.getInputStream());
            writer.join(20_000);
            return new Upload(status, atAnswer, sent.get(), eof || closed.get());
        }
    }

    @Test
    void anUnauthenticatedBodyIsNotReadBeforeThe401() throws Exception {
        Upload u = upload("POST /api/v1/scim/Users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/scim+json\r\n"
                + "Content-Length: " + BIG + "\r\n\r\n", BIG);
        assertThat(u.statusLine()).startsWith("HTTP/1.1 401");
        assertThat(u.closedByServer()).as("the server closes instead of draining").isTrue();
        assertThat(u.sentInTotal()).as("bytes of a 64 MB body the client got to send").isLessThan(BIG / 4);
        System.out.printf("Unauthenticated 64 MB POST: 401 after %d KB sent, %d KB in total before the server closed%n",
                u.sentWhenAnswered() / 1024, u.sentInTotal() / 1024);

        // As large as the first: a few megabytes fit in the loopback's socket buffers whether or not
        // the server reads them.
        Upload admin = upload("POST /api/v1/organizations HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer wrong\r\n"
                + "Content-Length: " + BIG + "\r\n\r\n", BIG);
        assertThat(admin.statusLine()).startsWith("HTTP/1.1 401");
        assertThat(admin.closedByServer()).isTrue();
        assertThat(admin.sentInTotal()).isLessThan(BIG / 4);
    }

    @Test
    void anOversizeBodyIsRefusedFromItsContentLengthAlone() throws Exception {
        Upload u = upload("POST /api/v1/scim/Users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + org.token()
                + "\r\nContent-Type: application/scim+json\r\nContent-Length: " + BIG + "\r\n\r\n", BIG);
        assertThat(u.statusLine()).startsWith("HTTP/1.1 413");
        assertThat(u.closedByServer()).isTrue();
        assertThat(u.sentInTotal()).isLessThan(BIG / 4);
        System.out.printf("Authenticated 64 MB POST: 413 after %d KB sent, %d KB in total before the server closed%n",
                u.sentWhenAnswered() / 1024, u.sentInTotal() / 1024);

        // A body within the limit on the same route still works.
        ApiClient.Response ok = client.post(TestOrg.SCIM + "/Users", org.token(), "{\"userName\":\"limits-ok\"}");
        assertThat(ok.status()).as(ok.text()).isEqualTo(201);
    }

    @Test
    void connectionsThatSendHalfAHeaderAreClosedAfterTheHeaderTimeout() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < HALF_SENT; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                s.setSoTimeout(15_000);
                s.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: loc".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                sockets.add(s);
            }
            // One that keeps trickling a byte at a time, never idle, never done.
            Socket trickle = new Socket("127.0.0.1", server.port());
            trickle.setSoTimeout(15_000);
            sockets.add(trickle);
            long start = System.nanoTime();
            trickle(trickle.getOutputStream(), "GET /health/live HTTP/1.1\r\n", 'X', 200);
            long slowest = 0;
            for (Socket s : sockets) {
                assertThat(drainToEnd(s.getInputStream())).as("closed by the server: socket %d", sockets.indexOf(s)).isTrue();
                slowest = Math.max(slowest, (System.nanoTime() - start) / 1_000_000);
            }
            // Well past the header timeout, for a loaded machine closing 201 connections and this
            // thread reading each in turn; still short of the 20 s the trickling one would keep
            // sending (and of the sockets' 15 s read timeout), which only the header timeout cuts.
            assertThat(slowest).as("ms until the last half-sent request's connection was closed")
                    .isLessThan((HEADER_TIMEOUT_SECONDS + 9) * 1000L);
            System.out.printf("%d connections with half-sent headers (one trickling): all closed within %d ms "
                    + "(header timeout %d s)%n", HALF_SENT + 1, slowest, HEADER_TIMEOUT_SECONDS);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        // The server still serves.
        assertThat(client.get("/health/live", null).status()).isEqualTo(200);
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            // Taken before the request: the server's idle time starts once it has written the
            // answer, which may be well before this thread gets to read it.
            long start = System.nanoTime();
            s.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            assertThat(readLine(in)).startsWith("HTTP/1.1 200");
            assertThat(drainToEnd(in)).isTrue();
            long ms = (System.nanoTime() - start) / 1_000_000;
            // Closed for being idle: not by the (shorter) header timeout between requests, and not left
            // open; the upper bound allows for a loaded machine, well short of the 20 s read timeout.
            assertThat(ms).isBetween((IDLE_TIMEOUT_SECONDS - HEADER_TIMEOUT_SECONDS) * 1000L + 500,
                    IDLE_TIMEOUT_SECONDS * 1000L + 7000);
        }
    }

    @Test
    void oversizeHeadersAndRequestLinesAreRefused() throws Exception {
        String big = "x".repeat(8 * 1024);
        assertThat(exchange("GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Big: " + big + "\r\n\r\n"))
                .matches("HTTP/1\\.[01] 431 .*");
        assertThat(exchange("GET /health/live?" + "q=" + "y".repeat(4 * 1024) + " HTTP/1.1\r\nHost: localhost\r\n\r\n"))
                .matches("HTTP/1\\.[01] 414 .*");
    }

    /**
     * A body framed both by a length and by chunks is read one way here and perhaps the other way by a
     * proxy in front: refused, and the connection closed, so the bytes after it (here a second request
     * that the chunked reading would answer) are never taken for a request.
     */
    @Test
    void aRequestFramedTwiceIsRefusedAndItsConnectionClosed() throws Exception {
        String smuggled = "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n";
        String body = "0\r\n\r\n" + smuggled;
        for (String version : List.of("HTTP/1.1", "HTTP/1.0")) {
            Answers a = conversation("POST /api/v1/scim/Users " + version + "\r\nHost: localhost\r\nAuthorization: Bearer "
                    + org.token() + "\r\nContent-Type: application/scim+json\r\nContent-Length: " + body.length()
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
            assertThat(a.text()).as(version).matches("(?s)HTTP/1\\.[01] 400 .*").contains("Connection: close")
                    .contains("Content-Length and Transfer-Encoding").contains(ScimUris.ERROR);
            assertThat(a.closed()).as("closed by the server").isTrue();
            assertThat(a.text().split("HTTP/1\\.[01] ", -1)).as("one answer only: " + a.text()).hasSize(2);
        }
        // The same request framed by chunks alone is served.
        String json = "{\"userName\":\"framed-once\"}";
        String chunked = Integer.toHexString(json.length()) + "\r\n" + json + "\r\n0\r\n\r\n";
        Answers ok = conversation("POST /api/v1/scim/Users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + org.token() + "\r\nContent-Type: application/scim+json\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n" + chunked);
        assertThat(ok.text()).startsWith("HTTP/1.1 201");
    }

    @Test
    void aRequestNamingTwoHostsIsRefused() throws Exception {
        Answers a = conversation("GET /health/live HTTP/1.1\r\nHost: localhost\r\nHost: elsewhere.example\r\n\r\n"
                + "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(a.text()).startsWith("HTTP/1.1 400").contains("more than one Host header").contains(ScimUris.ERROR);
        assertThat(a.closed()).isTrue();
        assertThat(a.text().split("HTTP/1\\.1 ", -1)).as("one answer only: " + a.text()).hasSize(2);
    }

    /** A client resetting its connection mid-body is no sign of a database outage, and the log says none. */
    @Test
    void aClientResettingMidBodyIsNotReportedAsADatabaseOutage() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        PrintStream tee = new PrintStream(new OutputStream() {
            @Override
            public synchronized void write(int b) {
                original.write(b);
                seen.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                seen.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8);
        System.setErr(tee);
        try {
            for (int i = 0; i < 3; i++) {
                try (Socket s = new Socket("127.0.0.1", server.port())) {
                    s.getOutputStream().write(("POST /api/v1/scim/Users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                            + org.token() + "\r\nX-Request-Id: reset-mid-body-" + i + "\r\nContent-Type: application/scim+json\r\n"
                            + "Content-Length: 1000\r\n\r\n{\"userName\":\"res").getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    // Let the server start reading the body, then reset instead of closing.
                    Thread.sleep(300);
                    s.setSoLinger(true, 0);
                }
            }
            // Each request's log line is written when the server has seen its connection end, after
            // its failure was handled.
            Polling.until(Duration.ofSeconds(20), () -> assertThat(seen.toString(StandardCharsets.UTF_8))
                    .contains("reset-mid-body-0").contains("reset-mid-body-1").contains("reset-mid-body-2"));
        } finally {
            System.setErr(original);
        }
        assertThat(seen.toString(StandardCharsets.UTF_8)).doesNotContain("database is unavailable")
                .doesNotContain("Connection reset");
        assertThat(client.get("/health/live", null).status()).isEqualTo(200);
    }

    /**
     * A body that does not arrive within the request timeout is the client's delay: 408 and the
     * connection closed, counted under the route it was sent to; not a 503 telling the IdP the server
     * is down.
     */
    @Test
    void aBodyThatDoesNotArriveInTimeIsA408() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            // A byte now and then, so that the connection is never idle, but the body never complete.
            trickle(out, "POST /api/v1/scim/Users HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + org.token()
                    + "\r\nContent-Type: application/scim+json\r\nContent-Length: 200\r\n\r\n{", ' ', 500);
            InputStream in = s.getInputStream();
            assertThat(readLine(in)).startsWith("HTTP/1.1 408");
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            in.transferTo(rest);
            assertThat(rest.toString(StandardCharsets.UTF_8)).contains("Connection: close").doesNotContain("Retry-After")
                    .contains("did not arrive");
        }
        Polling.until(Duration.ofSeconds(10), () -> assertThat(management.get("/metrics", null).text())
                .contains("vertx_http_server_requests_total{code=\"408\",method=\"POST\",route=\"/api/v1/scim/Users\"}"));
    }

    /**
     * A method is whatever token the client sends: counted by its own name, each new one would add a
     * set of series to the metrics for good, and anyone could grow them until a scrape runs out of
     * memory. Methods outside RFC 9110's and PATCH are counted together.
     */
    @Test
    void methodsNoServerKnowsShareOneSetOfSeries() throws Exception {
        for (String method : List.of("XM0001", "XM0002", "get")) {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(15_000);
                OutputStream out = s.getOutputStream();
                out.write((method + " /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(readLine(s.getInputStream())).startsWith("HTTP/1.1 4");
            }
        }
        Polling.until(Duration.ofSeconds(10), () -> assertThat(management.get("/metrics", null).text())
                .contains("method=\"other\"").doesNotContain("XM0001").doesNotContain("XM0002")
                .doesNotContain("method=\"get\""));
    }

    /**
     * The header deadline holds for each request of a kept-alive connection, from its first byte: a
     * second request trickling its head a byte at a time (never idle) is cut off.
     */
    @Test
    void aKeptAliveConnectionTricklingItsNextRequestIsClosedAfterTheHeaderTimeout() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            assertThat(readLine(in)).startsWith("HTTP/1.1 200");
            trickle(out, "GET /health/live HTTP/1.1\r\n", 'X', 200);
            // Read past the first answer to the end: the trickle would go on for 20 s, longer than the
            // 15 s read timeout, and only the header deadline ends it before.
            assertThat(drainToEnd(in)).as("closed by the server").isTrue();
        }
    }

    /**
     * Writes {@code start}, then {@code b} a hundred times, one every {@code pauseMillis}, from a thread of
     * its own; stops when the server closes the connection.
     */
    private static void trickle(OutputStream out, String start, char b, long pauseMillis) {
        Thread t = new Thread(() -> {
            try {
                out.write(start.getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < 100; i++) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(pauseMillis);
                }
            } catch (IOException | InterruptedException e) {
                // closed by the server, as it should be
            }
        });
        t.setDaemon(true);
        t.start();
    }

    /** What the server wrote on one connection until it closed it (or 20 s went by), and whether it did. */
    record Answers(String text, boolean closed) {
    }

    private static Answers conversation(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            InputStream in = s.getInputStream();
            try {
                int n;
                while ((n = in.read(buf)) != -1) {
                    text.write(buf, 0, n);
                }
                return new Answers(text.toString(StandardCharsets.UTF_8), true);
            } catch (java.net.SocketTimeoutException e) {
                return new Answers(text.toString(StandardCharsets.UTF_8), false);
            } catch (IOException e) {
                return new Answers(text.toString(StandardCharsets.UTF_8), true);
            }
        }
    }

    private static String exchange(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return readLine(s.getInputStream());
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** Reads until the server ends the connection: true when it did (an end of stream or a reset). */
    private static boolean drainToEnd(InputStream in) {
        byte[] buf = new byte[8192];
        try {
            while (in.read(buf) != -1) {
                // discard
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
