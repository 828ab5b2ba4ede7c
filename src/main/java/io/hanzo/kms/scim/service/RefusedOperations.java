package io.hanzo.kms.scim.service;

import io.hanzo.kms.scim.store.ScimEvent;

/**
 * Where refused operations go to become provisioning events: within each organisation's budget of
 * refusals recorded one by one, the same for a refused request and for a refused operation of a bulk
 * request, so that a bulk retried for ever adds no more rows than single requests would.
 */
public interface RefusedOperations {
    /** Records the refusal, or counts it in a later event; never waits for the database. */
    void refused(ScimEvent refusal);
}
