package io.hanzo.kms.scim.http;

import io.hanzo.kms.scim.protocol.ScimException;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/** A request's query parameters, each read once. */
final class QueryParameters {
    private QueryParameters() {
    }

    /** Lists of attribute names: given twice, they mean both lists, as one list with a comma between. */
    private static final Set<String> LISTS = Set.of("attributes", "excludedattributes");

    /**
     * A parameter's value, or null. Any other parameter given twice is a 400, for which of the two
     * values the client meant is not the server's to guess (the first was taken, and a second filter
     * ignored).
     */
    static Function<String, String> once(RoutingContext ctx) {
        MultiMap params = ctx.queryParams();
        return name -> {
            List<String> values = params.getAll(name);
            if (values.size() > 1 && LISTS.contains(name.toLowerCase(Locale.ROOT))) {
                return String.join(",", values);
            }
            if (values.size() > 1) {
                throw ScimException.invalidValue("The query parameter '" + name + "' is given more than once.");
            }
            return values.isEmpty() ? null : values.get(0);
        };
    }
}
