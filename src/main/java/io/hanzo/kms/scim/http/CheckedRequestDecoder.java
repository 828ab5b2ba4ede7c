package io.hanzo.kms.scim.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.net.impl.ConnectionBase;

import java.util.List;

/**
 * Vert.x's HTTP/1.1 request decoder, with what has to be done where the bytes are read and that the
 * Vert.x API does not reach:
 * <ul>
 * <li>A request whose body two headers frame differently ({@code Content-Length} and
 * {@code Transfer-Encoding: chunked}), or that names its host twice, is refused (RFC 9112 §6.1, §3.2):
 * 400, and the connection is closed, so bytes that one reading takes for a body and another for a next
 * request are never answered. The decoder left alone would drop the Content-Length and keep the
 * connection.</li>
 * <li>The {@link HeaderDeadline} of each request: the decoder alone knows when a request's first byte
 * arrives.</li>
 * <li>The failure of the client's connection (a reset) is kept, so that the failure handler can tell it
 * from a failure of the database.</li>
 * </ul>
 * One per connection, installed by {@link #install} in place of Vert.x's own when the connection opens.
 * No public API reaches the decoder, so this leans on Vert.x's implementation classes (its decoder, and
 * the connection that holds the Netty pipeline); {@code RequestLimitsIT} fails should an upgrade move them.
 */
final class CheckedRequestDecoder extends VertxHttpRequestDecoder {
    /** The name Vert.x gives its decoder in the connection's pipeline. */
    private static final String NAME = "httpDecoder";

    /** A request refused for how it is framed or addressed; its message is the answer's detail. */
    static final class Refused extends IllegalArgumentException {
        Refused(String detail) {
            super(detail);
        }
    }

    private final long headerMillis;
    private HeaderDeadline deadline;
    /** Between one request's end and the next one's first byte: the next byte starts a head. */
    private boolean betweenRequests = true;
    /** Set once a request is refused here: nothing after it on the connection is read as a request. */
    private boolean refused;
    private volatile Throwable connectionFailure;

    private CheckedRequestDecoder(HttpServerOptions options, long headerMillis) {
        super(options);
        this.headerMillis = headerMillis;
    }

    /**
     * For {@code HttpServer.connectionHandler}. Vert.x calls it as it sets up the connection's pipeline,
     * on its event loop and before any of its bytes is read. Only HTTP/1.1 connections are served (see
     * {@link HttpVerticle}), whose Vert.x connection is the one holding the pipeline.
     */
    static void install(HttpConnection conn, HttpServerOptions options, long headerMillis) {
        pipeline(conn).replace(NAME, NAME, new CheckedRequestDecoder(options, headerMillis));
    }

    /** Whether the request's connection failed with {@code failure} (a reset by the client, say). */
    static boolean connectionFailedWith(HttpConnection conn, Throwable failure) {
        if (!(conn instanceof ConnectionBase)) {
            return false;
        }
        CheckedRequestDecoder decoder = pipeline(conn).get(CheckedRequestDecoder.class);
        return decoder != null && failure != null && decoder.connectionFailure == failure;
    }

    private static ChannelPipeline pipeline(HttpConnection conn) {
        return ((ConnectionBase) conn).channelHandlerContext().pipeline();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        deadline = new HeaderDeadline(ctx, headerMillis);
        deadline.start();
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        deadline.stop();
        super.handlerRemoved0(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        connectionFailure = cause;
        super.exceptionCaught(ctx, cause);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (refused) {
            // As the decoder does after a request it cannot read, until the answer closes the connection.
            in.skipBytes(in.readableBytes());
            return;
        }
        if (betweenRequests && in.isReadable()) {
            deadline.start();
        }
        int from = out.size();
        super.decode(ctx, in, out);
        for (int i = from; i < out.size(); i++) {
            Object decoded = out.get(i);
            if (decoded instanceof HttpRequest request) {
                deadline.stop();
                betweenRequests = false;
                refused = refuse(request);
            }
            if (decoded instanceof LastHttpContent) {
                betweenRequests = true;
            }
        }
    }

    /** Called by the decoder on an HTTP/1.1 request with both headers; by default it drops the Content-Length. */
    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        throw ambiguousLength();
    }

    /**
     * What the decoder lets through and RFC 9112 refuses. The decoder looks for both framing headers on
     * HTTP/1.1 requests only; an HTTP/1.0 request with both is refused here.
     */
    private static boolean refuse(HttpRequest request) {
        if (!request.decoderResult().isSuccess() || !(request instanceof DefaultHttpRequest r)) {
            return false;
        }
        Refused refusal = null;
        if (r.headers().getAll(HttpHeaderNames.HOST).size() > 1) {
            refusal = new Refused("The request has more than one Host header (RFC 9112 §3.2); send one.");
        } else if (HttpUtil.isTransferEncodingChunked(r) && r.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            refusal = ambiguousLength();
        }
        if (refusal == null) {
            return false;
        }
        r.setDecoderResult(DecoderResult.failure(refusal));
        return true;
    }

    private static Refused ambiguousLength() {
        return new Refused("The request has both Content-Length and Transfer-Encoding, which frame its body"
                + " differently (RFC 9112 §6.1); send one of them.");
    }
}
