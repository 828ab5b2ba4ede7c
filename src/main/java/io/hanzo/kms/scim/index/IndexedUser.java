package io.hanzo.kms.scim.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.CaseFold;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.JsonWhitespace;
import io.hanzo.kms.scim.protocol.resource.ResourceMeta;
import io.hanzo.kms.scim.store.UserRow;

import io.hanzo.kms.scim.store.StoredUser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A user as the index keeps it: the representation clients receive, rendered once per change and
 * kept packed ({@link DocumentCodec}), and beside it only what lookups, {@code meta} and member
 * listings need. The document is unpacked when it is sent and parsed only where a tree is needed
 * (filters, projections, PATCH).
 *
 * <p>A user loaded at start-up holds its stored attributes instead, packed the same way, and is
 * rendered the first time it is read: loading then parses no document, and a user never read costs
 * nothing more. The rendered document replaces the stored one; a reader racing that only renders it
 * twice. Otherwise never changed.
 */
public final class IndexedUser {
    /** Kinds of packed document: the stored attributes (not rendered yet), or the rendered document. */
    private static final byte STORED = 0;
    private static final byte RENDERED = 1;

    private final UUID orgId;
    private UUID id;
    private final long version;
    private final long createdNanos;
    private final long lastModifiedNanos;
    private volatile byte[] packed;
    private final DocumentCodec codec;
    /** userName in lower case: the user's key in the userName lookup. */
    String userNameKey;
    /** externalId as given (it is matched exactly), or null. */
    String externalId;
    /** The emails' values in lower case: null, one String, or a String[] without repeats. */
    Object emailKeys;
    /** What a group's member list shows as the member's {@code display}. */
    private final String display;

    private IndexedUser(UUID orgId, UUID id, long version, Instant created, Instant lastModified, byte[] packed,
                        DocumentCodec codec, String userName, String externalId, List<String> emails, String displayName) {
        this.orgId = orgId;
        this.id = id;
        this.version = version;
        this.createdNanos = nanos(created);
        this.lastModifiedNanos = nanos(lastModified);
        this.packed = packed;
        this.codec = codec;
        this.userNameKey = CaseFold.lowerValue(userName);
        this.externalId = externalId;
        this.emailKeys = emailKeys(emails, userNameKey);
        this.display = displayName != null ? displayName : userName;
    }

    /**
     * @param rendered the user as clients receive it (see
     *                 {@link io.hanzo.kms.scim.protocol.resource.ResourceRenderer#render}), serialised
     */
    public static IndexedUser of(UserRow row, byte[] rendered, DocumentCodec codec) {
        ObjectNode a = row.attributes();
        List<String> emails = new ArrayList<>(1);
        JsonNode list = a.get("emails");
        if (list != null && list.isArray()) {
            for (JsonNode e : list) {
                if (e.hasNonNull("value")) {
                    emails.add(e.get("value").asText());
                }
            }
        }
        JsonNode displayName = a.get("displayName");
        return new IndexedUser(row.orgId(), row.id(), row.version(), row.created(), row.lastModified(),
                codec.pack(rendered, RENDERED), codec, row.userName(), row.externalId(), emails,
                displayName != null && !displayName.isNull() ? displayName.asText() : null);
    }

    /**
     * A user as loaded from the database, rendered when first read (the codec must have a renderer).
     * The stored text is packed without the spaces PostgreSQL's jsonb output puts between tokens.
     */
    public static IndexedUser stored(StoredUser s, DocumentCodec codec) {
        byte[] text = s.attributes().getBytes(StandardCharsets.UTF_8);
        int length = JsonWhitespace.strip(text);
        return new IndexedUser(s.orgId(), s.id(), s.version(), s.created(), s.lastModified(),
                codec.pack(text, length, STORED), codec, s.userName(), s.externalId(),
                s.emails() == null ? List.of() : Arrays.asList(s.emails()), s.displayName());
    }

    public UUID id() {
        return id;
    }

    public UUID orgId() {
        return orgId;
    }

    public long version() {
        return version;
    }

    public Instant created() {
        return instant(createdNanos);
    }

    public Instant lastModified() {
        return instant(lastModifiedNanos);
    }

    public ResourceMeta meta() {
        return new ResourceMeta(id.toString(), created(), lastModified(), version);
    }

