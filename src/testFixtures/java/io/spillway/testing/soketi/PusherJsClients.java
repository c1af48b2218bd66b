package io.spillway.testing.soketi;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.testing.redis.Await;
import io.spillway.testing.redis.Processes;

/**
 * Real pusher-js clients (src/test/node/clients.js in one Node process), each connected to a soketi node, signed
 * in as a user and subscribed to channels. Everything they see is kept as JSON lines.
 */
public final class PusherJsClients implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One client: its name, the soketi port, its user id and channels. */
    public record Client(String name, int port, String user, List<String> channels) {
    }

    private final Process process;
    private final List<JsonNode> lines = new CopyOnWriteArrayList<>();
    private final StringBuilder stderr = new StringBuilder();

    private PusherJsClients(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().name("pusher-js-stdout").start(() -> read(process));
        Thread.ofPlatform().daemon().name("pusher-js-stderr").start(() -> {
            try (BufferedReader err = process.errorReader(StandardCharsets.UTF_8)) {
                err.lines().forEach(l -> {
                    synchronized (stderr) {
                        stderr.append(l).append('\n');
                    }
                });
            } catch (IOException ignored) {
                // the process ended
            }
        });
    }

    /** Starts the clients and waits until every one is connected, signed in and subscribed. */
    public static PusherJsClients start(SoketiInstall install, String key, String secret, List<Client> clients) {
        ObjectNode config = JSON.createObjectNode().put("key", key).put("secret", secret);
        clients.forEach(c -> config.withArray("clients").add(JSON.valueToTree(Map.of(
                "name", c.name(), "port", c.port(), "user", c.user(), "channels", c.channels()))));
        try {
            PusherJsClients started = new PusherJsClients(install.nodeScript("clients.js", config.toString()).start());
            started.await("every pusher-js client ready", Duration.ofSeconds(30),
                          l -> "ready".equals(l.path("type").asText()));
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void read(Process p) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                try {
                    lines.add(JSON.readTree(line));
                } catch (IOException e) {
                    lines.add(JSON.createObjectNode().put("type", "unparsed").put("line", line));
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    /** Waits for a line matching {@code what}. */
    public JsonNode await(String what, Duration timeout, Predicate<JsonNode> match) {
        return Await.value(what + " (stderr: " + stderr() + ")", timeout,
                           () -> lines.stream().filter(match).findFirst());
    }

    public String socketId(String client) {
        return await(client + "'s socket id", Duration.ofSeconds(5),
                     l -> client.equals(l.path("client").asText()) && "socket".equals(l.path("type").asText()))
                .path("socket_id").asText();
    }

    /** Every application event (not {@code pusher:} / {@code pusher_internal:}) {@code client} received. */
    public List<JsonNode> events(String client) {
        List<JsonNode> events = new ArrayList<>();
        for (JsonNode l : lines) {
            String event = l.path("event").asText("");
            if (client.equals(l.path("client").asText()) && "message".equals(l.path("type").asText())
                    && !event.startsWith("pusher:") && !event.startsWith("pusher_internal:")) {
                events.add(l);
            }
        }
        return events;
    }

    /** Lines of {@code client} of the given type (e.g. "state") or protocol event (e.g. "pusher:error"). */
    public List<JsonNode> lines(String client, Predicate<JsonNode> match) {
        return lines.stream().filter(l -> client.equals(l.path("client").asText())).filter(match).toList();
    }

    private String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    @Override
    public void close() {
        Processes.killAndWait(process, Duration.ofSeconds(5));
    }
}
