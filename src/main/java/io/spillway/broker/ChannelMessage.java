package io.spillway.broker;

/**
 * One event addressed to one channel of one app: the unit the broker publishes (one Redis PUBLISH each).
 *
 * @param socketId the publisher's socket to exclude from delivery, or {@code null}
 */
public record ChannelMessage(String appId, String channel, String event, String data, String socketId) {
}
