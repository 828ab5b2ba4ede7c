package io.hanzo.kms.scim.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.ScimException;
import io.hanzo.kms.scim.protocol.ScimUris;
import io.hanzo.kms.scim.protocol.resource.ETags;
import io.hanzo.kms.scim.protocol.resource.Precondition;
import io.hanzo.kms.scim.protocol.resource.ResourceMeta;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writing SCIM responses: resources, list responses and RFC 7644 §3.12 errors. */
public final class ScimResponses {
    public static final String SCIM_JSON = "application/scim+json";
    public static final String JSON = "application/json";

    /** Unread request bodies up to this size are discarded as they arrive; beyond it the connection is closed. */
    private static final long DISCARD_AT_MOST = 2L * 1024 * 1024;

    private static final byte[] LIST_HEAD = ("{\"schemas\":[\"" + ScimUris.LIST_RESPONSE + "\"],\"totalResults\":")
            .getBytes(StandardCharsets.UTF_8);
    /**
     * The heads of the lists that equality lookups answer (no user, or one, from the first), written
     * once: every IdP sends such a lookup before each write. Index: totalResults * 2 + itemsPerPage.
     */
    private static final byte[][] LOOKUP_HEADS = {listHead(0, 0), listHead(0, 1), listHead(1, 0), listHead(1, 1)};
    /** Header names and the SCIM media type as Netty's ASCII strings, whose encoding and hash are kept. */
    private static final CharSequence CONTENT_TYPE = HttpHeaders.CONTENT_TYPE;
    private static final CharSequence SCIM_JSON_VALUE = HttpHeaders.createOptimized(SCIM_JSON);

    private ScimResponses() {
    }

    public static void send(RoutingContext ctx, int status, byte[] json) {
        send(ctx, status, json, SCIM_JSON);
    }

    public static void send(RoutingContext ctx, int status, JsonNode json) {
        send(ctx, status, Json.bytes(json), SCIM_JSON);
    }

    public static void sendPlainJson(RoutingContext ctx, int status, JsonNode json) {
        send(ctx, status, Json.bytes(json), JSON);
    }

    private static void send(RoutingContext ctx, int status, byte[] json, String contentType) {
        HttpServerResponse r = ctx.response();
        if (r.ended()) {
            return;
        }
        // Refused before its body was read (no or a bad token, too large, too many requests): a large
        // unread body is not worth reading and discarding (HTTP/1.1 could reuse the connection only
        // after it), so the connection is closed once the answer is out. A small one is discarded as it
        // comes: a client still sending when the connection closes may never see the answer.
        // A 408's body did not all arrive: what is still on its way cannot be told from a next request.
        boolean close = (status == 408 || status >= 400 && largeBodyUnread(ctx)) && ctx.request().version() != HttpVersion.HTTP_2;
        if (close) {
            r.putHeader("Connection", "close");
        }
        Future<Void> sent = r.setStatusCode(status).putHeader(CONTENT_TYPE, SCIM_JSON.equals(contentType) ? SCIM_JSON_VALUE
                : contentType).end(Buffer.buffer(json));
        if (close) {
            sent.onComplete(ar -> ctx.request().connection().close());
        }
    }

    private static boolean largeBodyUnread(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        if (req.isEnded() || ctx.body().available()) {
            return false;
        }
        long length = BodyLimit.announcedLength(req);
        return length > DISCARD_AT_MOST || (length < 0 && req.headers().contains("Transfer-Encoding"));
    }

    /**
     * A read's conditions, in RFC 9110 §13.2.2's order: {@code If-Match} naming no current version is
     * a 412, as for a change ({@link Precondition}); {@code If-None-Match} naming it answers 304
     * (RFC 7644 §3.14).
     *
     * @param resource "user" or "group", for the 412's text
     * @return true when the response was sent
     */
    public static boolean notModified(RoutingContext ctx, ResourceMeta meta, String resource) {
        Precondition ifMatch = Precondition.ifMatch(ctx.request().getHeader("If-Match"));
        if (!ifMatch.holds(meta.version())) {
            throw ifMatch.failed(resource, meta.version(), meta.etag());
        }
        String ifNoneMatch = ctx.request().getHeader("If-None-Match");
        if (ifNoneMatch == null || !ETags.matches(ifNoneMatch, meta.version())) {
            return false;
        }
        ctx.response().putHeader("ETag", meta.etag()).setStatusCode(304).end();
        return true;
    }

