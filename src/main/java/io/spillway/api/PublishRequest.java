package io.spillway.api;

import java.util.List;

import io.spillway.broker.ChannelMessage;

/**
 * A parsed publish: the messages to send and the channel attributes its {@code info} fields ask for.
 *
 * @param items how many events the request held (one for {@code /events}, the batch size for
 *              {@code /batch_events}): the answer has one entry per item
 */
public record PublishRequest(List<ChannelMessage> messages, List<InfoQuery> info, int items) {

    public PublishRequest(List<ChannelMessage> messages, List<InfoQuery> info) {
        this(messages, info, 1);
    }

    public PublishRequest {
        messages = List.copyOf(messages);
        info = List.copyOf(info);
    }
}
