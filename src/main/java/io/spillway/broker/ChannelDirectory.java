package io.spillway.broker;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What the WebSocket fleet behind the broker knows about its connections: Pusher's channel queries. Every answer
 * is bounded by the directory's deadline; a fleet that does not answer in time, or a broker that is down, fails
 * the future with {@link BrokerUnavailableException}.
 */
public interface ChannelDirectory {

    /** Every channel with at least one subscriber, and how many connections are subscribed to it. */
    CompletableFuture<Map<String, Integer>> occupiedChannels(String appId);

    /** Connections subscribed to {@code channel} (0 when none). */
    CompletableFuture<Integer> subscriptionCount(String appId, String channel);

    /** The distinct user ids on a presence channel. */
    CompletableFuture<Set<String>> users(String appId, String channel);

    /** Disconnects every connection signed in as {@code userId}; completes once every node has done it. */
    CompletableFuture<Void> terminateUserConnections(String appId, String userId);
}
