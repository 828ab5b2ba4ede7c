package io.hanzo.kms.scim.index;

import io.hanzo.kms.scim.protocol.resource.ResourceRenderer;

import java.util.Arrays;

/**
 * Keeps rendered documents small in memory: each is written as literal bytes and copies of earlier
 * text (LZ77), where earlier text includes a preset dictionary of what every document of the type
 * repeats (schema URNs, attribute names, the endpoint URL of {@code meta.location}). Only what is
 * particular to a resource takes room: a 900-byte user becomes about 200 bytes.
 *
 * <p>Deflate with the same dictionary packs a little smaller but costs about 13 µs per document to
 * pack (its tables are reset and the dictionary hashed again every time) and 3 µs to unpack; this
 * format hashes the dictionary once and unpacks with plain array copies, in well under a microsecond,
 * which matters because every user sent to a client is unpacked.
 *
 * <p>Format: a kind byte the caller chooses, the unpacked length (varint), then sequences of a token byte (high nibble: literal
 * count, low nibble: copy length − 4; 15 means a varint with the rest follows), the literals, and,
 * unless the document is complete, the copy's distance back (varint) counted in the dictionary
 * followed by the document.
 */
public final class DocumentCodec {
    private static final int MIN_MATCH = 4;
    private static final int DICT_HASH_BITS = 14;
    private static final int DOC_HASH_BITS = 10;
    /** Dictionary candidates tried per position (the dictionary's chains are built once). */
    private static final int DICT_TRIES = 4;

