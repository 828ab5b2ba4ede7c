package io.hanzo.kms.scim.index;

import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Keeps rendered documents small in memory: deflated with a preset dictionary of what every document
 * of the type repeats (schema URNs, attribute names, the endpoint URL in {@code meta.location}), so that
 * only what is particular to a resource takes room. Inflating one back costs a few microseconds, much
 * less than rendering it again.
 *
 * <p>A packed document starts with its inflated length (a variable-length integer), so that it inflates
 * into an array of exactly that size.
 */
public final class DocumentCodec {
    private final byte[] dictionary;
    private final String locationPrefix;
    /** One deflater and inflater per thread: making them allocates native buffers of ~300 KB. */
    private final ThreadLocal<Deflater> deflaters = ThreadLocal.withInitial(() -> new Deflater(Deflater.BEST_SPEED, true));
    private final ThreadLocal<Inflater> inflaters = ThreadLocal.withInitial(() -> new Inflater(true));
    private final ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[4096]);

    /**
     * @param locationPrefix what each document's {@code meta.location} starts with: the endpoint URL
     *                       and a slash, followed by the id
     * @param typical        a document of the type as it usually looks (names, URNs, common values);
     *                       deflate finds the nearest matches cheapest, so the likeliest text goes last
     */
    public DocumentCodec(String locationPrefix, byte[] typical) {
        this.locationPrefix = locationPrefix;
        this.dictionary = typical.clone();
    }

    /** The URL of the resource with this id. */
    public String location(String id) {
        return locationPrefix + id;
    }

    public byte[] pack(byte[] document) {
        Deflater deflater = deflaters.get();
        deflater.reset();
        deflater.setDictionary(dictionary);
        deflater.setInput(document);
        deflater.finish();
        byte[] buffer = buffers.get();
        int header = varIntLength(document.length);
        if (buffer.length < document.length + 64 + header) {
            buffer = new byte[document.length + 64 + header];
            buffers.set(buffer);
        }
        int at = writeVarInt(buffer, document.length);
        while (!deflater.finished()) {
            if (at == buffer.length) {
                byte[] bigger = new byte[buffer.length * 2];
                System.arraycopy(buffer, 0, bigger, 0, at);
                buffer = bigger;
                buffers.set(buffer);
            }
            at += deflater.deflate(buffer, at, buffer.length - at);
        }
        byte[] out = new byte[at];
        System.arraycopy(buffer, 0, out, 0, at);
        return out;
    }

    public byte[] unpack(byte[] packed) {
        int length = 0;
        int shift = 0;
        int at = 0;
        byte b;
        do {
            b = packed[at++];
            length |= (b & 0x7f) << shift;
            shift += 7;
        } while (b < 0);
        byte[] out = new byte[length];
        Inflater inflater = inflaters.get();
        inflater.reset();
        // Raw deflate (no zlib header) takes the dictionary before any input.
        inflater.setDictionary(dictionary);
        inflater.setInput(packed, at, packed.length - at);
        try {
            int done = 0;
            while (done < length) {
                int n = inflater.inflate(out, done, length - done);
                if (n == 0 && (inflater.finished() || inflater.needsInput())) {
                    throw new IllegalStateException("A packed document ended early");
                }
                done += n;
            }
        } catch (DataFormatException e) {
            throw new IllegalStateException("A packed document is corrupt", e);
        }
        return out;
    }

    private static int varIntLength(int v) {
        int n = 1;
        while ((v >>>= 7) != 0) {
            n++;
        }
        return n;
    }

    private static int writeVarInt(byte[] into, int v) {
        int at = 0;
        while ((v & ~0x7f) != 0) {
            into[at++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        into[at++] = (byte) v;
        return at;
    }
}
