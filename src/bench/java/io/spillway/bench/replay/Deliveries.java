package io.spillway.bench.replay;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.spillway.testing.redis.RespClient;

/**
 * What subscribers saw: one {@code PSUBSCRIBE} connection per Redis data node (master and replicas alike, since
 * replication carries every PUBLISH to the replicas), each reconnecting at once when its node dies, restarts or
 * Sentinel kills pub/sub clients during a failover. Publishes are matched by the id in their {@code data}.
 */
final class Deliveries implements AutoCloseable {
    /** Per node: messages seen and how often the subscription had to be re-established. */
    record NodeStats(long messages, long reconnects) {
    }

    private final String pattern;
    private final Pattern id;
    private final Set<Long> seen = ConcurrentHashMap.newKeySet();
    private final Map<Integer, AtomicLong> messages = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicLong> reconnects = new ConcurrentHashMap<>();
    private final List<RespClient> open = new CopyOnWriteArrayList<>();
    private final List<Thread> readers = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /** @param tag the clients' tag: {@code data} is {@code tag-<seq>} */
    Deliveries(String pattern, String tag) {
        this.pattern = pattern;
        this.id = Pattern.compile("\"data\":\"" + Pattern.quote(tag) + "-(\\d+)\"");
    }

    /** Subscribes on {@code port} and keeps the subscription up until {@link #close}; returns once subscribed. */
    void watch(int port) throws InterruptedException {
        messages.putIfAbsent(port, new AtomicLong());
        reconnects.putIfAbsent(port, new AtomicLong(-1));
        Object subscribed = new Object();
        Thread reader = Thread.ofPlatform().daemon().name("psubscribe-" + port).start(() -> loop(port, subscribed));
        readers.add(reader);
        synchronized (subscribed) {
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (reconnects.get(port).get() < 0 && System.nanoTime() < until) {
                subscribed.wait(50);
            }
        }
    }

    private void loop(int port, Object subscribed) {
        while (!closed) {
            RespClient client;
            try {
                client = RespClient.connect("127.0.0.1", port, Duration.ofMillis(300), Duration.ofSeconds(2));
                client.send("PSUBSCRIBE", pattern);
                client.read(); // the confirmation
                client.readTimeout(Duration.ZERO);
            } catch (RuntimeException nodeDown) {
                pause(50);
                continue;
            }
            open.add(client);
            reconnects.get(port).incrementAndGet();
            synchronized (subscribed) {
                subscribed.notifyAll();
            }
            try {
                while (!closed) {
                    if (client.read() instanceof List<?> frame && frame.size() == 4 && "pmessage".equals(frame.get(0))) {
                        messages.get(port).incrementAndGet();
                        Matcher m = id.matcher(String.valueOf(frame.get(3)));
                        if (m.find()) {
                            seen.add(Long.parseLong(m.group(1)));
                        }
                    }
                }
            } catch (RuntimeException disconnected) {
                // node died or killed our client: subscribe again
            } finally {
                open.remove(client);
                client.close();
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Set<Long> seen() {
        return seen;
    }

    Map<Integer, NodeStats> nodes() {
        Map<Integer, NodeStats> out = new java.util.TreeMap<>();
        messages.forEach((port, n) -> out.put(port, new NodeStats(n.get(), Math.max(0, reconnects.get(port).get()))));
        return out;
    }

    @Override
    public void close() {
        closed = true;
        open.forEach(RespClient::close);
        for (Thread t : readers) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
