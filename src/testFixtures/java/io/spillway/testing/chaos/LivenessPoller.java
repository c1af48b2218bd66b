package io.spillway.testing.chaos;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.spillway.testing.GatewayHarness;

/**
 * Polls the admin liveness endpoint on its own connection during a chaos run: a gateway that restarts itself, or
 * reports itself dead because Redis is, fails the run.
 */
public final class LivenessPoller implements AutoCloseable {
    private static final Duration PERIOD = Duration.ofMillis(100);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final HttpRequest request;
    private final AtomicInteger polls = new AtomicInteger();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final Thread poller;
    private volatile boolean running = true;

    public LivenessPoller(GatewayHarness gateway) {
        this.request = HttpRequest.newBuilder(URI.create(gateway.adminUri() + "/observe/health/live"))
                .timeout(Duration.ofSeconds(5)).build();
        this.poller = Thread.ofVirtual().name("liveness-poller").start(this::poll);
    }

    private void poll() {
        while (running) {
            String failure;
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                failure = response.statusCode() == 200 ? null : response.statusCode() + " " + response.body();
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                failure = e.toString();
            }
            if (running) {
                polls.incrementAndGet();
                if (failure != null) {
                    failures.add(failure);
                }
            }
            try {
                Thread.sleep(PERIOD);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    public int polls() {
        return polls.get();
    }

    /** Every poll that was not a 200, with what came back instead. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    @Override
    public void close() {
        running = false;
        poller.interrupt();
    }
}
