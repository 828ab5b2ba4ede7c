package io.hanzo.kms.scim.store;

/** A write lost a race with another write it cannot be merged with; retrying it is safe. */
public class ConcurrentChangeException extends RuntimeException {
    public ConcurrentChangeException(String message) {
        super(message, null, false, false);
    }
}
