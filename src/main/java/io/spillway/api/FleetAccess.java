package io.spillway.api;

import java.time.Duration;
import java.util.Optional;

import io.spillway.broker.ChannelDirectory;

/**
 * Whether there is a WebSocket fleet to ask about channels, and how long to wait for it.
 *
 * @param directory         the fleet, or empty (Spillway's own wire format, or no Redis)
 * @param answerWithin      how long a request waits for the fleet's answer
 * @param retryAfterSeconds {@code Retry-After} of the 503 when it does not answer in time
 */
public record FleetAccess(Optional<ChannelDirectory> directory, Duration answerWithin, long retryAfterSeconds) {
    public static final FleetAccess NONE = new FleetAccess(Optional.empty(), Duration.ZERO, 1);

    Optional<ChannelInfo> info() {
        return directory.map(d -> new ChannelInfo(d, answerWithin, retryAfterSeconds));
    }
}
