package io.spillway.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.api.ChannelAttributes.Attribute;
import io.spillway.broker.BrokerUnavailableException;
import io.spillway.broker.ChannelDirectory;

/**
 * Channel attributes from the fleet, in Pusher's shapes, with the fleet's failures turned into 503s the client
 * may retry.
 */
final class ChannelInfo {
    static final ObjectMapper JSON = new ObjectMapper();

    private final ChannelDirectory fleet;
    private final Duration wait;
    private final long retryAfterSeconds;

    /** @param wait how long to wait for an answer (the directory's own deadline plus a margin) */
    ChannelInfo(ChannelDirectory fleet, Duration wait, long retryAfterSeconds) {
        this.fleet = fleet;
        this.wait = wait;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    ChannelDirectory fleet() {
        return fleet;
    }

    /** The requested attributes of one channel; {@code user_count} only for presence channels. */
    CompletableFuture<ObjectNode> attributes(String appId, String channel, Set<Attribute> attributes,
                                             boolean occupied) {
        boolean users = attributes.contains(Attribute.USER_COUNT) && ChannelAttributes.isPresence(channel);
        boolean sockets = occupied || attributes.contains(Attribute.SUBSCRIPTION_COUNT);
        CompletableFuture<Integer> subscriptions = sockets ? fleet.subscriptionCount(appId, channel)
                                                           : CompletableFuture.completedFuture(0);
        CompletableFuture<Integer> userCount = users ? fleet.users(appId, channel).thenApply(Set::size)
                                                     : CompletableFuture.completedFuture(0);
        return subscriptions.thenCombine(userCount, (s, u) -> {
            ObjectNode node = JSON.createObjectNode();
            if (occupied) {
                node.put("occupied", s > 0);
            }
            if (users) {
                node.put("user_count", u);
            }
            if (attributes.contains(Attribute.SUBSCRIPTION_COUNT)) {
                node.put("subscription_count", s);
            }
            return node;
        });
    }

    /**
     * The answer to a publish whose events carry {@code info}: {@code {"channels":{name:{attrs}}}} for
     * {@code /events}, {@code {"batch":[{attrs}|{}, ...]}} for {@code /batch_events}.
     */
    String publishAnswer(String appId, PublishRequest request, boolean batch) {
        Map<InfoQuery, Map<String, CompletableFuture<ObjectNode>>> asked = new LinkedHashMap<>();
        for (InfoQuery q : request.info()) {
            Map<String, CompletableFuture<ObjectNode>> perChannel = new LinkedHashMap<>();
            for (String channel : q.channels()) {
                perChannel.putIfAbsent(channel, attributes(appId, channel, q.attributes(), false));
            }
            asked.put(q, perChannel);
        }
        CompletableFuture<?>[] all = asked.values().stream().flatMap(m -> m.values().stream())
                .toArray(CompletableFuture[]::new);
        await(CompletableFuture.allOf(all));
        ObjectNode answer = JSON.createObjectNode();
        if (batch) {
            var items = answer.putArray("batch");
            for (int i = 0; i < request.items(); i++) {
                items.addObject();
            }
            asked.forEach((q, perChannel) -> perChannel.values()
                    .forEach(f -> ((ObjectNode) items.get(q.item())).setAll(f.join())));
        } else {
            ObjectNode channels = answer.putObject("channels");
            asked.values().forEach(perChannel -> perChannel.forEach((c, f) -> channels.set(c, f.join())));
        }
        return answer.toString();
    }

    /** Waits for the fleet; a fleet that does not answer in time or a broker that is down is a 503. */
    <T> T await(CompletableFuture<T> answer) {
        try {
            return answer.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(false);
            throw unavailable("the soketi fleet did not answer within " + wait.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BrokerUnavailableException) {
                throw unavailable(cause.getMessage());
            }
            if (cause instanceof ApiException api) {
                throw api;
            }
            throw unavailable("cannot query the soketi fleet: " + cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted");
        }
    }

    private ApiException unavailable(String why) {
        return new ApiException(503, why + "; retry later", retryAfterSeconds);
    }
}
