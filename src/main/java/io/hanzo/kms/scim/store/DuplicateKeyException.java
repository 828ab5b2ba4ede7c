package io.hanzo.kms.scim.store;

/** A write broke a unique key; the message says which value clashed, never a secret. */
public class DuplicateKeyException extends RuntimeException {
    public DuplicateKeyException(String message) {
        super(message, null, false, false);
    }
}
