package io.spillway.admission;

import java.util.Locale;

/** Why a request was refused; the status tells the client whether it exceeded its quota (429) or the pod shed it (503). */
public enum RejectReason {
    GLOBAL_RATE(429, "Rate limit exceeded for this gateway, retry later"),
    APP_RATE(429, "Rate limit exceeded for this app, retry later"),
    CONCURRENCY(503, "Overloaded, retry later"),
    WARMING(503, "Warming up, retry later"),
    DRAINING(503, "Shutting down, retry on another instance"),
    BROKER_DOWN(503, "Message broker unavailable, retry later"),
    SLOW_START(503, "Ramping up after start, retry later");

    private final int status;
    private final String message;
    private final String label;

    RejectReason(int status, String message) {
        this.status = status;
        this.message = message;
        this.label = name().toLowerCase(Locale.ROOT);
    }

    /** Metric label, e.g. {@code global_rate}. */
    public String label() {
        return label;
    }

    /** 429 for the rate reasons, 503 for the others. */
    public int status() {
        return status;
    }

    /** Human-readable reason for the JSON error body. */
    public String message() {
        return message;
    }
}
