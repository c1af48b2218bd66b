package io.spillway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.spillway.Main;
import io.spillway.RunningGateway;
import io.spillway.api.PusherSignature;
import io.spillway.config.ConfigLoader;

/**
 * Starts a real gateway in this JVM on free ports, with the built-in defaults plus test overrides, and talks to it
 * over HTTP as a Pusher SDK would.
 */
public final class GatewayHarness implements AutoCloseable {
    public static final String APP_ID = "1001";
    public static final String APP_KEY = "app-key";
    public static final String APP_SECRET = "app-secret";

    private final RunningGateway gateway;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private GatewayHarness(RunningGateway gateway) {
        this.gateway = gateway;
    }

    /**
     * The test app 1001/app-key/app-secret, ports chosen by the OS, no slow start, a short warm-up, then
     * {@code overrides}; returns once the gateway is ready.
     */
    public static GatewayHarness start(Map<String, String> overrides) {
        GatewayHarness harness = startNotReady(overrides, Map.of());
        harness.awaitReady(Duration.ofSeconds(30));
        return harness;
    }

    /** Starts without waiting for readiness; {@code env} is the process environment the gateway sees. */
    public static GatewayHarness startNotReady(Map<String, String> overrides, Map<String, String> env) {
        return new GatewayHarness(Main.start(loader(overrides, env)));
    }

    public static ConfigLoader loader(Map<String, String> overrides, Map<String, String> env) {
        try {
            return new ConfigLoader(Files.createTempDirectory("spillway-test"), env, values(overrides));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (admin("/observe/health/ready").statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gateway not ready within " + timeout + ": "
                                                 + admin("/observe/health/ready").body());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static Map<String, String> values(Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("server.port", "0");
        values.put("server.host", "127.0.0.1");
        values.put("server.sockets.0.name", "admin");
        values.put("server.sockets.0.port", "0");
        values.put("server.sockets.0.host", "127.0.0.1");
        values.put("spillway.apps.0.id", APP_ID);
        values.put("spillway.apps.0.key", APP_KEY);
        values.put("spillway.apps.0.secret", APP_SECRET);
        values.put("spillway.warmup.requests", "20");
        values.put("spillway.warmup.slow-start", "0s");
        values.putAll(overrides);
        return values;
    }

    public RunningGateway gateway() {
        return gateway;
    }

    public String baseUri() {
        return "http://127.0.0.1:" + gateway.publicPort();
    }

    public String adminUri() {
        return "http://127.0.0.1:" + gateway.adminPort();
    }

    /** A signed POST of {@code body} to {@code /apps/1001/<endpoint>}. */
    public HttpResponse<String> publish(String endpoint, String body) {
        return send(signedPost("/apps/" + APP_ID + "/" + endpoint, body, APP_KEY, APP_SECRET).build());
    }

    public HttpRequest.Builder signedPost(String path, String body, String key, String secret) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String query = PusherSignature.signedQuery(key, secret, "POST", path, bytes,
                                                   System.currentTimeMillis() / 1000);
        return HttpRequest.newBuilder(URI.create(baseUri() + path + "?" + query))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
    }

    public HttpResponse<String> admin(String path) {
        return send(HttpRequest.newBuilder(URI.create(adminUri() + path)).timeout(Duration.ofSeconds(10)).build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("request to the gateway failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpClient http() {
        return http;
    }

    @Override
    public void close() {
        gateway.close();
    }
}
