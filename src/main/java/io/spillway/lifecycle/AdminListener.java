package io.spillway.lifecycle;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.MeterRegistryFormatter;
import io.helidon.metrics.api.MetricsConfig;
import io.helidon.metrics.spi.MeterRegistryFormatterProvider;

/**
 * The admin port (health and metrics only), served by the JDK's HTTP server on platform threads of its own.
 *
 * <p>Why not a Helidon socket: Helidon 4.5 runs every listener's connections on the one JVM-wide virtual-thread
 * scheduler, so under a flood a probe waited behind thousands of publish requests (measured: liveness p99 610 ms and
 * 36 of 104 probes past a 2 s timeout on a flooded one-core pod, i.e. kubelet restarts, MT1's loop). Platform threads
 * are scheduled by the kernel beside the carrier threads, so a probe answers within a time slice whatever the public
 * listener carries. The shapes are Helidon's: {@code {"status","checks":[{"name","status","data"}]}}, 200 when UP and
 * 503 when DOWN; metrics in Prometheus text format from Helidon's registry and formatter.
 */
public final class AdminListener implements AutoCloseable {
    private static final String HEALTH = "/observe/health";
    private static final String METRICS = "/observe/metrics";
    private static final JsonFactory JSON = new JsonFactory();

    private final HttpServer server;
    private final ExecutorService threads;
    private final List<HealthCheck> checks;
    private final MeterRegistryFormatter metrics;

    private AdminListener(HttpServer server, ExecutorService threads, List<HealthCheck> checks,
                          MeterRegistryFormatter metrics) {
        this.server = server;
        this.threads = threads;
        this.checks = checks;
        this.metrics = metrics;
    }

    /**
     * Binds and starts at once.
     *
     * @throws IOException when the port cannot be bound
     */
    public static AdminListener start(String host, int port, List<HealthCheck> checks, MeterRegistry registry)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
        // two threads: a slow scrape never holds up a probe
        ExecutorService threads = Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().name("admin-", 0)
                .factory());
        AdminListener admin = new AdminListener(server, threads, List.copyOf(checks), formatter(registry));
        server.setExecutor(threads);
        server.createContext("/", admin::handle);
        server.start();
        return admin;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            boolean known = path.startsWith(HEALTH) || path.startsWith(METRICS);
            if (known && !"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "application/json", "{\"error\":\"method not allowed, use GET\"}");
                return;
            }
            switch (path) {
                case HEALTH, HEALTH + "/" -> health(exchange, null);
                case HEALTH + "/live" -> health(exchange, HealthCheckType.LIVENESS);
                case HEALTH + "/ready" -> health(exchange, HealthCheckType.READINESS);
                case HEALTH + "/started" -> health(exchange, HealthCheckType.STARTUP);
                case METRICS, METRICS + "/" -> send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                                                    metrics.format().map(Object::toString).orElse(""));
                default -> send(exchange, 404, "application/json", "{\"error\":\"unknown path " + jsonSafe(path)
                        + " (admin port: /observe/health[/live|/ready|/started], /observe/metrics)\"}");
            }
        }
    }

    private void health(HttpExchange exchange, HealthCheckType type) throws IOException {
        List<HealthCheck> selected = checks.stream().filter(c -> type == null || c.type() == type).toList();
        List<HealthCheckResponse> responses = selected.stream().map(AdminListener::call).toList();
        boolean up = responses.stream().allMatch(r -> r.status() == HealthCheckResponse.Status.UP);
        StringWriter out = new StringWriter(256);
        try (JsonGenerator gen = JSON.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeStringField("status", up ? "UP" : "DOWN");
            gen.writeArrayFieldStart("checks");
            for (int i = 0; i < selected.size(); i++) {
                HealthCheckResponse response = responses.get(i);
                gen.writeStartObject();
                gen.writeStringField("name", selected.get(i).name());
                gen.writeStringField("status", response.status() == HealthCheckResponse.Status.UP ? "UP" : "DOWN");
                if (!response.details().isEmpty()) {
                    gen.writeObjectFieldStart("data");
                    for (Map.Entry<String, Object> d : response.details().entrySet()) {
                        gen.writeFieldName(d.getKey());
                        Object v = d.getValue();
                        if (v instanceof Boolean b) {
                            gen.writeBoolean(b);
                        } else if (v instanceof Number n) {
                            gen.writeNumber(n.toString());
                        } else {
                            gen.writeString(String.valueOf(v));
                        }
                    }
                    gen.writeEndObject();
                }
                gen.writeEndObject();
            }
            gen.writeEndArray();
            gen.writeEndObject();
        }
        send(exchange, up ? 200 : 503, "application/json", out.toString());
    }

    private static HealthCheckResponse call(HealthCheck check) {
        try {
            return check.call();
        } catch (RuntimeException e) {
            return HealthCheckResponse.builder().status(false).detail("error", String.valueOf(e.getMessage()))
                    .build();
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(bytes);
            }
        }
    }

    private static String jsonSafe(String s) {
        return s.replaceAll("[^A-Za-z0-9/_.\\-]", "?");
    }

    private static MeterRegistryFormatter formatter(MeterRegistry registry) {
        for (MeterRegistryFormatterProvider provider : ServiceLoader.load(MeterRegistryFormatterProvider.class)) {
            Optional<MeterRegistryFormatter> f = provider.formatter(MediaTypes.TEXT_PLAIN, MetricsConfig.create(),
                                                                    registry, Optional.empty(), List.of(), List.of());
            if (f.isPresent()) {
                return f.get();
            }
        }
        throw new IllegalStateException("no Prometheus formatter for Helidon metrics on the class path");
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        try {
            threads.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
