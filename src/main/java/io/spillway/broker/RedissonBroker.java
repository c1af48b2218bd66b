package io.spillway.broker;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import org.redisson.Redisson;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.client.RedisReadonlyException;
import org.redisson.client.RedisTimeoutException;
import org.redisson.client.codec.StringCodec;
import org.redisson.connection.ConnectionListener;

/**
 * Publishes through Redisson. Connecting happens in the background with jittered backoff capped at half a
 * second (so a pod notices a returning Redis quickly), so a Redis that is down or black-holed at start never blocks
 * or ends the process; once connected, Redisson reconnects and follows failovers by itself (it re-reads the topology
 * every scan interval). Every publish is bounded by {@link RedisSettings#publishTimeout()}.
 *
 * <p>A {@link TopologyWatcher} checks that Redisson follows: in sentinel mode it refuses publishes while the client
 * still points at a master the sentinels no longer name, and rebuilds the client when Redisson does not catch up.
 */
public final class RedissonBroker implements Broker {
    private static final Logger LOG = Logger.getLogger(RedissonBroker.class.getName());
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    /** Most messages waiting for the pipeline writer; beyond that a publish is refused at once (503). */
    static final int PIPELINE_CAPACITY = 8192;
    /** Most PUBLISH commands in one pipelined write. */
    static final int PIPELINE_MAX_BATCH = 256;
    private static final Duration MAX_BACKOFF = Duration.ofMillis(500);
    /** An old client finishes what it has in flight before it goes. */
    private static final Duration RETIRE_GRACE = Duration.ofSeconds(2);

    private final RedisSettings settings;
    private final WireFormat wire;
    private final long deadlineMillis;
    private final TopologyMetrics metrics;
    private final TopologyWatcher topology;
    private final PublishPipeline pipeline;
    private final Set<LiveSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private volatile RedissonClient client;
    private volatile boolean sharded;
    private volatile String refusal;
    private volatile boolean closed;
    private Thread connector;

    /** Reports topology metrics to Helidon's global registry. */
    public RedissonBroker(RedisSettings settings, WireFormat wire) {
        this(settings, wire, Metrics.globalRegistry());
    }

    public RedissonBroker(RedisSettings settings, WireFormat wire, MeterRegistry registry) {
        this(settings, wire, registry, PIPELINE_CAPACITY, PIPELINE_MAX_BATCH);
    }

    RedissonBroker(RedisSettings settings, WireFormat wire, MeterRegistry registry, int pipelineCapacity,
                   int pipelineMaxBatch) {
        this.settings = settings;
        this.wire = wire;
        this.deadlineMillis = settings.publishTimeout().toMillis();
        this.metrics = new TopologyMetrics(registry);
        SentinelMasterGate gate = settings.mode() == RedisSettings.Mode.SENTINEL ? new SentinelMasterGate(settings)
                                                                                : null;
        this.topology = new TopologyWatcher(settings, this::view, gate, metrics, reason -> refusal = reason,
                                            this::rebuild);
        // One batch per pooled connection in flight; the queue holds what a few full batches carry, so a slow
        // Redis turns into fast 503s instead of memory growth.
        this.pipeline = new PublishPipeline(() -> client, wire, () -> sharded, settings.responseTimeout(),
                                            settings.retryAttempts(), settings.retryDelay(), pipelineCapacity,
                                            pipelineMaxBatch, settings.poolSize());
    }

    /** Starts connecting in the background; returns at once. */
    public synchronized void start() {
        if (connector == null) {
            connector = Thread.ofVirtual().name("redis-connector").start(this::connectLoop);
        }
    }

