package io.spillway.broker;

import com.fasterxml.jackson.core.JsonGenerator;

/**
 * SPEC's own Redis wire format: channel {@code {prefix}{app_id}:{channel}}, payload compact JSON
 * {@code {"event","channel","data"[,"socket_id"]}} with {@code data} exactly as received.
 */
public record SpillwayWireFormat(String channelPrefix) implements WireFormat {

    @Override
    public String topic(String appId, String channel) {
        return channelPrefix + appId + ':' + channel;
    }

    @Override
    public String payload(ChannelMessage message) {
        return CompactJson.write(64 + message.data().length(), gen -> {
            writePusherFields(gen, message);
            if (message.socketId() != null) {
                gen.writeStringField("socket_id", message.socketId());
            }
        });
    }

    /** Every payload on this format's channel is for that channel. */
    @Override
    public boolean addressedTo(String payload, String appId, String channel) {
        return true;
    }

    @Override
    public java.util.function.Consumer<String> only(String appId, String channel,
                                                    java.util.function.Consumer<String> onPayload) {
        return onPayload;
    }

    /** Pusher's message fields, in Pusher's order: {@code event}, {@code channel}, {@code data}. */
    static void writePusherFields(JsonGenerator gen, ChannelMessage message) throws java.io.IOException {
        gen.writeStringField("event", message.event());
        gen.writeStringField("channel", message.channel());
        gen.writeStringField("data", message.data());
    }
}
