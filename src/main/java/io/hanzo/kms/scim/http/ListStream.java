package io.hanzo.kms.scim.http;

import io.vertx.core.buffer.Buffer;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

/**
 * The chunks of a ListResponse: its head, each resource's chunks separated by commas (a resource's
 * chunks are produced only when its turn comes), then the closing brackets.
 */
final class ListStream implements Iterator<Buffer> {
    private final Iterator<Supplier<Iterator<Buffer>>> items;
    private Iterator<Buffer> current;
    private boolean first = true;
    private boolean ended;

    ListStream(int totalResults, int itemsPerPage, int startIndex, List<Supplier<Iterator<Buffer>>> items) {
        this.items = items.iterator();
        this.current = Collections.singletonList(
                ScimResponses.listHead(Buffer.buffer(), totalResults, itemsPerPage, startIndex)).iterator();
    }

    /** One resource already serialised. */
    static Supplier<Iterator<Buffer>> whole(byte[] json) {
        return () -> Collections.singletonList(Buffer.buffer(json)).iterator();
    }

    @Override
    public boolean hasNext() {
        return !ended;
    }

    @Override
    public Buffer next() {
        if (current.hasNext()) {
            return current.next();
        }
        if (items.hasNext()) {
            current = items.next().get();
            Buffer b = current.next();
            if (first) {
                first = false;
                return b;
            }
            return Buffer.buffer(b.length() + 1).appendByte((byte) ',').appendBuffer(b);
        }
        if (ended) {
            throw new NoSuchElementException();
        }
        ended = true;
        return Buffer.buffer("]}");
    }
}
