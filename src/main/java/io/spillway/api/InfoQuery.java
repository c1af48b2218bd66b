package io.spillway.api;

import java.util.List;
import java.util.Set;

/**
 * One event's {@code info}: which attributes of which channels the publish answer must carry.
 *
 * @param item the event's index in its request (0 for {@code /events})
 */
public record InfoQuery(int item, List<String> channels, Set<ChannelAttributes.Attribute> attributes) {
}
