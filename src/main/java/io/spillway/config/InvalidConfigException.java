package io.spillway.config;

/** A configuration that cannot be used; its message names the key or file and is shown to the operator as is. */
public final class InvalidConfigException extends RuntimeException {
    public InvalidConfigException(String message) {
        super(message);
    }

    public InvalidConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
