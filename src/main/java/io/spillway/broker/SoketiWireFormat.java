package io.spillway.broker;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * soketi 1.6's Redis-adapter broadcast, so a soketi fleet delivers what Spillway publishes: every message goes on
 * {@code redis-adapter} (or {@code {prefix}#redis-adapter}) as
 * {@code {"uuid","appId","channel","data","exceptingId"}}, {@code data} being the Pusher message
 * {@code {"event","channel","data"}} serialised as a string and {@code exceptingId} the publish's
 * {@code socket_id} or {@code null}. soketi parses these without a guard and stops on a parse error, so the
 * payload is only ever produced by a JSON generator.
 *
 * @param prefix   the fleet's {@code SOKETI_ADAPTER_REDIS_PREFIX}, empty for none
 * @param senderId the broadcast's {@code uuid}: soketi nodes drop broadcasts carrying their own, so it must differ
 *                 from every node's (theirs are bare v4 UUIDs)
 * @param internal where the pod's own traffic goes: app ids starting with {@code _} (the warm-up and probe app,
 *                 never a configured id) stay off {@code redis-adapter}, so the broker probe's steady publishes do
 *                 not reach every soketi node
 */
public record SoketiWireFormat(String prefix, String senderId, SpillwayWireFormat internal) implements WireFormat {

    public SoketiWireFormat {
        if (senderId == null || senderId.isEmpty()) {
            throw new IllegalArgumentException("soketi broadcasts need a sender id");
        }
    }

    public SoketiWireFormat(String prefix, String senderId) {
        this(prefix, senderId, new SpillwayWireFormat("spillway:"));
    }

    private static boolean isInternal(String appId) {
        return appId.startsWith("_");
    }

    /** soketi's broadcast channel; its query channels are this plus {@code #comms#req} / {@code #comms#res}. */
    public String adapterChannel() {
        return prefix.isEmpty() ? "redis-adapter" : prefix + "#redis-adapter";
    }

    @Override
    public String topic(String appId, String channel) {
        return isInternal(appId) ? internal.topic(appId, channel) : adapterChannel();
    }

    @Override
    public String payload(ChannelMessage message) {
        if (isInternal(message.appId())) {
            return internal.payload(message);
        }
        String pusherMessage = CompactJson.write(48 + message.data().length(),
                                                 gen -> SpillwayWireFormat.writePusherFields(gen, message));
        return CompactJson.write(96 + pusherMessage.length() + pusherMessage.length() / 4, gen -> {
            gen.writeStringField("uuid", senderId);
            // soketi keys its apps by the string id: a number here would reach no socket.
            gen.writeStringField("appId", message.appId());
            gen.writeStringField("channel", message.channel());
            gen.writeStringField("data", pusherMessage);
            if (message.socketId() == null) {
                gen.writeNullField("exceptingId");
            } else {
                gen.writeStringField("exceptingId", message.socketId());
            }
        });
    }

    @Override
    public boolean addressedTo(String payload, String appId, String channel) {
        if (isInternal(appId)) {
            return true;
        }
        String app = null;
        String ch = null;
        try (JsonParser p = CompactJson.factory().createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING && field.equals("appId")) {
                    app = p.getText();
                } else if (value == JsonToken.VALUE_STRING && field.equals("channel")) {
                    ch = p.getText();
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            return false;
        }
        return appId.equals(app) && channel.equals(ch);
    }
}
