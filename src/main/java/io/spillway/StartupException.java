package io.spillway;

/** The gateway could not start (e.g. a port is taken); the message is shown to the operator as is. */
public final class StartupException extends RuntimeException {
    public StartupException(String message) {
        super(message);
    }
}
