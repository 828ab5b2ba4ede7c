package io.hanzo.kms.scim.config;

/** Configuration that cannot be used; the message names the key. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
