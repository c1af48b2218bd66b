package io.spillway.config;

import java.time.Duration;
import java.util.List;

import io.spillway.api.ApiLimits;
import io.spillway.broker.RedisSettings;

/**
 * Everything the gateway is configured with, validated.
 *
 * @param streamHeartbeat how often an idle SSE watch stream sends a comment
 */
public record SpillwaySettings(BrokerKind broker, RedisSettings redis, List<AppSettings> apps, ApiLimits limits,
                               Duration streamHeartbeat) {

    public enum BrokerKind { MEMORY, REDIS }

    public SpillwaySettings {
        apps = List.copyOf(apps);
    }
}
