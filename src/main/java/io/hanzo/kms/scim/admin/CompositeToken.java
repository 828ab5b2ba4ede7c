package io.hanzo.kms.scim.admin;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.UUID;

/**
 * A bearer secret that names what it opens: {@code <prefix>} then the base64url of an organisation
 * id, a record id and 32 random bytes. The ids let the server find the one stored hash to compare and
 * route to the organisation's shard; the random bytes are the secret.
 *
 * @param orgId    the organisation
 * @param recordId the token or invitation it belongs to
 */
public record CompositeToken(UUID orgId, UUID recordId) {
    private static final int SECRET_BYTES = 32;
    private static final int RAW_LENGTH = 16 + 16 + SECRET_BYTES;

    /** A new secret for the record. */
    public static String mint(String prefix, UUID orgId, UUID recordId) {
        byte[] raw = ByteBuffer.allocate(RAW_LENGTH)
                .putLong(orgId.getMostSignificantBits()).putLong(orgId.getLeastSignificantBits())
                .putLong(recordId.getMostSignificantBits()).putLong(recordId.getLeastSignificantBits())
                .put(Secrets.randomBytes(SECRET_BYTES))
                .array();
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    /** The ids a presented secret names, or null when it is not of this form. */
    public static CompositeToken parse(String prefix, String presented) {
        if (presented == null || !presented.startsWith(prefix)) {
            return null;
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(presented.substring(prefix.length()));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (raw.length != RAW_LENGTH) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        return new CompositeToken(new UUID(b.getLong(), b.getLong()), new UUID(b.getLong(), b.getLong()));
    }
}
