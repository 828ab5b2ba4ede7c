package io.hanzo.kms.scim.store;

/**
 * Who asked for a write and how, recorded as a provisioning event in the same transaction as the
 * write itself.
 *
 * @param tokenId   the SCIM token of the request, or null
 * @param operation such as {@code PATCH /Groups} or {@code POST /Bulk}
 * @param status    the status the request is answered with when the write succeeds, when the caller
 *                  decides it (a group PATCH answers 204 unless a body is asked for); null for the
 *                  write's usual one
 */
public record Audit(java.util.UUID tokenId, String operation, Integer status) {
    public Audit(java.util.UUID tokenId, String operation) {
        this(tokenId, operation, null);
    }

    /** The same request, answered with {@code answered} when it succeeds. */
    public Audit answering(int answered) {
        return new Audit(tokenId, operation, answered);
    }

    /** The status to record: the caller's when it gave one, else {@code usual}. */
    public int statusOr(int usual) {
        return status != null ? status : usual;
    }
}