    private void connectLoop() {
        long backoff = FIRST_BACKOFF.toMillis();
        int attempt = 0;
        while (!closed && client == null) {
            attempt++;
            try {
                RedissonClient created = connect();
                if (closed) {
                    created.shutdown();
                    return;
                }
                client = created;
                topology.start();
                LOG.info(() -> "connected to Redis (" + name() + (sharded ? ", sharded publish" : "") + ")");
                return;
            } catch (RuntimeException e) {
                long wait = ThreadLocalRandom.current().nextLong(backoff / 2, backoff + 1);
                int n = attempt;
                LOG.log(n == 1 || n % 10 == 0 ? Level.WARNING : Level.FINE,
                        () -> "Redis not reachable (attempt " + n + "): " + rootMessage(e) + "; retrying in " + wait
                                + " ms");
                sleep(wait);
                backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
            }
        }
    }

    private RedissonClient connect() {
        RedissonClient created = Redisson.create(RedissonConfigs.create(settings, masterEvents()));
        try {
            sharded = ShardedPublishDetector.decide(settings, created);
        } catch (RuntimeException e) {
            created.shutdown();
            throw e;
        }
        metrics.sharded(sharded);
        return created;
    }

    /**
     * The forced topology refresh: a new client reads the topology from scratch (sentinels, cluster seeds), takes
     * over publishing and every live subscription, and the old one retires. Keeps the old client if Redis cannot
     * be reached now.
     */
    private boolean rebuild() {
        RedissonClient old = client;
        if (old == null || closed) {
            return false;
        }
        RedissonClient fresh;
        try {
            fresh = connect();
        } catch (RuntimeException e) {
            LOG.warning(() -> "topology refresh failed, keeping the current Redis client: " + rootMessage(e));
            return false;
        }
        if (closed) {
            fresh.shutdown();
            return false;
        }
        client = fresh;
        subscriptions.forEach(s -> s.attach(fresh));
        LOG.warning(() -> "Redis client rebuilt; publishing to " + view().map(TopologyView::toString).orElse("?"));
        Thread.ofVirtual().name("redis-retire").start(() -> old.shutdown(0, RETIRE_GRACE.toMillis(),
                                                                         TimeUnit.MILLISECONDS));
        return true;
    }

    /** Forces a topology refresh, as a READONLY answer does (for tests and operators' tooling in this package). */
    void refreshTopology() {
        topology.suspectStale();
    }

    private Optional<TopologyView> view() {
        RedissonClient c = client;
        return c == null || c.isShuttingDown() ? Optional.empty() : Optional.of(TopologyView.of(c, settings.mode()));
    }

    /** A connection to a node opened or dropped: the topology may have changed, look now. */
    private ConnectionListener masterEvents() {
        return new ConnectionListener() {
            @Override
            public void onConnect(InetSocketAddress address) {
                topology.wake();
            }

            @Override
            public void onDisconnect(InetSocketAddress address) {
                topology.wake();
            }
        };
    }