    private final byte[] dictionary;
    /** Per hash of four bytes, the last dictionary position starting with them, plus one (0: none). */
    private final int[] dictionaryHeads = new int[1 << DICT_HASH_BITS];
    /** Per dictionary position, the previous position with the same hash, plus one. */
    private final int[] dictionaryChain;
    private final String locationPrefix;
    private final ResourceRenderer renderer;
    private final ThreadLocal<int[]> documentHeads = ThreadLocal.withInitial(() -> new int[1 << DOC_HASH_BITS]);
    private final ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[4096]);

    /**
     * @param locationPrefix what each document's {@code meta.location} starts with: the endpoint URL
     *                       and a slash, followed by the id
     * @param typical        a document of the type as it usually looks (names, URNs, common values);
     *                       nearer copies cost fewer bytes, so the likeliest text goes last
     */
    public DocumentCodec(String locationPrefix, byte[] typical) {
        this(locationPrefix, typical, null);
    }

    /** @param renderer renders the documents of this codec from stored attributes (see {@link #renderer}) */
    public DocumentCodec(String locationPrefix, byte[] typical, ResourceRenderer renderer) {
        this.locationPrefix = locationPrefix;
        this.renderer = renderer;
        this.dictionary = typical.clone();
        this.dictionaryChain = new int[dictionary.length];
        for (int p = 0; p + MIN_MATCH <= dictionary.length; p++) {
            int h = hash(dictionary, p, DICT_HASH_BITS);
            dictionaryChain[p] = dictionaryHeads[h];
            dictionaryHeads[h] = p + 1;
        }
    }

    /** What renders documents packed as stored attributes; null when the codec was given none. */
    ResourceRenderer renderer() {
        return renderer;
    }

    /** The URL of the resource with this id. */
    public String location(String id) {
        return locationPrefix + id;
    }

    public byte[] pack(byte[] doc) {
        return pack(doc, (byte) 0);
    }

    /** Packs with the given kind byte first (see {@link #kind}). */
    public byte[] pack(byte[] doc, byte kind) {
        return pack(doc, doc.length, kind);
    }

    /** Packs the first {@code n} bytes of {@code doc}, with the given kind byte first. */
    public byte[] pack(byte[] doc, int n, byte kind) {
        byte[] out = buffers.get();
        // Worst case: every byte a literal, a varint per 128 of them, and the length.
        int worst = n + n / 16 + 32;
        if (out.length < worst) {
            out = new byte[worst];
            buffers.set(out);
        }
        int[] heads = documentHeads.get();
        Arrays.fill(heads, 0);
        int d = dictionary.length;
        out[0] = kind;
        int o = writeVarInt(out, 1, n);
        int literalStart = 0;
        int i = 0;
        while (i + MIN_MATCH <= n) {
            int bestLength = 0;
            int bestDistance = 0;
            int hd = hash(doc, i, DOC_HASH_BITS);
            int candidate = heads[hd] - 1;
            heads[hd] = i + 1;
            if (candidate >= 0) {
                int length = matchInDocument(doc, candidate, i, n);
                if (length >= MIN_MATCH) {
                    bestLength = length;
                    bestDistance = i - candidate;
                }
            }
            int c = dictionaryHeads[hash(doc, i, DICT_HASH_BITS)];
            for (int tries = 0; c != 0 && tries < DICT_TRIES; tries++) {
                int p = c - 1;
                int length = matchInDictionary(doc, i, n, p);
                // A longer copy wins; at equal length the nearer one (fewer bytes of distance).
                if (length > bestLength || (length == bestLength && length >= MIN_MATCH && d - p + i < bestDistance)) {
                    bestLength = length;
                    bestDistance = d - p + i;
                }
                c = dictionaryChain[p];
            }
            if (bestLength < MIN_MATCH) {
                i++;
                continue;
            }
            o = writeSequence(out, o, doc, literalStart, i - literalStart, bestLength, bestDistance);
            // The copied text is searchable too, from a few of its positions (cheap, and enough).
            int end = i + bestLength;
            for (int k = i + 1; k < end && k + MIN_MATCH <= n; k += 3) {
                heads[hash(doc, k, DOC_HASH_BITS)] = k + 1;
            }
            i = end;
            literalStart = i;
        }
        o = writeSequence(out, o, doc, literalStart, n - literalStart, 0, 0);
        return Arrays.copyOf(out, o);
    }

    /** The kind byte a document was packed with. */
    public static byte kind(byte[] packed) {
        return packed[0];
    }

    public byte[] unpack(byte[] packed) {
        long read = readVarInt(packed, 1);
        int at = (int) read;
        byte[] out = new byte[(int) (read >>> 32)];
        int length = out.length;
        int d = dictionary.length;
        int o = 0;
        while (true) {
            int token = packed[at++] & 0xff;
            int literals = token >>> 4;
            if (literals == 15) {
                read = readVarInt(packed, at);
                at = (int) read;
                literals += (int) (read >>> 32);
            }
            System.arraycopy(packed, at, out, o, literals);
            at += literals;
            o += literals;
            if (o >= length) {
                return out;
            }
            read = readVarInt(packed, at);
            at = (int) read;
            int distance = (int) (read >>> 32);
            int copy = (token & 0x0f) + MIN_MATCH;
            if ((token & 0x0f) == 15) {
                read = readVarInt(packed, at);
                at = (int) read;
                copy += (int) (read >>> 32);
            }
            int from = o - distance;
            if (from < 0) {
                // From the dictionary: such a copy never runs past its end.
                System.arraycopy(dictionary, d + from, out, o, copy);
            } else if (distance >= copy) {
                System.arraycopy(out, from, out, o, copy);
            } else {
                for (int k = 0; k < copy; k++) {
                    out[o + k] = out[from + k];
                }
            }
            o += copy;
        }
    }

    /**
     * The varint at {@code at}: its value in the high 32 bits, the position after it in the low 32
     * (one long, so that the hot loop above allocates nothing).
     */
    private static long readVarInt(byte[] in, int at) {
        int v = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = in[at++];
            v |= (b & 0x7f) << shift;
            if (b >= 0) {
                return ((long) v << 32) | at;
            }
        }
    }

    /** Length of the match of doc[i..] against doc[candidate..] (which may overlap it). */
    private static int matchInDocument(byte[] doc, int candidate, int i, int n) {
        // Arrays.mismatch compares many bytes at a step; overlapping ranges are fine (both are read).
        int m = Arrays.mismatch(doc, candidate, candidate + n - i, doc, i, n);
        return m < 0 ? n - i : m;
    }

    /** Length of the match of doc[i..] against the dictionary from p, within the dictionary. */
    private int matchInDictionary(byte[] doc, int i, int n, int p) {
        int limit = Math.min(n - i, dictionary.length - p);
        int m = Arrays.mismatch(dictionary, p, p + limit, doc, i, i + limit);
        return m < 0 ? limit : m;
    }

    private static int writeSequence(byte[] out, int o, byte[] doc, int from, int literals, int copy, int distance) {
        int copyCode = copy == 0 ? 0 : copy - MIN_MATCH;
        out[o++] = (byte) ((Math.min(literals, 15) << 4) | Math.min(copyCode, 15));
        if (literals >= 15) {
            o = writeVarInt(out, o, literals - 15);
        }
        System.arraycopy(doc, from, out, o, literals);
        o += literals;
        if (copy == 0) {
            return o;
        }
        o = writeVarInt(out, o, distance);
        if (copyCode >= 15) {
            o = writeVarInt(out, o, copyCode - 15);
        }
        return o;
    }

    private static int writeVarInt(byte[] into, int at, int v) {
        while ((v & ~0x7f) != 0) {
            into[at++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        into[at++] = (byte) v;
        return at;
    }

    private static int hash(byte[] b, int p, int bits) {
        int v = (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
        return (v * 0x9E3779B1) >>> (32 - bits);
    }
}