    /**
     * A single resource, with the headers RFC 7644 asks for. {@code Location} goes on every answer that
     * carries one resource, not only on creation: client libraries and compliance suites read it there.
     */
    public static void sendResource(RoutingContext ctx, int status, byte[] json, String location, String etag) {
        HttpServerResponse r = ctx.response();
        if (r.ended()) {
            return; // answered already (the request deadline passed)
        }
        if (location != null && !location.isEmpty()) {
            r.putHeader("Location", location);
        }
        r.putHeader("ETag", etag);
        send(ctx, status, json);
    }

    /** The start of a ListResponse, up to and including the {@code [} of {@code Resources}. */
    static Buffer listHead(Buffer b, int totalResults, int itemsPerPage, int startIndex) {
        if (startIndex == 1 && totalResults <= 1 && itemsPerPage <= totalResults) {
            return b.appendBytes(LOOKUP_HEADS[totalResults * 2 + itemsPerPage]);
        }
        return b.appendBytes(LIST_HEAD).appendString(Integer.toString(totalResults))
                .appendString(",\"itemsPerPage\":").appendString(Integer.toString(itemsPerPage))
                .appendString(",\"startIndex\":").appendString(Integer.toString(startIndex))
                .appendString(",\"Resources\":[");
    }

    private static byte[] listHead(int totalResults, int itemsPerPage) {
        return new String(LIST_HEAD, StandardCharsets.UTF_8).concat(totalResults + ",\"itemsPerPage\":" + itemsPerPage
                + ",\"startIndex\":1,\"Resources\":[").getBytes(StandardCharsets.UTF_8);
    }

    /** A ListResponse assembled from documents already serialised. */
    public static void sendList(RoutingContext ctx, int totalResults, int startIndex, List<byte[]> resources) {
        if (ctx.response().ended()) {
            return; // answered already (the request deadline passed)
        }
        int size = LIST_HEAD.length + 80;
        for (byte[] r : resources) {
            size += r.length + 1;
        }
        Buffer b = listHead(Buffer.buffer(size), totalResults, resources.size(), startIndex);
        for (int i = 0; i < resources.size(); i++) {
            if (i > 0) {
                b.appendByte((byte) ',');
            }
            b.appendBytes(resources.get(i));
        }
        b.appendByte((byte) ']').appendByte((byte) '}');
        ctx.response().setStatusCode(200).putHeader(CONTENT_TYPE, SCIM_JSON_VALUE).end(b);
    }

    public static void sendError(RoutingContext ctx, int status, String scimType, String detail) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putArray("schemas").add(ScimUris.ERROR);
        body.put("status", Integer.toString(status));
        if (scimType != null) {
            body.put("scimType", scimType);
        }
        body.put("detail", detail);
        if (status == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"kms-scim\"");
        }
        // The admin API shares the error shape but is plain JSON.
        boolean scim = ctx.request().path().startsWith(ApiRouter.SCIM_BASE);
        send(ctx, status, Json.bytes(body), scim ? SCIM_JSON : JSON);
    }

    /** A refusal to retry later (429, 503), with the seconds to wait in {@code Retry-After} (RFC 9110 §10.2.3). */
    public static void sendRetryLater(RoutingContext ctx, int status, long retryAfterSeconds, String detail) {
        if (!ctx.response().headWritten()) {
            ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, retryAfterSeconds)));
        }
        sendError(ctx, status, null, detail);
    }

    public static void sendError(RoutingContext ctx, ScimException e) {
        sendError(ctx, e.status(), e.scimType(), e.detail());
    }
}
