package io.spillway.broker;

import java.util.UUID;

/**
 * How one (event, channel) message looks on Redis: which Redis channel it is published on and what payload it
 * carries. SPEC fixes two formats, chosen by {@code spillway.redis.wire-format}.
 */
public sealed interface WireFormat permits SpillwayWireFormat, SoketiWireFormat {

    /** {@code spillway.redis.wire-format}. */
    enum Kind {
        SPILLWAY, SOKETI;

        public static Kind parse(String value) {
            return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "spillway" -> SPILLWAY;
                case "soketi" -> SOKETI;
                default -> throw new IllegalArgumentException("spillway.redis.wire-format: '" + value
                                                                      + "' is not spillway or soketi");
            };
        }
    }

    /** The Redis channel a message for this app channel is published on. */
    String topic(String appId, String channel);

    default String topic(ChannelMessage message) {
        return topic(message.appId(), message.channel());
    }

    /** The PUBLISH payload: always well-formed, compact JSON. */
    String payload(ChannelMessage message);

    /**
     * Whether a payload read from {@link #topic(String, String)} belongs to that app channel (soketi's format
     * carries every app and channel on one Redis channel).
     */
    boolean addressedTo(String payload, String appId, String channel);

    /** Wraps a subscriber of {@link #topic(String, String)} so it sees only that app channel's payloads. */
    default java.util.function.Consumer<String> only(String appId, String channel,
                                                     java.util.function.Consumer<String> onPayload) {
        return payload -> {
            if (addressedTo(payload, appId, channel)) {
                onPayload.accept(payload);
            }
        };
    }

    /** The format the settings name; soketi's broadcasts carry a sender id fresh for this process. */
    static WireFormat of(RedisSettings settings) {
        return switch (settings.wireFormat()) {
            case SPILLWAY -> new SpillwayWireFormat(settings.channelPrefix());
            case SOKETI -> new SoketiWireFormat(settings.soketiPrefix(), "spillway-" + UUID.randomUUID(),
                                                 new SpillwayWireFormat(settings.channelPrefix()));
        };
    }
}
