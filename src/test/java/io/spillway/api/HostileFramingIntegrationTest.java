package io.spillway.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.spillway.testing.GatewayHarness;
import io.spillway.testing.MarkerCheck;
import io.spillway.testing.RawHttp;
import io.spillway.testing.redis.RedisNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ambiguous or oversized framing over a raw socket, each signed so that it would publish if the gateway read it
 * one of the ways it could be read: every case gets a JSON 4xx and nothing reaches Redis (a valid marker published
 * after each case is the only message seen).
 */
class HostileFramingIntegrationTest extends MarkerCheck {
    private static final String EVENT = "{\"name\":\"e\",\"channels\":[\"smuggled\"],\"data\":\"d\"}";

    HostileFramingIntegrationTest(RedisNode redis) {
        super(redis);
    }

    static Stream<Arguments> framings() {
        int length = EVENT.length();
        String chunked = Integer.toHexString(length) + "\r\n" + EVENT + "\r\n0\r\n\r\n";
        return Stream.of(
                Arguments.of("Content-Length and Transfer-Encoding",
                             "Content-Length: " + length + "\r\nTransfer-Encoding: chunked\r\n", chunked, 400),
                Arguments.of("two Content-Lengths", "Content-Length: " + length + "\r\nContent-Length: "
                        + (length + 1) + "\r\n", EVENT + " ", 400),
                Arguments.of("two equal Content-Lengths", "Content-Length: " + length + "\r\nContent-Length: "
                        + length + "\r\n", EVENT, 400),
                Arguments.of("Content-Length list", "Content-Length: " + length + ", " + length + "\r\n", EVENT, 400),
                Arguments.of("Transfer-Encoding xchunked", "Transfer-Encoding: xchunked\r\n", chunked, 400),
                Arguments.of("Transfer-Encoding chunked, identity", "Transfer-Encoding: chunked, identity\r\n",
                             chunked, 400),
                Arguments.of("Transfer-Encoding with a tab", "Transfer-Encoding:\tchunked\r\nContent-Length: "
                        + length + "\r\n", chunked, 400),
                Arguments.of("Transfer-Encoding header folded", "Transfer-Encoding:\r\n chunked\r\n", chunked, 400),
                Arguments.of("space before the colon", "Transfer-Encoding : chunked\r\n", chunked, 400),
                Arguments.of("negative Content-Length", "Content-Length: -1\r\n", EVENT, 400),
                Arguments.of("header block of 200 KB", "X-Filler: " + "f".repeat(200_000) + "\r\nContent-Length: "
                        + length + "\r\n", EVENT, 400),
                Arguments.of("request line over 4 KiB", null, EVENT, 414));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("framings")
    void ambiguousFramingIsRefusedAndPublishesNothing(String what, String headers, String body, int status) {
        String path = "/apps/1001/events";
        String query = PusherSignature.signedQuery(GatewayHarness.APP_KEY, GatewayHarness.APP_SECRET, "POST", path,
                                                   EVENT.getBytes(StandardCharsets.UTF_8),
                                                   System.currentTimeMillis() / 1000);
        String head = headers == null
                ? "POST " + path + "?" + query + "&pad=" + "p".repeat(5000) + " HTTP/1.1\r\nHost: x\r\nContent-Length: "
                        + EVENT.length() + "\r\n"
                : "POST " + path + "?" + query + " HTTP/1.1\r\nHost: x\r\n" + headers;
        try (RawHttp http = RawHttp.connect(gateway.gateway().publicPort(), Duration.ofSeconds(10))) {
            http.trySend((head + "Content-Type: application/json\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
            RawHttp.Response response = http.read();
            assertEquals(status, response.status(), what + ": " + response);
            assertEquals("application/json", response.header("Content-Type"), response.toString());
            assertTrue(response.body().startsWith("{\"error\":"), response.body());
        }
    }

    @Test
    void chunkedBodyOverTheLimitIs413() {
        String path = "/apps/1001/events";
        String query = PusherSignature.signedQuery(GatewayHarness.APP_KEY, GatewayHarness.APP_SECRET, "POST", path,
                                                   new byte[0], System.currentTimeMillis() / 1000);
        try (RawHttp http = RawHttp.connect(gateway.gateway().publicPort(), Duration.ofSeconds(10))) {
            http.send("POST " + path + "?" + query + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              + "Transfer-Encoding: chunked\r\n\r\n");
            String chunk = "d".repeat(16 * 1024);
            String framed = Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n";
            // 17 chunks of 16 KiB: just over the 256 KiB limit; the answer comes once the limit is passed
            for (int i = 0; i < 17 && http.trySend(framed.getBytes(StandardCharsets.ISO_8859_1)); i++) {
                // sending
            }
            RawHttp.Response response = http.read();
            assertEquals(413, response.status(), response.toString());
            assertTrue(response.body().contains("larger than 262144 bytes"), response.body());
        }
    }
}
