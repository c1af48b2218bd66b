package io.spillway.testing.soketi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.spillway.testing.redis.Await;
import io.spillway.testing.redis.FreePorts;
import io.spillway.testing.redis.Processes;

/** One soketi 1.6.1 server with the Redis adapter, on a free port; its output goes to a temp log file. */
public final class SoketiNode implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private SoketiNode(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts a node of app {@code appId} on Redis at {@code redisPort}; returns once its /ready answers. */
    public static SoketiNode start(SoketiInstall install, int redisPort, String appId, String key, String secret) {
        int port = FreePorts.next();
        int metricsPort = FreePorts.next();
        try {
            Path log = Files.createTempFile("soketi-" + port + "-", ".log");
            ProcessBuilder pb = new ProcessBuilder(install.node().toString(),
                                                   "node_modules/@soketi/soketi/bin/server.js", "start")
                    .directory(install.app().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().putAll(Map.ofEntries(
                    Map.entry("SOKETI_ADAPTER_DRIVER", "redis"),
                    Map.entry("SOKETI_DB_REDIS_HOST", "127.0.0.1"),
                    Map.entry("SOKETI_DB_REDIS_PORT", Integer.toString(redisPort)),
                    Map.entry("SOKETI_DEFAULT_APP_ID", appId),
                    Map.entry("SOKETI_DEFAULT_APP_KEY", key),
                    Map.entry("SOKETI_DEFAULT_APP_SECRET", secret),
                    Map.entry("SOKETI_DEFAULT_APP_USER_AUTHENTICATION", "true"),
                    Map.entry("SOKETI_HOST", "127.0.0.1"),
                    Map.entry("SOKETI_PORT", Integer.toString(port)),
                    Map.entry("SOKETI_METRICS_SERVER_PORT", Integer.toString(metricsPort))));
            SoketiNode node = new SoketiNode(pb.start(), port, log);
            try {
                Await.until("soketi on :" + port + " ready", Duration.ofSeconds(30), node::ready);
            } catch (RuntimeException | AssertionError e) {
                String tail = node.logTail();
                node.close();
                throw new AssertionError("soketi did not start: " + tail, e);
            }
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new AssertionError("soketi exited: " + logTail());
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
                                     .timeout(Duration.ofSeconds(1)).build(),
                             HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        Processes.killAndWait(process, Duration.ofSeconds(10));
    }
}
