package io.spillway.broker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.redisson.Redisson;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.client.RedisTimeoutException;
import org.redisson.client.codec.StringCodec;

/**
 * Publishes through Redisson. Connecting happens in the background with jittered backoff capped at half a
 * second (so a pod notices a returning Redis quickly), so a Redis
 * that is down or black-holed at start never blocks or ends the process; once connected, Redisson reconnects
 * by itself. Every publish is bounded by {@link RedisSettings#publishTimeout()}. Concurrent publishes share
 * pipelined writes through a {@link PublishPipeline}.
 */
public final class RedissonBroker implements Broker {
    private static final Logger LOG = Logger.getLogger(RedissonBroker.class.getName());
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofMillis(500);
    /** Most messages waiting for the pipeline writer; beyond that a publish is refused at once (503). */
    static final int PIPELINE_CAPACITY = 8192;
    /** Most PUBLISH commands in one pipelined write. */
    static final int PIPELINE_MAX_BATCH = 256;

    private final RedisSettings settings;
    private final WireFormat wire;
    private final long deadlineMillis;
    private final PublishPipeline pipeline;
    private volatile RedissonClient client;
    private volatile boolean closed;
    private Thread connector;

    public RedissonBroker(RedisSettings settings, WireFormat wire) {
        this(settings, wire, PIPELINE_CAPACITY, PIPELINE_MAX_BATCH);
    }

    RedissonBroker(RedisSettings settings, WireFormat wire, int pipelineCapacity, int pipelineMaxBatch) {
        this.settings = settings;
        this.wire = wire;
        this.deadlineMillis = settings.publishTimeout().toMillis();
        // One batch per pooled connection in flight; the queue holds what a few full batches carry, so a slow
        // Redis turns into fast 503s instead of memory growth.
        this.pipeline = new PublishPipeline(() -> client, wire, shardedPublish(settings), settings.responseTimeout(),
                                            settings.retryAttempts(), RedissonConfigs.RETRY_DELAY,
                                            pipelineCapacity, pipelineMaxBatch, settings.poolSize());
    }

    private static boolean shardedPublish(RedisSettings settings) {
        return settings.mode() == RedisSettings.Mode.CLUSTER && settings.shardedPublish();
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
                RedissonClient created = Redisson.create(RedissonConfigs.create(settings));
                if (closed) {
                    created.shutdown();
                    return;
                }
                client = created;
                LOG.info(() -> "connected to Redis (" + name() + ")");
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

    /**
     * Hands the messages to the pipeline and waits for Redis to acknowledge each of them, at most the publish
     * deadline. Concurrent requests share pipelined writes; each still waits for its own replies.
     */
    @Override
    public PublishResult publish(List<ChannelMessage> messages) {
        if (client == null) {
            return PublishResult.unavailable("not connected to Redis");
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
            return new PublishResult(PublishResult.Outcome.FAILED, countDone(acks), rootMessage(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new PublishResult(PublishResult.Outcome.FAILED, countDone(acks), "interrupted");
        }
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
        String topicName = wire.topic(appId, channel);
        RTopic topic = settings.mode() == RedisSettings.Mode.CLUSTER && settings.shardedPublish()
                ? c.getShardedTopic(topicName, StringCodec.INSTANCE)
                : c.getTopic(topicName, StringCodec.INSTANCE);
        int id = topic.addListener(String.class, (ch, msg) -> onPayload.accept(msg));
        return () -> topic.removeListenerAsync(id);
    }

    @Override
    public boolean connected() {
        return client != null;
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
        return "redis-" + settings.mode().name().toLowerCase();
    }

    @Override
    public void close() {
        closed = true;
        pipeline.close();
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

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return message == null ? t.getClass().getSimpleName() : message;
    }
}
