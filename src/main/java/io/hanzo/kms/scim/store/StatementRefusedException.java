package io.hanzo.kms.scim.store;

/**
 * The database refused a statement for what it held (an error reported by the server, not a lost
 * connection): nothing of it was written, so its rows may safely be tried again one by one.
 */
public class StatementRefusedException extends RuntimeException {
    public StatementRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
