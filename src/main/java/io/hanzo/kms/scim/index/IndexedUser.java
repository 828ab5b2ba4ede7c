package io.hanzo.kms.scim.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hanzo.kms.scim.protocol.CaseFold;
import io.hanzo.kms.scim.protocol.Json;
import io.hanzo.kms.scim.protocol.resource.ResourceMeta;
import io.hanzo.kms.scim.store.UserRow;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A user as the index keeps it: the representation clients receive, rendered once per change and
 * kept packed ({@link DocumentCodec}), and beside it only what lookups, {@code meta} and member
 * listings need. The document is inflated when it is sent and parsed only where a tree is needed
 * (filters, projections, PATCH). Never mutated.
 */
public final class IndexedUser {
    private final UUID orgId;
    private UUID id;
    private final long version;
    private final long createdNanos;
    private final long lastModifiedNanos;
    private final byte[] packed;
    private final DocumentCodec codec;
    /** userName in lower case: the user's key in the userName lookup. */
    String userNameKey;
    /** externalId as given (it is matched exactly), or null. */
    String externalId;
    /** The emails' values in lower case: null, one String, or a String[] without repeats. */
    Object emailKeys;
    /** What a group's member list shows as the member's {@code display}. */
    private final String display;

    private IndexedUser(UserRow row, byte[] packed, DocumentCodec codec) {
        this.orgId = row.orgId();
        this.id = row.id();
        this.version = row.version();
        this.createdNanos = nanos(row.created());
        this.lastModifiedNanos = nanos(row.lastModified());
        this.packed = packed;
        this.codec = codec;
        this.userNameKey = CaseFold.lower(row.userName());
        this.externalId = row.externalId();
        this.emailKeys = emailKeys(row.attributes(), userNameKey);
        JsonNode displayName = row.attributes().get("displayName");
        this.display = displayName != null && !displayName.isNull() ? displayName.asText() : row.userName();
    }

    /**
     * @param rendered the user as clients receive it (see
     *                 {@link io.hanzo.kms.scim.protocol.resource.ResourceRenderer#render}), serialised
     */
    public static IndexedUser of(UserRow row, byte[] rendered, DocumentCodec codec) {
        return new IndexedUser(row, codec.pack(rendered), codec);
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
        return codec.unpack(packed);
    }

    /** The full representation as a tree (parsed anew on each call; callers may change it). */
    public ObjectNode resource() {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json());
        } catch (IOException e) {
            throw new IllegalStateException("An indexed document does not parse", e);
        }
    }

    /**
     * The stored row: its attributes are the document without what the server adds when rendering
     * ({@code schemas}, {@code id}, {@code meta}). Built anew on each call.
     */
    public UserRow row() {
        ObjectNode attributes = resource();
        attributes.remove("schemas");
        attributes.remove("id");
        attributes.remove("meta");
        return new UserRow(orgId, id, attributes, version, created(), lastModified());
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
    private static Object emailKeys(ObjectNode attributes, String userNameKey) {
        JsonNode emails = attributes.get("emails");
        if (emails == null || !emails.isArray()) {
            return null;
        }
        List<String> keys = new ArrayList<>(1);
        for (JsonNode e : emails) {
            if (e.hasNonNull("value")) {
                String key = CaseFold.lower(e.get("value").asText());
                if (key.equals(userNameKey)) {
                    key = userNameKey;
                }
                if (!keys.contains(key)) {
                    keys.add(key);
                }
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