    /** The weak ETag of this version. */
    public String etag() {
        return "W/\"" + version + "\"";
    }

    /** {@code meta.location}: the user's URL. */
    public String location() {
        return codec.location(id.toString());
    }

    /** The member's {@code display} in a group: displayName, else userName. */
    public String display() {
        return display;
    }

    /** The full representation as clients receive it (a fresh array the caller may keep). */
    public byte[] json() {
        byte[] p = packed;
        if (DocumentCodec.kind(p) == RENDERED) {
            return codec.unpack(p);
        }
        return keepRendered(Json.bytes(renderStored(p)));
    }

    /** The full representation as a tree (parsed anew on each call; callers may change it). */
    public ObjectNode resource() {
        byte[] p = packed;
        if (DocumentCodec.kind(p) == RENDERED) {
            return parse(codec.unpack(p));
        }
        // The tree the first rendering builds is the answer: parsing its own bytes again would double
        // the cost of a scan over users loaded at start-up and never read since.
        ObjectNode rendered = renderStored(p);
        keepRendered(Json.bytes(rendered));
        return rendered;
    }

    /** The client representation of a user still held as its stored attributes. */
    private ObjectNode renderStored(byte[] stored) {
        return codec.renderer().render(parse(codec.unpack(stored)), meta());
    }

    /** Holds the rendered document from now on, in place of the stored attributes. */
    private byte[] keepRendered(byte[] rendered) {
        packed = codec.pack(rendered, RENDERED);
        return rendered;
    }

    /**
     * The stored row: its attributes are the document without what the server adds when rendering
     * ({@code schemas}, {@code id}, {@code meta}). Built anew on each call.
     */
    public UserRow row() {
        byte[] p = packed;
        ObjectNode attributes = parse(codec.unpack(p));
        if (DocumentCodec.kind(p) == RENDERED) {
            attributes.remove("schemas");
            attributes.remove("id");
            attributes.remove("meta");
        }
        return new UserRow(orgId, id, attributes, version, created(), lastModified());
    }

    private static ObjectNode parse(byte[] json) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("An indexed document does not parse", e);
        }
    }

    /**
     * Takes the previous version's id and key instances where they are equal, so that a user changed
     * many times keeps one copy of each. Only before this version is published to readers.
     */
    void shareKeysWith(IndexedUser previous) {
        if (previous.id.equals(id)) {
            id = previous.id;
        }
        if (previous.userNameKey.equals(userNameKey)) {
            boolean emailIsName = emailKeys == userNameKey;
            userNameKey = previous.userNameKey;
            if (emailIsName) {
                emailKeys = userNameKey;
            }
        }
        if (externalId != null && externalId.equals(previous.externalId)) {
            externalId = previous.externalId;
        }
    }

    /** True once the document is rendered (users loaded from the database are rendered when first read). */
    boolean rendered() {
        return DocumentCodec.kind(packed) == RENDERED;
    }

    /** Bytes of the packed document (for measurements). */
    int packedLength() {
        return packed.length;
    }

    List<String> emailKeyList() {
        if (emailKeys == null) {
            return List.of();
        }
        if (emailKeys instanceof String s) {
            return List.of(s);
        }
        return List.of((String[]) emailKeys);
    }

    boolean hasEmailKey(String key) {
        if (emailKeys instanceof String s) {
            return s.equals(key);
        }
        if (emailKeys instanceof String[] all) {
            for (String s : all) {
                if (s.equals(key)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The same String as the userName key when an email equals it, as it usually does. */
    private static Object emailKeys(List<String> emails, String userNameKey) {
        List<String> keys = new ArrayList<>(1);
        // A set only for the rare user with many emails: a list's contains would make them quadratic.
        Set<String> seen = emails.size() > 8 ? new HashSet<>() : null;
        for (String value : emails) {
            String key = CaseFold.lowerValue(value);
            if (key.equals(userNameKey)) {
                key = userNameKey;
            }
            if (seen != null ? seen.add(key) : !keys.contains(key)) {
                keys.add(key);
            }
        }
        if (keys.isEmpty()) {
            return null;
        }
        return keys.size() == 1 ? keys.get(0) : keys.toArray(new String[0]);
    }

    private static long nanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}
