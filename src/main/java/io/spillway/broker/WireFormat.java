package io.spillway.broker;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * SPEC's Redis wire format: channel {@code {prefix}{app_id}:{channel}}, payload compact JSON
 * {@code {"event","channel","data"[,"socket_id"]}} with {@code data} exactly as received.
 */
public final class WireFormat {
    private final String channelPrefix;
    private final JsonFactory json = new JsonFactory();

    public WireFormat(String channelPrefix) {
        this.channelPrefix = channelPrefix;
    }

    public String topic(String appId, String channel) {
        return channelPrefix + appId + ':' + channel;
    }

    public String topic(ChannelMessage message) {
        return topic(message.appId(), message.channel());
    }

    public String payload(ChannelMessage message) {
        StringWriter out = new StringWriter(64 + message.data().length());
        try (JsonGenerator gen = json.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeStringField("event", message.event());
            gen.writeStringField("channel", message.channel());
            gen.writeStringField("data", message.data());
            if (message.socketId() != null) {
                gen.writeStringField("socket_id", message.socketId());
            }
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
