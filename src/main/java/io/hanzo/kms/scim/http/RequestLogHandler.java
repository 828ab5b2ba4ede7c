package io.hanzo.kms.scim.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Gives every request an id, the caller's {@code X-Request-Id} when it is a sane token (so a proxy's
 * id follows the request through), else a new one, returns it in {@code X-Request-Id}, and writes one
 * log line per request when it ends. The line has the path without its query, which may hold filter
 * values such as email addresses.
 */
final class RequestLogHandler {
    static final String HEADER = "X-Request-Id";
    /** The header's name as Netty's ASCII string, whose encoding and hash are kept. */
    private static final CharSequence HEADER_NAME = HttpHeaders.createOptimized(HEADER);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);
    static final String KEY = "requestId";
    private static final Logger LOG = LoggerFactory.getLogger("io.hanzo.kms.scim.http.requests");
    /** Letters, digits and a few separators, bounded: nothing that could forge a log line or a header. */
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:@/+=-]{1,128}");

    private final boolean logRequests;

    RequestLogHandler(boolean logRequests) {
        this.logRequests = logRequests;
    }

    void handle(RoutingContext ctx) {
        // A rerouted request (see ApiRouter.collapseSlashes) passes here again: it keeps its id.
        if (ctx.get(KEY) != null) {
            ctx.next();
            return;
        }
        String given = ctx.request().getHeader(HEADER);
        String id = given != null && SANE.matcher(given).matches() ? given : newId();
        ctx.put(KEY, id);
        // Before any reroute: a HEAD request is routed as GET (see ApiRouter.collapseSlashes).
        String method = ctx.request().method().name();
        ctx.put(RequestContext.SENT_METHOD, method);
        ctx.response().putHeader(HEADER_NAME, id);
        if (logRequests) {
            long started = System.nanoTime();
            String path = ctx.request().path();
            ctx.addEndHandler(ar -> LOG.atInfo()
                    .addKeyValue("requestId", id)
                    .addKeyValue("method", method)
                    .addKeyValue("path", path)
                    .addKeyValue("status", ctx.response().getStatusCode())
                    .addKeyValue("millis", (System.nanoTime() - started) / 1_000_000)
                    .addKeyValue("outcome", ar.succeeded() ? "sent" : "connection closed before the answer was sent")
                    .log("request"));
        }
        ctx.next();
    }

    /**
     * A request id tells requests apart in logs; it guards nothing, so it comes from the thread's own
     * generator rather than from a SecureRandom that every event loop would wait on.
     */
    private static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] hex = new byte[24];
        hexDigits(random.nextLong(), hex, 0, 16);
        hexDigits(random.nextInt(), hex, 16, 8);
        return new String(hex, StandardCharsets.ISO_8859_1);
    }

    /** The low {@code digits} hex digits of {@code bits}, lower case, into {@code out} from {@code at}. */
    private static void hexDigits(long bits, byte[] out, int at, int digits) {
        for (int i = at + digits - 1; i >= at; i--) {
            out[i] = HEX[(int) (bits & 0xf)];
            bits >>>= 4;
        }
    }
}
