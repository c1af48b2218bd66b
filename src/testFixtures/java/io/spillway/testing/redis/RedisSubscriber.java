package io.spillway.testing.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Collects every pub/sub message that reaches one or more nodes, each on its own socket and reader
 * thread, so tests can count deliveries (duplicates included: de-duplication is the test's call).
 *
 * <p>Factories return only after every subscription is confirmed, so nothing published afterwards is
 * missed. A node that dies or is closed just stops contributing; the other sockets keep collecting.
 */
public final class RedisSubscriber implements AutoCloseable {

    /** One delivery: which channel, what payload, which node it came through, and when. */
    public record Message(String channel, String payload, int nodePort, Instant receivedAt) {
    }

    /** A time a {@linkplain #following following} subscriber was not subscribed on one node. */
    public record Gap(int nodePort, Instant from, Instant to) {
    }

    private static final Duration RECONNECT_PAUSE = Duration.ofMillis(10);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final List<Message> messages = new ArrayList<>();
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final List<Gap> gaps = new CopyOnWriteArrayList<>();
    private final boolean follow;

    private RedisSubscriber(boolean follow) {
        this.follow = follow;
    }

    /**
     * A subscriber whose sockets outlive the node closing them: whenever a node drops one (a sentinel's
     * {@code CLIENT KILL TYPE pubsub} during a failover, a kill and restart), it reconnects and subscribes again
     * until {@link #close()}, recording each {@link Gap}. Use its {@code psubscribe}/{@code ssubscribe}.
     */
    public static Following following() {
        return new Following();
    }

    /** Factories of {@linkplain #following() following} subscribers. */
    public static final class Following {
        private Following() {
        }

        public RedisSubscriber psubscribe(Collection<RedisNode> nodes, String... patterns) {
            return open(nodes, RedisSubscriber.psubscription(patterns), true);
        }

        public RedisSubscriber ssubscribe(Collection<RedisNode> nodes, Collection<String> channels) {
            return open(nodes, RedisSubscriber.ssubscription(channels), true);
        }
    }

    /** {@code PSUBSCRIBE patterns} on each node (e.g. {@code "spillway:*"}). */
    public static RedisSubscriber psubscribe(Collection<RedisNode> nodes, String... patterns) {
        return open(nodes, psubscription(patterns), false);
    }

    private static Subscription psubscription(String... patterns) {
        return client -> {
            for (String pattern : patterns) {
                client.send("PSUBSCRIBE", pattern);
            }
            return patterns.length;
        };
    }

    /** {@code SUBSCRIBE channels} on each node. */
    public static RedisSubscriber subscribe(Collection<RedisNode> nodes, String... channels) {
        return open(nodes, client -> {
            for (String channel : channels) {
                client.send("SUBSCRIBE", channel);
            }
            return channels.length;
        }, false);
    }

    /**
     * Sharded pub/sub: {@code SSUBSCRIBE} each channel separately (channels of different slots cannot
     * share one command) on every node. A node that does not serve the channel's slot answers
     * {@code MOVED}, which is ignored; replicas serve their master's slots, so one message published
     * with {@code SPUBLISH} normally arrives once per node of the owning shard.
     */
    public static RedisSubscriber ssubscribe(Collection<RedisNode> nodes, Collection<String> channels) {
        return open(nodes, ssubscription(channels), false);
    }

    private static Subscription ssubscription(Collection<String> channels) {
        List<String> copy = List.copyOf(channels);
        return client -> {
            client.send("READONLY"); // lets a replica serve its master's slots (errors outside cluster mode; skipped below)
            for (String channel : copy) {
                client.send("SSUBSCRIBE", channel);
            }
            return copy.size() + 1;
        };
    }

    /** Snapshot of everything received so far, in arrival order. */
    public List<Message> messages() {
        lock.lock();
        try {
            return List.copyOf(messages);
        } finally {
            lock.unlock();
        }
    }

    /** Snapshot of messages on one channel (the real channel, not the pattern). */
    public List<Message> messagesOn(String channel) {
        return messages().stream().filter(m -> m.channel().equals(channel)).toList();
    }

    public int count() {
        lock.lock();
        try {
            return messages.size();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until at least {@code n} messages arrived; false on timeout. */
    public boolean awaitCount(int n, Duration timeout) {
        return awaitUntil(() -> messages.size() >= n, timeout);
    }

    /** Waits until at least {@code n} messages matching {@code filter} arrived; false on timeout. */
    public boolean awaitCount(Predicate<Message> filter, int n, Duration timeout) {
        return awaitUntil(() -> messages.stream().filter(filter).count() >= n, timeout);
    }

    private boolean awaitUntil(BooleanSupplier reached, Duration timeout) {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (!reached.getAsBoolean()) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = arrived.awaitNanos(remaining);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** When a following subscriber was not subscribed, per node (always empty for the others). */
    public List<Gap> gaps() {
        return List.copyOf(gaps);
    }

    /** Ports of nodes whose subscription socket is still open. */
    public Set<Integer> connectedPorts() {
        return connections.stream().filter(Connection::isOpen).map(c -> c.port).collect(Collectors.toSet());
    }

    @Override
    public void close() {
        connections.forEach(Connection::close);
    }

    private static RedisSubscriber open(Collection<RedisNode> nodes, Subscription subscription, boolean follow) {
        RedisSubscriber subscriber = new RedisSubscriber(follow);
        try {
            for (RedisNode node : nodes) {
                subscriber.connections.add(subscriber.connect(node, subscription));
            }
            return subscriber;
        } catch (RuntimeException e) {
            subscriber.close();
            throw e;
        }
    }

    private Connection connect(RedisNode node, Subscription subscription) {
        return new Connection(node, subscription, subscribe(node, subscription));
    }

    /** A socket on {@code node} whose subscriptions are all confirmed. */
    private RespClient subscribe(RedisNode node, Subscription subscription) {
        RespClient client = node.client();
        try {
            int expectedReplies = subscription.send(client);
            for (int i = 0; i < expectedReplies; i++) {
                // Replies arrive in command order; messages may interleave once the first subscription is active.
                Object reply = client.read();
                while (record(node.port(), reply)) {
                    reply = client.read();
                }
                if (reply instanceof RespClient.RespError error && !ignorable(error)) {
                    throw new IllegalStateException(node + " rejected subscription: " + error.message());
                }
            }
            // From now on block forever: a quiet channel is normal, a dead node ends the reader with EOF.
            client.readTimeout(Duration.ZERO);
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** MOVED: another shard owns the channel; cluster support disabled: READONLY sent to a standalone node. */
    private static boolean ignorable(RespClient.RespError error) {
        return error.code().equals("MOVED") || error.message().contains("cluster support disabled");
    }

    /** Records {@code frame} if it is a message push; false for confirmations and other replies. */
    private boolean record(int port, Object frame) {
        if (!(frame instanceof List<?> list) || list.isEmpty()) {
            return false;
        }
        String kind = String.valueOf(list.get(0));
        Message message = switch (kind) {
            case "message", "smessage" -> new Message((String) list.get(1), (String) list.get(2), port, Instant.now());
            case "pmessage" -> new Message((String) list.get(2), (String) list.get(3), port, Instant.now());
            default -> null;
        };
        if (message == null) {
            return false;
        }
        lock.lock();
        try {
            messages.add(message);
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        return true;
    }

    @FunctionalInterface
    private interface Subscription {
        /** Sends the subscribe commands and returns how many replies they produce. */
        int send(RespClient client);
    }

    /** One node's subscription socket and the daemon thread draining it (and, when following, reopening it). */
    private final class Connection {
        final int port;
        private final RedisNode node;
        private final Subscription subscription;
        private final Thread reader;
        private volatile RespClient client;
        private volatile boolean open = true;

        Connection(RedisNode node, Subscription subscription, RespClient client) {
            this.port = node.port();
            this.node = node;
            this.subscription = subscription;
            this.client = client;
            this.reader = Thread.ofPlatform().daemon().name("redis-subscriber-" + port).start(this::drain);
        }

        private void drain() {
            try {
                while (open) {
                    try {
                        record(port, client.read());
                    } catch (RuntimeException endOfStream) {
                        // node died, dropped us, or we closed the socket
                        if (!follow || !open || !resubscribe()) {
                            return;
                        }
                    }
                }
            } finally {
                open = false;
                client.close();
            }
        }

        /** Reconnects until subscribed again (true) or closed (false). */
        private boolean resubscribe() {
            Instant lost = Instant.now();
            client.close();
            while (open) {
                try {
                    client = subscribe(node, subscription);
                    gaps.add(new Gap(port, lost, Instant.now()));
                    if (!open) {
                        client.close();
                    }
                    return open;
                } catch (RuntimeException notYet) {
                    Await.sleep(RECONNECT_PAUSE.toMillis());
                }
            }
            return false;
        }

        boolean isOpen() {
            return open;
        }

        void close() {
            open = false;
            client.close();
            try {
                reader.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