    @Override
    /**
     * Hands the messages to the pipeline and waits for Redis to acknowledge each of them, at most the publish
     * deadline. Concurrent requests share pipelined writes; each still waits for its own replies.
     */
    public PublishResult publish(List<ChannelMessage> messages) {
        if (client == null) {
            return PublishResult.unavailable("not connected to Redis");
        }
        String refused = refusal;
        if (refused != null) {
            return PublishResult.unavailable(refused);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
        CompletableFuture<?>[] acks = pipeline.enqueue(messages, deadline);
        if (acks == null) {
            return PublishResult.unavailable("publish queue full: Redis is not keeping up");
        }
        try {
            CompletableFuture.allOf(acks).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return PublishResult.acked(acks.length);
        } catch (TimeoutException e) {
            return new PublishResult(PublishResult.Outcome.TIMEOUT, countDone(acks),
                                     "Redis did not acknowledge within " + deadlineMillis + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PublishPipeline.NotSent && countDone(acks) == 0) {
                return PublishResult.unavailable(e.getCause().getMessage());
            }
            if (e.getCause() instanceof TimeoutException || e.getCause() instanceof RedisTimeoutException) {
                return new PublishResult(PublishResult.Outcome.TIMEOUT, countDone(acks), e.getCause().getMessage());
            }
            return failed(countDone(acks), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new PublishResult(PublishResult.Outcome.FAILED, countDone(acks), "interrupted");
        }
    }


    private RTopic topic(RedissonClient c, String name) {
        return sharded ? c.getShardedTopic(name, StringCodec.INSTANCE) : c.getTopic(name, StringCodec.INSTANCE);
    }

    private PublishResult failed(int acknowledged, Throwable e) {
        if (causedBy(e, RedisReadonlyException.class)) {
            // The node we write to is a replica now: re-read the topology instead of failing until the next scan.
            topology.suspectStale();
        }
        return new PublishResult(PublishResult.Outcome.FAILED, acknowledged, rootMessage(e));
    }

    private static int countDone(CompletableFuture<?>[] acks) {
        int done = 0;
        for (CompletableFuture<?> f : acks) {
            if (f.isDone() && !f.isCompletedExceptionally()) {
                done++;
            }
        }
        return done;
    }

    @Override
    public Subscription subscribe(String appId, String channel, Consumer<String> onPayload) {
        RedissonClient c = client;
        if (c == null) {
            throw new BrokerUnavailableException("not connected to Redis");
        }
        LiveSubscription subscription = new LiveSubscription(wire.topic(appId, channel),
                                                                 wire.only(appId, channel, onPayload));
        subscription.attach(c);
        subscriptions.add(subscription);
        if (client != c) {
            subscription.attach(client); // a rebuild happened meanwhile
        }
        return subscription;
    }

    @Override
    public boolean connected() {
        return client != null;
    }

    /** The client publishing now, or null while not connected (for {@link SoketiFleet}'s queries). */
    RedissonClient currentClient() {
        return client;
    }

    /** PINGs every node Redisson knows; false when not connected or any node fails to answer in time. */
    @Override
    public boolean ping(Duration timeout) {
        RedissonClient c = client;
        if (c == null) {
            return false;
        }
        try {
            return switch (settings.mode()) {
                case SINGLE -> c.getRedisNodes(RedisNodes.SINGLE).pingAll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                case SENTINEL -> c.getRedisNodes(RedisNodes.SENTINEL_MASTER_SLAVE)
                        .pingAll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                case CLUSTER -> c.getRedisNodes(RedisNodes.CLUSTER).pingAll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            };
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "redis-" + settings.mode().name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        closed = true;
        pipeline.close();
        topology.close();
        metrics.close();
        RedissonClient c = client;
        client = null;
        if (c != null) {
            c.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return message == null ? t.getClass().getSimpleName() : message;
    }

    /** An SSE watch stream's subscription; it moves to the new client when the client is rebuilt. */
    private final class LiveSubscription implements Subscription {
        private final String topicName;
        private final Consumer<String> onPayload;
        private RTopic topic;
        private int listenerId;
        private boolean closed;

        LiveSubscription(String topicName, Consumer<String> onPayload) {
            this.topicName = topicName;
            this.onPayload = onPayload;
        }

        /** Listens through {@code c}, then stops listening through the client before (no double delivery). */
        synchronized void attach(RedissonClient c) {
            if (closed) {
                return;
            }
            RTopic next = topic(c, topicName);
            try {
                int id = next.addListener(String.class, (channel, message) -> onPayload.accept(message));
                if (topic != null) {
                    topic.removeListenerAsync(listenerId);
                }
                topic = next;
                listenerId = id;
            } catch (RuntimeException e) {
                if (topic == null) {
                    throw new BrokerUnavailableException("cannot subscribe: " + rootMessage(e));
                }
                LOG.warning(() -> "SSE stream of " + topicName + " stays on the old Redis client: " + rootMessage(e));
            }
        }

        @Override
        public synchronized void close() {
            closed = true;
            subscriptions.remove(this);
            if (topic != null) {
                topic.removeListenerAsync(listenerId);
            }
        }
    }
}
