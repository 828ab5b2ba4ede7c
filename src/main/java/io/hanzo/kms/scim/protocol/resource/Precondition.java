package io.hanzo.kms.scim.protocol.resource;

import io.hanzo.kms.scim.protocol.ScimException;

/**
 * The conditions a change of one resource was sent with (RFC 9110 §13.1): {@code If-Match}, and
 * {@code If-None-Match}, which on a method other than GET or HEAD is false for a resource that
 * exists when it lists {@code *} or the resource's current version (§13.1.2). Either one false is a
 * 412 that changes nothing. A bulk operation's {@code version} is its If-Match (RFC 7644 §3.7).
 *
 * @param ifMatch     the If-Match header, or null
 * @param ifNoneMatch the If-None-Match header, or null
 */
public record Precondition(String ifMatch, String ifNoneMatch) {
    public static final Precondition NONE = new Precondition(null, null);

    /** A bulk operation's version, or null for none. */
    public static Precondition ifMatch(String version) {
        return new Precondition(version, null);
    }

    /** No condition: the change applies to whatever version it finds. */
    public boolean none() {
        return ifMatch == null && ifNoneMatch == null;
    }

    /** Whether the resource, found at {@code version}, meets every condition. */
    public boolean holds(long version) {
        return (ifMatch == null || ETags.matches(ifMatch, version))
                && (ifNoneMatch == null || !ETags.matches(ifNoneMatch, version));
    }

    /**
     * Whether the change must be written on the version its conditions were checked against: a change
     * made meanwhile is then a 412, not a reason to apply it again to a version they were not checked
     * against. Only {@code If-Match: *} holds whatever the version (and If-None-Match never does).
     */
    public boolean pinned() {
        return ifMatch != null && !ifMatch.trim().equals("*") || ifNoneMatch != null;
    }

    /** The 412 for a {@code resource} ("user", "group") that has changed since the version a client named. */
    public static ScimException changed(String resource, String etag) {
        return ScimException.preconditionFailed("The " + resource + " has changed: its version is now " + etag + ".");
    }

    /**
     * The 412 for a {@code resource} ("user", "group") found at a version its conditions exclude.
     *
     * @param etag the version as an entity tag
     */
    public ScimException failed(String resource, long version, String etag) {
        if (ifMatch != null && !ETags.matches(ifMatch, version)) {
            return changed(resource, etag);
        }
        return ScimException.preconditionFailed("The " + resource + " exists at version " + etag
                + ", which If-None-Match excludes; nothing was changed.");
    }
}
