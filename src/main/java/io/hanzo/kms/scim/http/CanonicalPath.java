package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.protocol.tolerance.IdpTolerance;

import java.util.List;

/**
 * The path a request is routed by, when a client spelled a SCIM path in a way that has one meaning:
 * doubled slashes, and endpoint names in another letter case ({@code /users}, {@code /bulk}). Only the
 * endpoint names are rewritten, never ids, so {@code Location} and {@code meta.location} keep the
 * canonical spelling the server builds from its public URL.
 */
final class CanonicalPath {
    private static final List<String> ENDPOINTS = List.of("Users", "Groups", "Bulk", "Schemas",
            "ServiceProviderConfig", "ResourceTypes", ".search", "Me");
    private static final String SEARCH = ".search";

    private CanonicalPath() {
    }

    /** The path to route by; the same string when nothing needs rewriting. */
    static String of(String path) {
        String p = path;
        if (p.contains("//") && IdpTolerance.DOUBLED_SLASHES.accepted()) {
            p = p.replaceAll("/{2,}", "/");
        }
        if (IdpTolerance.ENDPOINT_NAME_ANY_CASE.accepted()) {
            p = endpointsInSchemaCase(p);
        }
        return p;
    }

    /**
     * Rewrites the first segment after the SCIM base, and a {@code .search} after Users or Groups, to
     * their schema spelling. Every request passes here, so a path already spelled right is returned as
     * it is, without splitting it.
     */
    private static String endpointsInSchemaCase(String path) {
        String prefix = ApiRouter.SCIM_BASE + "/";
        if (!path.startsWith(prefix)) {
            return path;
        }
        int start = prefix.length();
        int end = segmentEnd(path, start);
        String first = canonical(path, start, end);
        if (first == null) {
            return path;
        }
        String second = null;
        int secondEnd = -1;
        boolean searchable = first.equals("Users") || first.equals("Groups");
        if (searchable && end < path.length()) {
            secondEnd = segmentEnd(path, end + 1);
            if (secondEnd - end - 1 == SEARCH.length() && path.regionMatches(true, end + 1, SEARCH, 0, SEARCH.length())) {
                second = SEARCH;
            }
        }
        boolean firstSame = path.startsWith(first, start);
        boolean secondSame = second == null || path.startsWith(second, end + 1);
        if (firstSame && secondSame) {
            return path;
        }
        StringBuilder b = new StringBuilder(path.length()).append(path, 0, start).append(first);
        if (second == null) {
            return b.append(path, end, path.length()).toString();
        }
        return b.append('/').append(second).append(path, secondEnd, path.length()).toString();
    }

    private static int segmentEnd(String path, int from) {
        int slash = path.indexOf('/', from);
        return slash < 0 ? path.length() : slash;
    }

    /** The endpoint's schema spelling when path[start, end) names one in any letter case, else null. */
    private static String canonical(String path, int start, int end) {
        for (String endpoint : ENDPOINTS) {
            if (endpoint.length() == end - start && path.regionMatches(true, start, endpoint, 0, endpoint.length())) {
                return endpoint;
            }
        }
        return null;
    }
}
