package io.spillway.broker;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Asks a soketi 1.6 fleet over its Redis adapter's request channel, as soketi nodes ask each other: a request
 * {@code {"requestId","appId","type","opts"}} is published on {@code redis-adapter#comms#req} and every node
 * answers {@code {"requestId", ...}} on {@code #comms#res}. The number of answers to wait for is
 * {@code PUBSUB NUMSUB} of the request channel, so this class subscribes to the response channel only: a
 * subscriber of the request channel would be counted by every soketi node's own queries and make them all wait
 * for their timeout.
 */
public final class SoketiFleet implements ChannelDirectory {
    private static final Logger LOG = Logger.getLogger(SoketiFleet.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** soketi's {@code RequestType} numbers (src/adapters/horizontal-adapter.ts). */
    enum RequestType {
        CHANNEL_MEMBERS(3), CHANNEL_SOCKETS_COUNT(6), CHANNELS_WITH_SOCKETS_COUNT(8), TERMINATE_USER_CONNECTIONS(9);

        final int code;

        RequestType(int code) {
            this.code = code;
        }
    }

    private final Supplier<RedissonClient> client;
    private final String requestChannel;
    private final String responseChannel;
    private final Duration timeout;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private RedissonClient listeningOn;
    private CompletableFuture<Void> listening;

    /** Asks through the broker's current Redis client (it follows failovers and rebuilds). */
    public static SoketiFleet over(RedissonBroker broker, SoketiWireFormat wire, Duration timeout) {
        return new SoketiFleet(broker::currentClient, wire, timeout);
    }

    SoketiFleet(Supplier<RedissonClient> client, SoketiWireFormat wire, Duration timeout) {
        this.client = client;
        this.requestChannel = wire.adapterChannel() + "#comms#req";
        this.responseChannel = wire.adapterChannel() + "#comms#res";
        this.timeout = timeout;
    }

    @Override
    public CompletableFuture<Map<String, Integer>> occupiedChannels(String appId) {
        return ask(appId, RequestType.CHANNELS_WITH_SOCKETS_COUNT, Map.of()).thenApply(answers -> {
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (JsonNode answer : answers) {
                for (JsonNode pair : answer.path("channelsWithSocketsCount")) {
                    counts.merge(pair.path(0).asText(), pair.path(1).asInt(), Integer::sum);
                }
            }
            counts.values().removeIf(n -> n <= 0);
            return counts;
        });
    }

    @Override
    public CompletableFuture<Integer> subscriptionCount(String appId, String channel) {
        return ask(appId, RequestType.CHANNEL_SOCKETS_COUNT, Map.of("channel", channel)).thenApply(answers -> {
            int total = 0;
            for (JsonNode answer : answers) {
                total += answer.path("totalCount").asInt();
            }
            return total;
        });
    }

    /** Members rather than soketi's member count: a user connected to two nodes is one user. */
    @Override
    public CompletableFuture<Set<String>> users(String appId, String channel) {
        return ask(appId, RequestType.CHANNEL_MEMBERS, Map.of("channel", channel)).thenApply(answers -> {
            Set<String> ids = new LinkedHashSet<>();
            for (JsonNode answer : answers) {
                for (JsonNode pair : answer.path("members")) {
                    ids.add(pair.path(0).asText());
                }
            }
            return ids;
        });
    }

    @Override
    public CompletableFuture<Void> terminateUserConnections(String appId, String userId) {
        return ask(appId, RequestType.TERMINATE_USER_CONNECTIONS, Map.of("userId", userId)).thenApply(a -> null);
    }

    /** Publishes one request and collects every node's answer, failing once the deadline passes. */
    CompletableFuture<List<JsonNode>> ask(String appId, RequestType type, Map<String, String> opts) {
        RedissonClient c = client.get();
        if (c == null) {
            return CompletableFuture.failedFuture(new BrokerUnavailableException("not connected to Redis"));
        }
        String requestId = UUID.randomUUID().toString();
        String request = CompactJson.write(128, gen -> {
            gen.writeStringField("requestId", requestId);
            gen.writeStringField("appId", appId);
            gen.writeNumberField("type", type.code);
            gen.writeObjectFieldStart("opts");
            for (Map.Entry<String, String> opt : opts.entrySet()) {
                gen.writeStringField(opt.getKey(), opt.getValue());
            }
            gen.writeEndObject();
        });
        RTopic requests = c.getTopic(requestChannel, StringCodec.INSTANCE);
        CompletableFuture<List<JsonNode>> answers = listen(c)
                .thenCompose(ready -> requests.countSubscribersAsync().toCompletableFuture())
                .thenCompose(nodes -> {
                    if (nodes == 0) {
                        return CompletableFuture.completedFuture(List.of()); // no fleet: nothing is connected
                    }
                    Pending p = new Pending(nodes.intValue());
                    pending.put(requestId, p);
                    return requests.publishAsync(request).toCompletableFuture().thenCompose(receivers -> p.done);
                });
        return answers.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((result, error) -> {
                    Pending p = pending.remove(requestId);
                    if (error == null) {
                        return result;
                    }
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    if (cause instanceof TimeoutException) {
                        throw new BrokerUnavailableException("the soketi fleet did not answer within "
                                + timeout.toMillis() + " ms" + (p == null ? "" : " (" + p.answered() + " of "
                                + p.expected + " nodes answered)"));
                    }
                    throw new BrokerUnavailableException("cannot query the soketi fleet: "
                                                                 + RedissonBroker.rootMessage(cause));
                });
    }

    /** Subscribes to the response channel of {@code c} once (again after the broker replaced its client). */
    private synchronized CompletableFuture<Void> listen(RedissonClient c) {
        if (listeningOn == c && !listening.isCompletedExceptionally()) {
            return listening;
        }
        if (listeningOn != null && listeningOn != c && !listeningOn.isShuttingDown()) {
            listeningOn.getTopic(responseChannel, StringCodec.INSTANCE).removeAllListenersAsync();
        }
        listeningOn = c;
        listening = c.getTopic(responseChannel, StringCodec.INSTANCE)
                .addListenerAsync(String.class, (channel, message) -> onResponse(message))
                .toCompletableFuture()
                .thenApply(id -> null);
        return listening;
    }

    private void onResponse(String message) {
        JsonNode answer;
        try {
            answer = JSON.readTree(message);
        } catch (IOException e) {
            LOG.fine(() -> "ignoring a malformed answer on " + responseChannel);
            return;
        }
        Pending p = answer == null ? null : pending.get(answer.path("requestId").asText(""));
        if (p != null) {
            p.add(answer);
        }
    }

    /** Answers so far to one request; done once {@code expected} nodes answered. */
    private static final class Pending {
        final int expected;
        final List<JsonNode> answers = new ArrayList<>();
        final CompletableFuture<List<JsonNode>> done = new CompletableFuture<>();

        Pending(int expected) {
            this.expected = expected;
        }

        synchronized void add(JsonNode answer) {
            answers.add(answer);
            if (answers.size() >= expected) {
                done.complete(List.copyOf(answers));
            }
        }

        synchronized int answered() {
            return answers.size();
        }
    }
}
