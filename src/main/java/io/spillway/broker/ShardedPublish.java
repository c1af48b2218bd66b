package io.spillway.broker;

import java.util.Locale;

/**
 * Whether cluster mode publishes with {@code SPUBLISH} (sharded pub/sub, Redis 7+) or plain {@code PUBLISH}.
 * Sharded messages travel only within the owning shard instead of being broadcast over the whole cluster bus,
 * but consumers must then {@code SSUBSCRIBE} (there is no sharded {@code PSUBSCRIBE}). Ignored outside cluster
 * mode, where {@code PUBLISH} is the only choice.
 */
public enum ShardedPublish {
    /** {@code SPUBLISH} when every master runs Redis 7.0 or later, decided once per connection. */
    AUTO,
    /** Always {@code SPUBLISH}; a server older than 7.0 then refuses every publish. */
    ON,
    /** Always {@code PUBLISH}, for consumers that subscribe with SUBSCRIBE or PSUBSCRIBE. */
    OFF;

    /** {@code auto}, or a YAML boolean ({@code true/on/yes}, {@code false/off/no}). */
    public static ShardedPublish parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "true", "on", "yes" -> ON;
            case "false", "off", "no" -> OFF;
            default -> throw new IllegalArgumentException("spillway.redis.sharded-publish: '" + text
                                                                  + "' is not auto, true or false");
        };
    }
}
