package io.hanzo.kms.scim.protocol.filter;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A resolved filter turned into a predicate once, for testing many resources: attribute definitions
 * are looked up, expected values lower-cased and timestamps parsed when it is built, not per resource.
 * It answers exactly as {@link FilterEvaluator#matches} does (see {@link FilterCompiler}).
 */
@FunctionalInterface
public interface CompiledFilter {
    boolean matches(JsonNode resource);
}
