package io.spillway.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.spillway.api.PusherSignature;

/**
 * Open-loop publish load for the chaos tests: each publisher thread ticks at a fixed rate and sends every request on
 * its own virtual thread, so a slow or hung gateway does not lower the offered rate (as real SDK traffic would not
 * wait either). Every message carries unique data ({@code m-<seq>}) so acknowledgements can be matched to
 * deliveries; every outcome is recorded.
 */
public final class PublishLoad implements AutoCloseable {
    /** Most requests in flight; beyond that a tick is skipped and counted, never queued. */
    private static final int MAX_IN_FLIGHT = 2000;

    /**
     * One request: sent {@code sentAtMillis} after the load started; {@code startNanos}/{@code endNanos} on the
     * {@link System#nanoTime()} clock; status -1 when no HTTP answer came (a reset, a refused connection, a
     * timeout), with the exception as {@code body}; otherwise the answer's body.
     */
    public record Attempt(long seq, String channel, String data, long sentAtMillis, long startNanos, long endNanos,
                          int status, String body) {
        public boolean acked() {
            return status / 100 == 2;
        }

        public long latencyMillis() {
            return (endNanos - startNanos) / 1_000_000;
        }
    }

    private final String baseUri;
    private final List<String> channels;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final long startNanos = System.nanoTime();
    private final Queue<Attempt> attempts = new ConcurrentLinkedQueue<>();
    private final AtomicLong seq = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final List<Thread> publishers = new ArrayList<>();
    private volatile boolean running = true;

    private PublishLoad(String baseUri, List<String> channels, Duration connectTimeout, Duration requestTimeout) {
        this.baseUri = baseUri;
        this.channels = List.copyOf(channels);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .build();
        this.requestTimeout = requestTimeout;
    }

    /**
     * {@code publishers} threads of {@code perSecond} requests each, round-robin over {@code channels}, with the
     * harness's timeouts (connect 5 s, request 10 s).
     */
    public static PublishLoad start(GatewayHarness gateway, List<String> channels, int publishers, int perSecond) {
        return start(gateway.baseUri(), channels, publishers, perSecond, Duration.ofSeconds(5), Duration.ofSeconds(10));
    }

    /** One publisher of {@code perSecond} requests on one channel; connect 2 s, request 5 s. */
    public static PublishLoad steady(String baseUri, String channel, int perSecond) {
        return start(baseUri, List.of(channel), 1, perSecond, Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    public static PublishLoad start(String baseUri, List<String> channels, int publishers, int perSecond,
                                    Duration connectTimeout, Duration requestTimeout) {
        PublishLoad load = new PublishLoad(baseUri, channels, connectTimeout, requestTimeout);
        long period = TimeUnit.SECONDS.toNanos(1) / perSecond;
        for (int i = 0; i < publishers; i++) {
            long offset = period * i / publishers; // spread the publishers' ticks over one period
            load.publishers.add(Thread.ofPlatform().daemon().name("publisher-" + i)
                                        .start(() -> load.tick(period, offset)));
        }
        return load;
    }

    private void tick(long period, long offset) {
        long next = System.nanoTime() + offset;
        while (running) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
            next += period;
            if (!inFlight.tryAcquire()) {
                skipped.incrementAndGet();
                continue;
            }
            maxInFlight.accumulateAndGet(MAX_IN_FLIGHT - inFlight.availablePermits(), Math::max);
            long n = seq.incrementAndGet();
            Thread.ofVirtual().start(() -> {
                try {
                    send(n);
                } finally {
                    inFlight.release();
                }
            });
        }
    }

    private void send(long n) {
        String channel = channels.get((int) (n % channels.size()));
        String data = "m-" + n;
        String path = "/apps/" + GatewayHarness.APP_ID + "/events";
        byte[] body = ("{\"name\":\"load\",\"channel\":\"" + channel + "\",\"data\":\"" + data + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        long start = System.nanoTime();
        int status;
        String answer;
        try {
            String query = PusherSignature.signedQuery(GatewayHarness.APP_KEY, GatewayHarness.APP_SECRET, "POST", path,
                                                       body, System.currentTimeMillis() / 1000);
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUri + path + "?" + query))
                    .timeout(requestTimeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            status = response.statusCode();
            answer = response.body();
        } catch (Exception e) {
            status = -1;
            answer = e.toString();
        }
        attempts.add(new Attempt(n, channel, data, (start - startNanos) / 1_000_000, start, System.nanoTime(), status,
                                 answer));
    }

    /** Snapshot of finished requests. */
    public List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    public long acked() {
        return attempts.stream().filter(Attempt::acked).count();
    }

    /** Data of the publishes answered 2xx: each of them must have been delivered. */
    public Set<String> acknowledged() {
        return attempts.stream().filter(Attempt::acked).map(Attempt::data).collect(Collectors.toSet());
    }

    /** How many finished requests match {@code filter}. */
    public long count(Predicate<Attempt> filter) {
        return attempts.stream().filter(filter).count();
    }

    /** Ticks skipped because {@link #MAX_IN_FLIGHT} requests were pending. */
    public long skipped() {
        return skipped.get();
    }

    /** The most requests that were in flight at once. */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    public long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** First and last send time of non-2xx answers and their count by status, for the test output. */
    public String failureWindow() {
        List<Attempt> failed = attempts.stream().filter(a -> !a.acked())
                .sorted(Comparator.comparingLong(Attempt::sentAtMillis)).toList();
        if (failed.isEmpty()) {
            return "no failures";
        }
        return "non-2xx from +" + failed.getFirst().sentAtMillis() + " ms to +" + failed.getLast().sentAtMillis()
                + " ms: " + failed.size() + " requests " + failed.stream().collect(Collectors.groupingBy(
                Attempt::status, TreeMap::new, Collectors.counting()));
    }

    /** Stops ticking and waits (bounded) for requests in flight to finish. */
    public void stop(Duration timeout) {
        running = false;
        publishers.forEach(Thread::interrupt);
        try {
            if (inFlight.tryAcquire(MAX_IN_FLIGHT, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                inFlight.release(MAX_IN_FLIGHT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(15));
    }
}
