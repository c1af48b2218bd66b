package io.spillway.broker;

/** The broker cannot serve the call now (not connected yet, or closed); the caller answers 503. */
public final class BrokerUnavailableException extends RuntimeException {
    public BrokerUnavailableException(String message) {
        super(message, null, false, false);
    }
}
