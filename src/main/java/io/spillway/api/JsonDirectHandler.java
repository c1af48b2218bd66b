package io.spillway.api;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderValues;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * What Helidon answers itself, before routing (a malformed request line, ambiguous framing, headers over the
 * limit), also leaves as SPEC's JSON {@code {"error": ...}} instead of an empty body.
 */
public final class JsonDirectHandler implements DirectHandler {
    private JsonDirectHandler() {
    }

    /** This handler for every event type. */
    public static DirectHandlers all() {
        DirectHandlers.Builder builder = DirectHandlers.builder();
        JsonDirectHandler handler = new JsonDirectHandler();
        for (EventType type : EventType.values()) {
            builder.addHandler(type, handler);
        }
        return builder.build();
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                    ServerResponseHeaders responseHeaders, String message) {
        String reason = message == null || message.isBlank() ? defaultStatus.reasonPhrase() : message;
        return TransportResponse.builder()
                .status(defaultStatus)
                .headers(responseHeaders)
                .header(HeaderValues.CONTENT_TYPE_JSON)
                .keepAlive(eventType.keepAlive())
                .entity(JsonErrors.body(reason))
                .build();
    }
}
