package io.spillway.broker;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * SPEC's Redis wire format: channel {@code {prefix}{app_id}:{channel}}, payload compact JSON
 * {@code {"event","channel","data"[,"socket_id"]}} with {@code data} exactly as received. The pod's own traffic
 * (app {@link #INTERNAL_APP_ID}: pool priming, warm-up, broker probes) goes to one channel outside the prefix, so
 * a consumer of {@code {prefix}*} never sees it.
 */
public final class WireFormat {
    /** The app id of the pod's own traffic; configured app ids cannot start with {@code _}. */
    public static final String INTERNAL_APP_ID = "_warmup";
    /** Default of {@code spillway.redis.internal-channel}. */
    public static final String DEFAULT_INTERNAL_CHANNEL = "_spillway:internal";

    private final String channelPrefix;
    private final String internalChannel;
    private final JsonFactory json = new JsonFactory();

    public WireFormat(String channelPrefix) {
        this(channelPrefix, DEFAULT_INTERNAL_CHANNEL);
    }

    public WireFormat(String channelPrefix, String internalChannel) {
        this.channelPrefix = channelPrefix;
        this.internalChannel = internalChannel;
    }

    public String topic(String appId, String channel) {
        return INTERNAL_APP_ID.equals(appId) ? internalChannel : channelPrefix + appId + ':' + channel;
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
