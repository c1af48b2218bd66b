package io.spillway.api;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.spillway.broker.ChannelMessage;
import io.spillway.broker.CompactJson;

/**
 * Parses and validates the bodies of {@code /events} and {@code /batch_events} into one message per
 * (event, channel), so nothing is published unless the whole request is valid. Streaming parser: no tree,
 * unknown fields skipped (the Pusher API adds fields over time).
 */
public final class PublishParser {
    private final ApiLimits limits;
    private final JsonFactory json;

    public PublishParser(ApiLimits limits) {
        this.limits = limits;
        this.json = CompactJson.factoryBuilder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build())
                .build();
    }

    /** {@code {"name","data","channels"|"channel","socket_id"?,"info"?}}. */
    public List<ChannelMessage> parseEvent(String appId, byte[] body) {
        return parseEventRequest(appId, body).messages();
    }

    /** {@link #parseEvent} plus the channel attributes its {@code info} asks for. */
    public PublishRequest parseEventRequest(String appId, byte[] body) {
        try (JsonParser p = open(body)) {
            Item item = readItem(p, true, "");
            requireEnd(p);
            return new PublishRequest(item.messages(appId), item.info() == null ? List.of()
                    : List.of(new InfoQuery(0, item.channels(), ChannelAttributes.parse(item.info(), "info"))));
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read body: " + e.getMessage());
        }
    }

    /** {@code {"batch":[{"name","channel","data","socket_id"?}, ...]}}, at most {@code max-batch} items. */
    public List<ChannelMessage> parseBatch(String appId, byte[] body) {
        return parseBatchRequest(appId, body).messages();
    }

    /** {@link #parseBatch} plus the channel attributes each item's {@code info} asks for. */
    public PublishRequest parseBatchRequest(String appId, byte[] body) {
        try (JsonParser p = open(body)) {
            PublishRequest messages = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("batch")) {
                    if (value != JsonToken.START_ARRAY) {
                        throw ApiException.badRequest("'batch' must be an array");
                    }
                    messages = readBatch(p, appId);
                } else {
                    p.skipChildren();
                }
            }
            requireEnd(p);
            if (messages == null) {
                throw ApiException.badRequest("missing 'batch'");
            }
            return messages;
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read body: " + e.getMessage());
        }
    }

    private PublishRequest readBatch(JsonParser p, String appId) throws IOException {
        List<ChannelMessage> messages = new ArrayList<>();
        List<InfoQuery> info = new ArrayList<>();
        int index = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (index == limits.maxBatch()) {
                throw ApiException.badRequest("'batch' has more than " + limits.maxBatch() + " items");
            }
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw ApiException.badRequest("batch[" + index + "] must be an object");
            }
            String where = "batch[" + index + "].";
            Item item = readItem(p, false, where);
            messages.addAll(item.messages(appId));
            if (item.info() != null) {
                info.add(new InfoQuery(index, item.channels(), ChannelAttributes.parse(item.info(), where + "info")));
            }
            index++;
        }
        if (index == 0) {
            throw ApiException.badRequest("'batch' is empty");
        }
        return new PublishRequest(messages, info, index);
    }

    private JsonParser open(byte[] body) throws IOException {
        if (body.length == 0) {
            throw ApiException.badRequest("empty body: a JSON object is required");
        }
        JsonParser p = json.createParser(body);
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw ApiException.badRequest("body must be a JSON object");
        }
        return p;
    }

    /** Reads one event object; the parser stands on its START_OBJECT and ends on its END_OBJECT. */
    private Item readItem(JsonParser p, boolean multiChannel, String where) throws IOException {
        String name = null;
        String data = null;
        String socketId = null;
        String info = null;
        List<String> channels = null;
        String channel = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "name" -> name = string(p, value, where + "name");
                case "data" -> data = string(p, value, where + "data");
                case "socket_id" -> socketId = value == JsonToken.VALUE_NULL ? null : string(p, value, where + "socket_id");
                case "channel" -> channel = string(p, value, where + "channel");
                case "channels" -> {
                    if (!multiChannel) {
                        throw ApiException.badRequest(where + "channels is not allowed in a batch item: use 'channel'");
                    }
                    channels = stringArray(p, value, where + "channels");
                }
                case "info" -> {
                    if (value != JsonToken.VALUE_NULL) {
                        info = string(p, value, where + "info");
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (name == null) {
            throw ApiException.badRequest("missing " + where + "name");
        }
        if (data == null) {
            throw ApiException.badRequest("missing " + where + "data");
        }
        if (channels != null && channel != null) {
            throw ApiException.badRequest("give either 'channels' or 'channel', not both");
        }
        if (channels == null) {
            if (channel == null) {
                throw ApiException.badRequest("missing " + where + (multiChannel ? "channels" : "channel"));
            }
            channels = List.of(channel);
        }
        validate(where, name, data, socketId, channels);
        return new Item(name, data, socketId, channels, info);
    }

    private void validate(String where, String name, String data, String socketId, List<String> channels) {
        if (name.isEmpty() || name.length() > limits.maxNameLength()) {
            throw ApiException.badRequest(where + "name must be 1 to " + limits.maxNameLength() + " characters");
        }
        int dataBytes = Utf8.length(data);
        if (dataBytes > limits.maxDataBytes()) {
            throw new ApiException(413, where + "data is " + dataBytes + " bytes; the limit is "
                    + limits.maxDataBytes());
        }
        if (socketId != null && !ChannelNames.isSocketId(socketId)) {
            throw ApiException.badRequest(where + "socket_id must look like 1234.5678");
        }
        if (channels.isEmpty()) {
            throw ApiException.badRequest(where + "channels is empty");
        }
        if (channels.size() > limits.maxChannels()) {
            throw ApiException.badRequest(where + "channels has " + channels.size() + " entries; the limit is "
                    + limits.maxChannels());
        }
        Set<String> seen = channels.size() > 1 ? new HashSet<>() : null;
        for (String c : channels) {
            if (!ChannelNames.isValid(c, limits.maxNameLength())) {
                throw ApiException.badRequest(where + "invalid channel name '" + abbreviate(c) + "': use 1 to "
                        + limits.maxNameLength() + " of A-Z a-z 0-9 _ - = @ , . ;");
            }
            if (seen != null && !seen.add(c)) {
                throw ApiException.badRequest(where + "channel '" + c + "' is listed twice");
            }
        }
    }

    private static String string(JsonParser p, JsonToken value, String field) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            throw ApiException.badRequest("'" + field + "' must be a string");
        }
        return p.getText();
    }

    private static List<String> stringArray(JsonParser p, JsonToken value, String field) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            throw ApiException.badRequest("'" + field + "' must be an array of strings");
        }
        List<String> result = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            result.add(string(p, t, field + "[" + result.size() + "]"));
        }
        return result;
    }

    private static void requireEnd(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw ApiException.badRequest("malformed JSON object");
        }
        if (p.nextToken() != null) {
            throw ApiException.badRequest("unexpected content after the JSON object");
        }
    }

    private static ApiException malformed(JsonProcessingException e) {
        return ApiException.badRequest("malformed JSON: " + e.getOriginalMessage());
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private record Item(String name, String data, String socketId, List<String> channels, String info) {
        List<ChannelMessage> messages(String appId) {
            List<ChannelMessage> out = new ArrayList<>(channels.size());
            for (String c : channels) {
                out.add(new ChannelMessage(appId, c, name, data, socketId));
            }
            return out;
        }
    }
}
