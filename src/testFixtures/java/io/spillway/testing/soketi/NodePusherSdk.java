package io.spillway.testing.soketi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Publishes through the official Node server SDK ({@code pusher}, src/test/node/trigger.js). */
public record NodePusherSdk(SoketiInstall install, int port, String appId, String key, String secret) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The HTTP status and body Spillway answered. */
    public record Answer(int status, String body) {
    }

    public Answer trigger(List<String> channels, String event, String data, String socketId) {
        ObjectNode args = JSON.createObjectNode().put("host", "127.0.0.1").put("port", port).put("appId", appId)
                .put("key", key).put("secret", secret).put("event", event).put("data", data);
        channels.forEach(args.putArray("channels")::add);
        if (socketId != null) {
            args.put("socket_id", socketId);
        }
        try {
            Process p = install.nodeScript("trigger.js", args.toString()).redirectErrorStream(true).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("trigger.js did not finish");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            String last = out.substring(out.lastIndexOf('\n') + 1);
            JsonNode answer = JSON.readTree(last);
            return new Answer(answer.path("status").asInt(), answer.path("body").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
