package io.spillway.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.ConstantDelay;

/**
 * Coalesces concurrent publishes into pipelined Redis batches. Request threads enqueue their messages; one writer
 * drains whatever has queued up into a single Redisson {@link RBatch}, so N waiting messages cost one connection
 * hand-off and one socket write instead of N. Each message keeps its own future, completed only by Redis's reply
 * to its PUBLISH, so a request still answers 2xx only for acknowledged messages. Memory is bounded: the queue
 * holds at most {@code capacity} messages (beyond that a publish is refused at once) and at most
 * {@code maxInFlightBatches} batches await replies.
 */
final class PublishPipeline implements AutoCloseable {
    /** One message waiting to be written; {@code ack} completes with Redis's reply or fails. */
    record Pending(String topic, String payload, long deadlineNanos, CompletableFuture<Long> ack) {
    }

    /** Thrown into a pending message's future when it was not attempted; the request answers 503. */
    static final class NotSent extends RuntimeException {
        NotSent(String message) {
            super(message, null, false, false);
        }
    }

    static final Duration WATCHDOG_PERIOD = Duration.ofMillis(20);

    private final Supplier<RedissonClient> client;
    private final WireFormat wire;
    private final BooleanSupplier sharded;
    private final BatchOptions options;
    private final BlockingQueue<Pending> queue;
    private final Semaphore inFlight;
    private final int maxBatch;
    private final Thread writer;
    /** Messages written and awaiting replies, for the watchdog; identity keys (a list per write). */
    private final java.util.Set<List<Pending>> written = java.util.Collections.newSetFromMap(
            new java.util.IdentityHashMap<>());
    private final Thread watchdog;
    private volatile boolean closed;

    /**
     * @param client             the connected client, or null while not connected
     * @param sharded            SPUBLISH instead of PUBLISH (cluster)
     * @param capacity           most messages waiting to be written
     * @param maxBatch           most messages in one pipelined write
     * @param maxInFlightBatches most batches awaiting replies (each occupies a connection)
     */
    PublishPipeline(Supplier<RedissonClient> client, WireFormat wire, BooleanSupplier sharded, Duration responseTimeout,
                    int retryAttempts, Duration retryDelay, int capacity, int maxBatch, int maxInFlightBatches) {
        this.client = client;
        this.wire = wire;
        this.sharded = sharded;
        this.options = BatchOptions.defaults()
                .executionMode(BatchOptions.ExecutionMode.IN_MEMORY)
                .responseTimeout(responseTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .retryAttempts(retryAttempts)
                .retryDelay(new ConstantDelay(retryDelay));
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.inFlight = new Semaphore(maxInFlightBatches);
        this.maxBatch = maxBatch;
        this.writer = Thread.ofPlatform().daemon().name("redis-publish-writer").start(this::writeLoop);
        this.watchdog = Thread.ofPlatform().daemon().name("redis-publish-watchdog").start(this::watch);
    }

    /**
     * Enqueues every message of one request (the payload is rendered here, on the caller's thread). All or
     * nothing: when the queue cannot take them all, the ones already queued are withdrawn (the writer skips
     * completed futures) and {@code null} is returned.
     */
    CompletableFuture<?>[] enqueue(List<ChannelMessage> messages, long deadlineNanos) {
        CompletableFuture<?>[] acks = new CompletableFuture<?>[messages.size()];
        for (int i = 0; i < acks.length; i++) {
            ChannelMessage m = messages.get(i);
            CompletableFuture<Long> ack = new CompletableFuture<>();
            if (closed || !queue.offer(new Pending(wire.topic(m), wire.payload(m), deadlineNanos, ack))) {
                NotSent withdrawn = new NotSent(closed ? "broker closed" : "publish queue full");
                for (int j = 0; j < i; j++) {
                    acks[j].completeExceptionally(withdrawn);
                }
                return null;
            }
            acks[i] = ack;
        }
        return acks;
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (!closed) {
            try {
                // The permit is taken before draining: while every connection is busy, messages keep queueing and
                // leave together in the next batch.
                inFlight.acquire();
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    inFlight.release();
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                send(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // Redisson refused the batch synchronously (shutting down, no connection): fail these, go on.
                inFlight.release();
                NotSent failure = new NotSent(RedissonBroker.rootMessage(e));
                batch.forEach(p -> p.ack().completeExceptionally(failure));
            } finally {
                batch.clear();
            }
        }
    }

    private void send(List<Pending> pending) {
        RedissonClient c = client.get();
        if (c == null) {
            inFlight.release();
            NotSent notConnected = new NotSent("not connected to Redis");
            pending.forEach(p -> p.ack().completeExceptionally(notConnected));
            return;
        }
        long now = System.nanoTime();
        RBatch batch = c.createBatch(options);
        int added = 0;
        for (Pending p : pending) {
            if (p.ack().isDone()) {
                continue; // withdrawn by its request
            }
            if (now - p.deadlineNanos() > 0) {
                // its request has answered 503 already: publishing now would only add a duplicate on retry
                p.ack().completeExceptionally(new TimeoutException("deadline passed before it was written"));
                continue;
            }
            RFuture<Long> reply = sharded.getAsBoolean()
                    ? batch.getShardedTopic(p.topic(), StringCodec.INSTANCE).publishAsync(p.payload())
                    : batch.getTopic(p.topic(), StringCodec.INSTANCE).publishAsync(p.payload());
            reply.whenComplete((receivers, error) -> {
                if (error == null) {
                    p.ack().complete(receivers);
                } else {
                    p.ack().completeExceptionally(error);
                }
            });
            added++;
        }
        if (added == 0) {
            inFlight.release();
            return;
        }
        List<Pending> sent = List.copyOf(pending);
        synchronized (written) {
            written.add(sent);
        }
        batch.executeAsync().whenComplete((result, error) -> {
            inFlight.release();
            synchronized (written) {
                written.remove(sent);
            }
            if (error != null) {
                sent.forEach(p -> p.ack().completeExceptionally(error));
            }
        });
    }

    /**
     * Fails every future past its deadline, queued or written, every {@link #WATCHDOG_PERIOD}: requests wait for their
     * acknowledgements without a timer each (profiled: the timed waits' scheduling was 7% of the gateway's CPU at
     * saturation), and none waits more than a period beyond its deadline.
     */
    private void watch() {
        while (!closed) {
            try {
                Thread.sleep(WATCHDOG_PERIOD);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Pending p : queue) {
                expire(p, now);
            }
            List<List<Pending>> batches;
            synchronized (written) {
                batches = List.copyOf(written);
            }
            for (List<Pending> b : batches) {
                for (Pending p : b) {
                    expire(p, now);
                }
            }
        }
    }

    private static void expire(Pending p, long now) {
        if (now - p.deadlineNanos() > 0 && !p.ack().isDone()) {
            p.ack().completeExceptionally(new TimeoutException("no reply from Redis within the publish deadline"));
        }
    }

    @Override
    public void close() {
        closed = true;
        writer.interrupt();
        watchdog.interrupt();
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        NotSent closing = new NotSent("broker closed");
        for (Pending p; (p = queue.poll()) != null; ) {
            p.ack().completeExceptionally(closing);
        }
    }
}
