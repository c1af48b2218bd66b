package io.spillway.lifecycle;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.spillway.api.App;
import io.spillway.api.PusherSignature;

/**
 * Signed publishes to the pod's own public listener, exactly as a Pusher SDK would send them, so that JIT, pools,
 * auth, parsing, admission and publishing are all warm before the first real request.
 */
public final class SyntheticTraffic {
    private static final int PARALLEL = 4;

    private final App app;
    private final IntSupplier publicPort;

    /**
     * @param app        the internal warm-up app (never counted as app traffic)
     * @param publicPort the public listener's port, known once the server has started
     */
    public SyntheticTraffic(App app, IntSupplier publicPort) {
        this.app = app;
        this.publicPort = publicPort;
    }

    /** Sends {@code count} publishes over a few connections; throws unless every one was answered 200. */
    public void send(int count) throws InterruptedException {
        if (count == 0) {
            return;
        }
        WebClient client = WebClient.builder()
                .baseUri("http://127.0.0.1:" + publicPort.getAsInt())
                .build();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger lastFailure = new AtomicInteger();
        List<Thread> workers = new ArrayList<>(PARALLEL);
        for (int w = 0; w < PARALLEL; w++) {
            workers.add(Thread.ofVirtual().name("warmup-" + w).start(() -> {
                int i;
                while ((i = next.getAndIncrement()) < count) {
                    int status = post(client, i);
                    if (status != 200) {
                        failures.incrementAndGet();
                        lastFailure.set(status);
                    }
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " of " + count + " warm-up publishes failed (last status "
                                                    + lastFailure.get() + ")");
        }
    }

    private int post(WebClient client, int i) {
        boolean batch = i % 4 == 3;
        String path = "/apps/" + app.id() + (batch ? "/batch_events" : "/events");
        String body = batch
                ? "{\"batch\":[{\"name\":\"warmup\",\"channel\":\"hot-path\",\"data\":\"{\\\"i\\\":" + i + "}\"}]}"
                : "{\"name\":\"warmup\",\"channels\":[\"hot-path\"],\"data\":\"{\\\"i\\\":" + i + "}\"}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpClientRequest request = client.post(path).contentType(MediaTypes.APPLICATION_JSON);
        PusherSignature.signedParams(app.key(), app.secret(), "POST", path, bytes, System.currentTimeMillis() / 1000)
                .forEach(request::queryParam);
        try (HttpClientResponse response = request.submit(bytes)) {
            return response.status().code();
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
