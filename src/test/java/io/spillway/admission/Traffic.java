package io.spillway.admission;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

import io.spillway.testing.GatewayHarness;
import io.spillway.testing.PrometheusText;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signed publishes for several apps, concurrent bursts and metric scraping for the admission integration tests. */
final class Traffic {
    /** An app as configured in the gateway under test. */
    record TestApp(String id, String key, String secret) {
        static final TestApp DEFAULT = new TestApp(GatewayHarness.APP_ID, GatewayHarness.APP_KEY,
                                                   GatewayHarness.APP_SECRET);

        /** Overrides that configure this app as {@code spillway.apps.<index>}. */
        Map<String, String> overrides(int index, long rate, long burst) {
            String prefix = "spillway.apps." + index + ".";
            return Map.of(prefix + "id", id, prefix + "key", key, prefix + "secret", secret,
                          prefix + "rate", Long.toString(rate), prefix + "burst", Long.toString(burst));
        }
    }

    private Traffic() {
    }

    /**
     * The redis broker at {@code uri}, tuned so that a starved CPU on a shared test machine does not turn into 503s:
     * these tests are about admission, not about the broker. Long timeouts, and no Redisson retry: with retries,
     * Redisson fails a PUBLISH that is not on a pooled connection and written within its (50 ms) retry delay, twice.
     */
    /** {@link #redisBroker} with a pod-wide bucket of one token a second: whatever passes admission is countable. */
    static Map<String, String> redisBrokerAtOnePerSecond(String uri) {
        Map<String, String> overrides = new java.util.HashMap<>(redisBroker(uri));
        overrides.put("spillway.admission.global-rate", "1");
        overrides.put("spillway.admission.global-burst", "1");
        return overrides;
    }

    static Map<String, String> redisBroker(String uri) {
        return Map.of("spillway.broker", "redis",
                      "spillway.redis.address", uri,
                      "spillway.redis.response-timeout", "5s",
                      "spillway.redis.publish-timeout", "10s",
                      "spillway.redis.retry-attempts", "0",
                      "spillway.redis.pool-size", "64");
    }

    /** {@code {"name":"e","channels":[...],"data":data}}. */
    static String event(String data, String... channels) {
        String list = List.of(channels).stream().map(c -> "\"" + c + "\"").collect(Collectors.joining(","));
        return "{\"name\":\"e\",\"channels\":[" + list + "],\"data\":\"" + data + "\"}";
    }

    /** A batch of one item per data value, all on {@code channel}. */
    static String batch(String channel, List<String> data) {
        return data.stream()
                .map(d -> "{\"name\":\"e\",\"channel\":\"" + channel + "\",\"data\":\"" + d + "\"}")
                .collect(Collectors.joining(",", "{\"batch\":[", "]}"));
    }

    static HttpResponse<String> publish(GatewayHarness gateway, TestApp app, String endpoint, String body) {
        return gateway.send(gateway.signedPost("/apps/" + app.id() + "/" + endpoint, body, app.key(), app.secret())
                                    .build());
    }

    /**
     * Sends {@code total} requests from {@code threads} virtual threads, each taking the next index; the responses
     * in index order.
     */
    static List<HttpResponse<String>> concurrently(int threads, int total, IntFunction<HttpResponse<String>> send) {
        List<HttpResponse<String>> responses = new ArrayList<>(Collections.nCopies(total, null));
        AtomicInteger next = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofVirtual().start(() -> {
                for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                    HttpResponse<String> response = send.apply(i);
                    synchronized (responses) {
                        responses.set(i, response);
                    }
                }
            }));
        }
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        synchronized (responses) {
            assertTrue(responses.stream().allMatch(r -> r != null), "a sender failed");
            return List.copyOf(responses);
        }
    }

    static long count(List<HttpResponse<String>> responses, int status) {
        return responses.stream().filter(r -> r.statusCode() == status).count();
    }

    /** SPEC's error shape, with a whole-seconds {@code Retry-After} >= 1. */
    static void assertRetryableError(HttpResponse<String> response, int status, String message) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        assertTrue(response.body().startsWith("{\"error\":\"") && response.body().endsWith("\"}"), response.body());
        assertTrue(response.body().contains(message), () -> "expected '" + message + "' in " + response.body());
        String retryAfter = response.headers().firstValue("Retry-After").orElse("");
        assertTrue(retryAfter.matches("[1-9][0-9]*"), () -> "Retry-After must be whole seconds >= 1: '" + retryAfter
                + "'");
    }

    /** A header as a number; fails when it is missing. */
    static long header(HttpResponse<String> response, String name) {
        String value = response.headers().firstValue(name)
                .orElseThrow(() -> new AssertionError("no " + name + " header on " + response.statusCode() + " "
                                                              + response.body()));
        return Long.parseLong(value);
    }

    /**
     * The value of one Prometheus sample from the admin port's {@code /observe/metrics}, matched by name and by the
     * given labels (others ignored); 0 when the series does not exist, a failure when several match.
     */
    static double metric(GatewayHarness gateway, String name, Map<String, String> labels) {
        HttpResponse<String> scrape = gateway.admin("/observe/metrics");
        assertEquals(200, scrape.statusCode(), scrape.body());
        return PrometheusText.only(scrape.body(), name, labels).orElse(0.0);
    }
}
