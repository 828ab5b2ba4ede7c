package io.hanzo.kms.scim.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The methods a path takes, for the {@code Allow} header a 405 must carry (RFC 9110 §15.5.6), read
 * once from the router's routes: vertx-web answers 405 without saying which methods would do. Only
 * routes that name their methods count; the others (authentication, body handling) take any.
 */
final class AllowedMethods {
    private record PathMethods(Pattern path, Set<HttpMethod> methods) {
    }

    private final List<PathMethods> routes = new ArrayList<>();

    /** The routes that name both a path and their methods; the router's other routes take any method. */
    AllowedMethods(Router router) {
        for (Route r : router.getRoutes()) {
            // getPath() is the path as written, ":id" and all (vertx-web calls such a path a regex path).
            if (r.getPath() != null && r.methods() != null && !r.methods().isEmpty()) {
                routes.add(new PathMethods(pattern(r.getPath()), r.methods()));
            }
        }
    }

    /** "/a/:id/b" matches /a/{one segment}/b, with or without a slash at the end. */
    private static Pattern pattern(String path) {
        StringBuilder regex = new StringBuilder();
        for (String part : path.split("(?=/)")) {
            regex.append(part.startsWith("/:") ? "/[^/]+" : Pattern.quote(part));
        }
        return Pattern.compile(regex + "/?");
    }

    /** The methods of every route whose path matches, in name order, or null when none does. */
    String allow(String path) {
        Set<String> names = new TreeSet<>();
        for (PathMethods r : routes) {
            if (r.path().matcher(path).matches()) {
                r.methods().forEach(m -> names.add(m.name()));
            }
        }
        return names.isEmpty() ? null : String.join(", ", names);
    }
}
