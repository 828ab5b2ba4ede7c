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

    private static String endpointsInSchemaCase(String path) {
        String prefix = ApiRouter.SCIM_BASE + "/";
        if (!path.startsWith(prefix)) {
            return path;
        }
        String[] segments = path.substring(prefix.length()).split("/", -1);
        String first = canonical(segments[0]);
        if (first == null) {
            return path;
        }
        segments[0] = first;
        boolean searchable = first.equals("Users") || first.equals("Groups");
        if (searchable && segments.length > 1 && segments[1].equalsIgnoreCase(SEARCH)) {
            segments[1] = SEARCH;
        }
        return prefix + String.join("/", segments);
    }

    private static String canonical(String segment) {
        for (String endpoint : ENDPOINTS) {
            if (endpoint.equalsIgnoreCase(segment)) {
                return endpoint;
            }
        }
        return null;
    }
}
