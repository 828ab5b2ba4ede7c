package io.hanzo.kms.scim.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose request head (request line and headers) is not complete within the
 * deadline. The idle timeout alone lets a client hold a connection open for ever by sending a byte of
 * header now and then. The clock runs from the connection's opening to its first request's head, and
 * from the first byte of each later request to that request's head; a kept-alive connection that sends
 * nothing between requests is left to the idle timeout. One per connection, used on its event loop only
 * (by {@link CheckedRequestDecoder}).
 */
final class HeaderDeadline {
    private final ChannelHandlerContext ctx;
    private final long millis;
    private ScheduledFuture<?> timer;

    HeaderDeadline(ChannelHandlerContext ctx, long millis) {
        this.ctx = ctx;
        this.millis = millis;
    }

    /** Starts the clock, unless it runs already. */
    void start() {
        if (timer == null) {
            timer = ctx.executor().schedule(this::expired, millis, TimeUnit.MILLISECONDS);
        }
    }

    void stop() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expired() {
        timer = null;
        if (!ctx.channel().config().isAutoRead()) {
            // The server stopped reading (a pipelined request waits until the one before it is
            // answered): the rest of the head cannot arrive, which is not the client's doing.
            start();
            return;
        }
        ctx.channel().close();
    }
}
