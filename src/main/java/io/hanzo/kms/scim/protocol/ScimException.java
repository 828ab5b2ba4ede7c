package io.hanzo.kms.scim.protocol;

/**
 * A failure that the client caused or must hear about, carrying exactly what RFC 7644 §3.12 puts in an
 * error response. Anything else that escapes a handler is a server fault.
 */
public class ScimException extends RuntimeException {
    private final int status;
    private final String scimType;

    /**
     * Longest detail sent, in characters. Details quote what the client sent (a path, a filter, a
     * value), which may be a megabyte: the answer need not be.
     */
    static final int MAX_DETAIL = 1000;

    public ScimException(int status, String scimType, String detail) {
        super(cut(detail), null, false, false);
        this.status = status;
        this.scimType = scimType;
    }

    private static String cut(String detail) {
        String kept = ShortText.cut(detail, MAX_DETAIL);
        // The kept characters are all but the closing "…".
        return kept == detail ? detail : kept + " (" + (detail.length() - kept.length() + 1) + " more characters)";
    }

    public int status() {
        return status;
    }

    /** The RFC 7644 {@code scimType} keyword, or null where none applies. */
    public String scimType() {
        return scimType;
    }

    public String detail() {
        return getMessage();
    }

    public static ScimException invalidFilter(String detail) {
        return new ScimException(400, "invalidFilter", detail);
    }

    public static ScimException invalidSyntax(String detail) {
        return new ScimException(400, "invalidSyntax", detail);
    }

    public static ScimException invalidPath(String detail) {
        return new ScimException(400, "invalidPath", detail);
    }

    public static ScimException invalidValue(String detail) {
        return new ScimException(400, "invalidValue", detail);
    }

    public static ScimException noTarget(String detail) {
        return new ScimException(400, "noTarget", detail);
    }

    public static ScimException mutability(String detail) {
        return new ScimException(400, "mutability", detail);
    }

    public static ScimException uniqueness(String detail) {
        return new ScimException(409, "uniqueness", detail);
    }

    public static ScimException tooMany(String detail) {
        return new ScimException(400, "tooMany", detail);
    }

    /**
     * 503: a change that kept meeting other writers' changes to the same resource (on other instances)
     * and was not applied; the client should send it again shortly. Not a 409, which names a version
     * the client sent or a duplicate.
     */
    public static ScimException busy(String detail) {
        return new ScimException(503, null, detail);
    }

    public static ScimException preconditionFailed(String detail) {
        return new ScimException(412, null, detail);
    }

    public static ScimException notFound(String detail) {
        return new ScimException(404, null, detail);
    }

    public static ScimException unauthorized(String detail) {
        return new ScimException(401, null, detail);
    }

    public static ScimException forbidden(String detail) {
        return new ScimException(403, null, detail);
    }
}
