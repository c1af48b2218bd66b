package io.spillway.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.spillway.api.PusherSignature;

/** Follows the gateway's SSE watch stream of one channel and records every event it sees. */
public final class SseWatcher implements AutoCloseable {
    public record Event(String name, String data) {
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final CountDownLatch opened = new CountDownLatch(1);
    private final Thread reader;
    private volatile InputStream body;
    private volatile int status;

    public SseWatcher(GatewayHarness gateway, String channel) {
        String path = "/apps/" + GatewayHarness.APP_ID + "/channels/" + channel + "/stream";
        String query = PusherSignature.signedQuery(GatewayHarness.APP_KEY, GatewayHarness.APP_SECRET, "GET", path,
                                                   new byte[0], System.currentTimeMillis() / 1000);
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUri() + path + "?" + query)).GET().build();
        reader = Thread.ofVirtual().start(() -> read(gateway, request));
    }

    private void read(GatewayHarness gateway, HttpRequest request) {
        try {
            HttpResponse<InputStream> response = gateway.http().send(request, HttpResponse.BodyHandlers.ofInputStream());
            status = response.statusCode();
            body = response.body();
            BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            String name = null;
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith(":")) {
                    opened.countDown();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                } else if (line.isEmpty() && name != null) {
                    events.add(new Event(name, data.toString()));
                    name = null;
                    data.setLength(0);
                }
            }
        } catch (IOException | InterruptedException e) {
            // closed
        } finally {
            opened.countDown();
        }
    }

    /** Waits for the stream's first comment, which the gateway sends once it has subscribed. */
    public SseWatcher awaitOpen(Duration timeout) throws InterruptedException {
        if (!opened.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("SSE stream did not open within " + timeout);
        }
        return this;
    }

    public int status() {
        return status;
    }

    public List<Event> awaitEvents(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (events.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return new ArrayList<>(events);
    }

    @Override
    public void close() {
        InputStream in = body;
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        reader.interrupt();
    }
}
