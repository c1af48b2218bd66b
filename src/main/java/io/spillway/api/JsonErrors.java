package io.spillway.api;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.spillway.broker.CompactJson;

/** Every error leaves as SPEC's JSON {@code {"error": "..."}}, with {@code Retry-After} when the client may retry. */
public final class JsonErrors {
    private static final JsonFactory JSON = CompactJson.factoryBuilder().build();

    private JsonErrors() {
    }

    public static void send(ServerResponse res, ApiException e) {
        send(res, e.status(), e.getMessage(), e.retryAfterSeconds());
    }

    public static void send(ServerResponse res, int status, String message, long retryAfterSeconds) {
        res.status(Status.create(status));
        if (retryAfterSeconds > 0) {
            res.header(HeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(body(message));
    }

    static String body(String message) {
        StringWriter out = new StringWriter(message.length() + 16);
        try (JsonGenerator gen = JSON.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeStringField("error", message);
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
