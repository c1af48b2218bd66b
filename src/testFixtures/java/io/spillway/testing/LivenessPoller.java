package io.spillway.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

/**
 * Asks the admin listener's {@code /observe/health/live} every period on its own connection, like a kubelet: a chaos
 * test fails when a gateway reports itself dead (or restarts) because Redis is; the bench reports the probe latency.
 * Latency is measured from the due time, so a probe that cannot be sent on time counts as slow; after a long stall
 * it probes at once but does not fire a burst of catch-up probes.
 */
public final class LivenessPoller implements AutoCloseable {
    private final HttpClient http;
    private final HttpRequest request;
    private final long periodNanos;
    private final AtomicInteger polls = new AtomicInteger();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final Histogram latencyMicros = new Histogram(60_000_000L, 2);
    private final Thread poller;
    private volatile boolean running = true;

    /** Every 100 ms, 5 s timeout: what the chaos tests use. */
    public LivenessPoller(GatewayHarness gateway) {
        this(URI.create(gateway.adminUri()), Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    public LivenessPoller(URI admin, Duration period, Duration timeout) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
        this.request = HttpRequest.newBuilder(admin.resolve("/observe/health/live")).timeout(timeout).build();
        this.periodNanos = period.toNanos();
        this.poller = Thread.ofPlatform().daemon().name("liveness-poller").start(this::poll);
    }

    private void poll() {
        long due = System.nanoTime();
        while (running) {
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                if (!running) {
                    return;
                }
            }
            String failure;
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                failure = response.statusCode() == 200 ? null : response.statusCode() + " " + response.body();
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                failure = e.toString();
            }
            long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - due);
            if (running) {
                synchronized (latencyMicros) {
                    latencyMicros.recordValue(Math.min(Math.max(1, micros), latencyMicros.getHighestTrackableValue()));
                }
                polls.incrementAndGet();
                if (failure != null) {
                    failures.add(failure);
                }
            }
            due = Math.max(due + periodNanos, System.nanoTime() - periodNanos);
        }
    }

    public int polls() {
        return polls.get();
    }

    /** Every poll that was not a 200, with what came back instead. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** A copy of the latencies so far, in microseconds from each probe's due time. */
    public Histogram latencyMicros() {
        synchronized (latencyMicros) {
            return latencyMicros.copy();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        poller.interrupt();
        poller.join(15_000);
        http.close();
    }
}
