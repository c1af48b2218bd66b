package io.spillway.api;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.spillway.testing.GatewayHarness;
import io.spillway.testing.MarkerCheck;
import io.spillway.testing.RawHttp;
import io.spillway.testing.redis.Await;
import io.spillway.testing.redis.RedisNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad request gets its SPEC status and a JSON error, and nothing reaches Redis. "Nothing" is checked
 * by publishing one valid marker after the bad request and seeing only the marker arrive.
 */
class BadInputMatrixTest extends MarkerCheck {
    private static final String OK_EVENT = "{\"name\":\"e\",\"channels\":[\"c\"],\"data\":\"d\"}";

    BadInputMatrixTest(RedisNode redis) {
        super(redis);
    }

    static Stream<Arguments> badEvents() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 101; i++) {
            many.append(i == 0 ? "" : ",").append("\"c").append(i).append('"');
        }
        String batch11 = "{\"batch\":[" + String.join(",", Collections.nCopies(11,
                "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\"}")) + "]}";
        return Stream.of(
                Arguments.of("malformed JSON", "events", "{\"name\":", 400, "malformed JSON"),
                Arguments.of("not an object", "events", "[1,2]", 400, "JSON object"),
                Arguments.of("trailing garbage", "events", OK_EVENT + "x", 400, "malformed JSON"),
                Arguments.of("empty body", "events", "", 400, "empty body"),
                Arguments.of("name is a number", "events", "{\"name\":5,\"channels\":[\"c\"],\"data\":\"d\"}", 400, "'name' must be a string"),
                Arguments.of("data is an object", "events", "{\"name\":\"e\",\"channels\":[\"c\"],\"data\":{}}", 400, "'data' must be a string"),
                Arguments.of("channels is a string", "events", "{\"name\":\"e\",\"channels\":\"c\",\"data\":\"d\"}", 400, "array of strings"),
                Arguments.of("channel entry is a number", "events", "{\"name\":\"e\",\"channels\":[\"ok\",1],\"data\":\"d\"}", 400, "must be a string"),
                Arguments.of("missing name", "events", "{\"channels\":[\"c\"],\"data\":\"d\"}", 400, "missing name"),
                Arguments.of("missing data", "events", "{\"name\":\"e\",\"channels\":[\"c\"]}", 400, "missing data"),
                Arguments.of("missing channels", "events", "{\"name\":\"e\",\"data\":\"d\"}", 400, "missing channels"),
                Arguments.of("empty channels", "events", "{\"name\":\"e\",\"channels\":[],\"data\":\"d\"}", 400, "empty"),
                Arguments.of("101 channels", "events", "{\"name\":\"e\",\"channels\":[" + many + "],\"data\":\"d\"}", 400, "limit is 100"),
                Arguments.of("invalid channel name", "events", "{\"name\":\"e\",\"channels\":[\"ok\",\"bad channel!\"],\"data\":\"d\"}", 400, "invalid channel name"),
                Arguments.of("hash channel not server-to-user", "events", "{\"name\":\"e\",\"channels\":[\"#private\"],\"data\":\"d\"}", 400, "invalid channel name"),
                Arguments.of("201-char channel", "events", "{\"name\":\"e\",\"channels\":[\"" + "c".repeat(201) + "\"],\"data\":\"d\"}", 400, "invalid channel name"),
                Arguments.of("201-char event name", "events", "{\"name\":\"" + "n".repeat(201) + "\",\"channels\":[\"c\"],\"data\":\"d\"}", 400, "1 to 200 characters"),
                Arguments.of("invalid socket_id", "events", "{\"name\":\"e\",\"channels\":[\"c\"],\"data\":\"d\",\"socket_id\":\"abc\"}", 400, "socket_id"),
                Arguments.of("duplicate channel", "events", "{\"name\":\"e\",\"channels\":[\"c\",\"c\"],\"data\":\"d\"}", 400, "twice"),
                Arguments.of("data of 10241 bytes", "events", "{\"name\":\"e\",\"channels\":[\"c\"],\"data\":\"" + "d".repeat(10241) + "\"}", 413, "10241 bytes"),
                Arguments.of("multibyte data over 10240 bytes", "events", "{\"name\":\"e\",\"channels\":[\"c\"],\"data\":\"" + "\u00e9".repeat(5121) + "\"}", 413, "10242 bytes"),
                Arguments.of("batch of 11", "batch_events", batch11, 400, "more than 10"),
                Arguments.of("empty batch", "batch_events", "{\"batch\":[]}", 400, "empty"),
                Arguments.of("batch item with channels", "batch_events", "{\"batch\":[{\"name\":\"e\",\"channels\":[\"c\"],\"data\":\"d\"}]}", 400, "use 'channel'"),
                Arguments.of("batch with one bad item", "batch_events", "{\"batch\":[{\"name\":\"e\",\"channel\":\"c\",\"data\":\"d\"},{\"name\":\"e\",\"channel\":\"c d\",\"data\":\"d\"}]}", 400, "batch[1]"),
                Arguments.of("batch is not an array", "batch_events", "{\"batch\":{}}", 400, "must be an array"),
                Arguments.of("missing batch", "batch_events", "{}", 400, "missing 'batch'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badEvents")
    void badBodiesAreRefused(String what, String endpoint, String body, int status, String message) {
        assertError(gateway.publish(endpoint, body), status, message);
    }

    /** As Pusher SDKs send it: no {@code Expect: 100-continue}, the whole body at once. */
    @Test
    void bodyOverTheLimitIs413() {
        String body = "{\"name\":\"e\",\"channels\":[\"c\"],\"data\":\"" + "d".repeat(300_000) + "\"}";
        assertError(gateway.publish("events", body), 413, "larger than 262144 bytes");
    }

    /** Headers only: the 413 comes from {@code Content-Length}, before a byte of the body exists. */
    @Test
    void hugeBodyIs413WithoutReadingIt() {
        try (RawHttp http = RawHttp.connect(gateway.gateway().publicPort(), Duration.ofSeconds(5))) {
            RawHttp.Response response = http.send(hugePublishHead(HUGE)).read();
            assertRawError(response, 413, "larger than 262144 bytes");
            assertEquals("close", response.header("Connection"));
        }
    }

    /**
     * The whole 20 MB sent without waiting, as SDKs do: the client gets the 413, never a reset, because the gateway
     * drops the rest of the body (up to {@code discard-bytes}) before closing. Five times, since a reset is a race.
     */
    @Test
    void hugeBodySentWithoutWaitingGetsThe413NotAReset() {
        byte[] chunk = "d".repeat(64 * 1024).getBytes(StandardCharsets.ISO_8859_1);
        for (int attempt = 0; attempt < 5; attempt++) {
            try (RawHttp http = RawHttp.connect(gateway.gateway().publicPort(), Duration.ofSeconds(10))) {
                http.send(hugePublishHead(HUGE));
                for (int sent = 0; sent < HUGE; sent += chunk.length) {
                    assertTrue(http.trySend(chunk), "the gateway reset the upload at byte " + sent);
                }
                assertRawError(http.read(), 413, "larger than 262144 bytes");
            }
        }
    }

    private static final int HUGE = 20 * 1024 * 1024;

    private String hugePublishHead(int length) {
        String query = PusherSignature.signedQuery(GatewayHarness.APP_KEY, GatewayHarness.APP_SECRET, "POST",
                                                   "/apps/1001/events", new byte[0], System.currentTimeMillis() / 1000);
        return "POST /apps/1001/events?" + query + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + length + "\r\n\r\n";
    }

    private static void assertRawError(RawHttp.Response response, int status, String message) {
        assertEquals(status, response.status(), response.toString());
        assertEquals("application/json", response.header("Content-Type"));
        assertTrue(response.body().contains(message), response.body());
    }

    @Test
    void wrongContentTypeIs415() {
        HttpRequest request = gateway.signedPost("/apps/1001/events", OK_EVENT, GatewayHarness.APP_KEY,
                                                 GatewayHarness.APP_SECRET)
                .setHeader("Content-Type", "text/plain").build();
        assertError(gateway.send(request), 415, "application/json");
    }

    @Test
    void wrongMethodIs405() {
        for (String method : List.of("GET", "PUT", "DELETE")) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUri() + "/apps/1001/events"))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build();
            HttpResponse<String> response = gateway.send(request);
            assertError(response, 405, "use POST");
            assertEquals("POST", response.headers().firstValue("Allow").orElse(""));
        }
    }

    @Test
    void unknownAppIs404() {
        HttpRequest request = gateway.signedPost("/apps/9999/events", OK_EVENT, GatewayHarness.APP_KEY,
                                                 GatewayHarness.APP_SECRET).build();
        assertError(gateway.send(request), 404, "unknown app_id");
    }

    @Test
    void unknownPathIs404() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUri() + "/channels")).build();
        assertError(gateway.send(request), 404, "no such endpoint");
    }

    @Test
    void badSignatureIs401() {
        HttpRequest request = gateway.signedPost("/apps/1001/events", OK_EVENT, GatewayHarness.APP_KEY, "wrong")
                .build();
        assertError(gateway.send(request), 401, "invalid signature");
    }

    private static void assertError(HttpResponse<String> response, int status, String message) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        assertTrue(response.body().startsWith("{\"error\":\"") && response.body().endsWith("\"}"), response.body());
        assertTrue(response.body().contains(message), () -> "expected '" + message + "' in " + response.body());
    }
}
