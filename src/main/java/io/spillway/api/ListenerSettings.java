package io.spillway.api;

import java.time.Duration;

/**
 * The public listener's limits Helidon does not have ({@code spillway.listener}).
 *
 * @param headerTimeout how long a request's head may take from its request line to its last header; {@code 0s} = no
 *                      deadline (then only the idle timeout, which a client trickling headers never triggers)
 */
public record ListenerSettings(Duration headerTimeout) {
    public static final ListenerSettings DEFAULTS = new ListenerSettings(Duration.ofSeconds(10));

    public ListenerSettings {
        if (headerTimeout.isNegative()) {
            throw new IllegalArgumentException("spillway.listener.header-timeout must be >= 0 (0s: off)");
        }
    }

    public boolean headerDeadline() {
        return !headerTimeout.isZero();
    }
}
