package io.spillway.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import io.spillway.api.PusherSignature;

/**
 * A fixed-rate stream of signed publishes, each with a unique id in its data, recording every outcome: what a
 * chaos test needs to show the 503 window and to match acknowledgements with deliveries.
 */
public final class SteadyLoad implements AutoCloseable {
    /**
     * One request: when it was sent (ms since start), how long it took, its status (-1: no answer: a reset, a
     * refused connection or a timeout) and the response body (or the exception).
     */
    public record Outcome(long sentAtMillis, long latencyMillis, int status, String id, String body) {
    }

    private final String baseUri;
    private final String channel;
    private final int perSecond;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inflight = new AtomicInteger();
    private final AtomicInteger maxInflight = new AtomicInteger();
    private final AtomicLong sequence = new AtomicLong();
    private final long startNanos = System.nanoTime();
    private volatile boolean stopped;
    private Thread ticker;

    public SteadyLoad(String baseUri, String channel, int perSecond) {
        this.baseUri = baseUri;
        this.channel = channel;
        this.perSecond = perSecond;
    }

    public SteadyLoad start() {
        ticker = Thread.ofPlatform().daemon().name("steady-load").start(this::tick);
        return this;
    }

    private void tick() {
        long intervalNanos = 1_000_000_000L / perSecond;
        long next = System.nanoTime();
        while (!stopped) {
            long id = sequence.incrementAndGet();
            Thread.ofVirtual().start(() -> send("m-" + id));
            next += intervalNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void send(String id) {
        int now = inflight.incrementAndGet();
        maxInflight.accumulateAndGet(now, Math::max);
        long sent = System.nanoTime();
        int status = -1;
        String answer = "";
        try {
            String path = "/apps/" + GatewayHarness.APP_ID + "/events";
            byte[] body = ("{\"name\":\"load\",\"channels\":[\"" + channel + "\"],\"data\":\"" + id + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            String query = PusherSignature.signedQuery(GatewayHarness.APP_KEY, GatewayHarness.APP_SECRET, "POST",
                                                       path, body, System.currentTimeMillis() / 1000);
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUri + path + "?" + query))
                    .timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            status = response.statusCode();
            answer = response.body();
        } catch (Exception e) {
            status = -1;
            answer = e.toString();
        } finally {
            inflight.decrementAndGet();
            outcomes.add(new Outcome((sent - startNanos) / 1_000_000, (System.nanoTime() - sent) / 1_000_000,
                                     status, id, answer));
        }
    }

    /** Stops sending and waits (bounded) for the requests in flight to finish. */
    public SteadyLoad stop() {
        stopped = true;
        if (ticker != null) {
            ticker.interrupt();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (inflight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return this;
    }

    public List<Outcome> outcomes() {
        return new ArrayList<>(outcomes);
    }

    public long count(int status) {
        return outcomes.stream().filter(o -> o.status() == status).count();
    }

    /** Ids of the publishes answered 2xx: each of them must have been delivered. */
    public Set<String> acknowledged() {
        return outcomes.stream().filter(o -> o.status() / 100 == 2).map(Outcome::id).collect(Collectors.toSet());
    }

    public int maxInflight() {
        return maxInflight.get();
    }

    public long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** First and last send time of non-2xx answers and their count, for the test output. */
    public String failureWindow() {
        List<Outcome> failed = outcomes.stream().filter(o -> o.status() / 100 != 2)
                .sorted(java.util.Comparator.comparingLong(Outcome::sentAtMillis)).toList();
        if (failed.isEmpty()) {
            return "no failures";
        }
        return "non-2xx from +" + failed.getFirst().sentAtMillis() + " ms to +" + failed.getLast().sentAtMillis()
                + " ms: " + failed.size() + " requests " + failed.stream().collect(Collectors.groupingBy(
                Outcome::status, java.util.TreeMap::new, Collectors.counting()));
    }

    @Override
    public void close() {
        stop();
    }
}
