package io.spillway.admission;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.spillway.api.PusherSignature;
import io.spillway.testing.redis.Await;
import io.spillway.testing.GatewayHarness;
import io.spillway.testing.RawHttp;
import io.spillway.testing.redis.FreePorts;
import io.spillway.testing.redis.RedisExtension;
import io.spillway.testing.redis.RedisNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.spillway.admission.Traffic.assertRetryableError;
import static io.spillway.admission.Traffic.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Admission runs before the body is read: a refused request gets its 429/503 even when its body, content type,
 * signature or app would have failed, and the admin socket is never subject to admission. The pod's own warm-up
 * does not spend the clients' rate, so a gateway whose global burst is smaller than its warm-up still becomes ready.
 */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RejectedBeforeTheBodyIntegrationTest {
    private static final String VALID = event("ok", "c");

    private final RedisNode redis;
    private GatewayHarness gateway;

    RejectedBeforeTheBodyIntegrationTest(RedisNode redis) {
        this.redis = redis;
    }

    @BeforeAll
    void start() {
        // one token per second, and the harness's 20 warm-up requests: ready only if the warm-up spends none of them
        gateway = GatewayHarness.start(Traffic.redisBrokerAtOnePerSecond(redis.uri()));
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    /** Requests that fail once their body, content type, signature or app is looked at, each with that status. */
    private List<Supplier<HttpRequest>> badRequests(GatewayHarness g) {
        String key = GatewayHarness.APP_KEY;
        String secret = GatewayHarness.APP_SECRET;
        return List.of(
                () -> g.signedPost("/apps/1001/events", "{\"name\":", key, secret).build(),               // 400
                () -> g.signedPost("/apps/1001/events", VALID, key, secret)
                        .setHeader("Content-Type", "text/plain").build(),                                  // 415
                () -> g.signedPost("/apps/1001/events", VALID, key, "wrong-secret").build(),              // 401
                () -> g.signedPost("/apps/9999/events", VALID, key, secret).build(),                      // 404
                () -> g.signedPost("/apps/1001/batch_events", "{\"batch\":[]}", key, secret).build());    // 400
    }

    /**
     * Headers only, over a raw socket: each request declares a body it never sends. A handler that read the body
     * would wait for it until the socket timeout; a 429 that arrives proves the body was not read.
     */
    @Test
    void aRequestRefusedByTheRateIsNeverRead() {
        exhaustGlobalBucket();
        // the bucket refills one token a second after the last one was spent; these few requests take milliseconds
        for (String path : List.of("/apps/1001/events", "/apps/1001/batch_events", "/apps/9999/events")) {
            RawHttp.Response response = headersOnly(gateway, path);
            assertEquals(429, response.status(), path + ": " + response);
            assertTrue(response.body().contains("Rate limit exceeded for this gateway"), response.body());
            assertEquals("1", response.header("Retry-After"));
        }
    }

    /** A signed POST that declares 1000 bytes of JSON and sends none of them; answered within 5 s or fails. */
    private static RawHttp.Response headersOnly(GatewayHarness g, String path) {
        String query = PusherSignature.signedQuery(GatewayHarness.APP_KEY, GatewayHarness.APP_SECRET, "POST", path,
                                                   new byte[0], System.currentTimeMillis() / 1000);
        try (RawHttp http = RawHttp.connect(g.gateway().publicPort(), Duration.ofSeconds(5))) {
            return http.send("POST " + path + "?" + query + " HTTP/1.1\r\nHost: x\r\n"
                                     + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n").read();
        }
    }

    /**
     * A refused publish with a small body keeps its connection: the answer says nothing of closing, and the next
     * request on the same socket is read from where the dropped body ended (a body left in the stream would be parsed
     * as the next request line and answered 400, or not at all).
     */
    @Test
    void aRefusedSmallBodyIsDroppedAndTheConnectionKept() {
        exhaustGlobalBucket();
        try (RawHttp http = RawHttp.connect(gateway.gateway().publicPort(), Duration.ofSeconds(5))) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Response refused = http.send(signedPost("/apps/1001/events", VALID, "")).read();
                assertEquals(429, refused.status(), "request " + i + ": " + refused);
                assertNotEquals("close", refused.header("Connection"), "request " + i + " kept alive: " + refused);
                assertEquals("1", refused.header("Retry-After"));
            }
            // the bucket refills one token a second: the same socket then gets its publish through
            Await.until("a token again", Duration.ofSeconds(5),
                        () -> gateway.gateway().admission().globalTokens() >= 1);
            assertEquals(200, http.send(signedPost("/apps/1001/events", VALID, "")).read().status());
        }
    }

    /**
     * Bodies it will not read (declared larger than it drops, chunked, or sent only after {@code 100 Continue}):
     * the answer says the connection closes. Headers only, as such a client may well send them.
     */
    @Test
    void aRefusedBodyThatIsNotDroppedIsAnsweredWithConnectionClose() {
        exhaustGlobalBucket();
        for (String framing : List.of("Content-Length: " + (16 * 1024 + 1) + "\r\n",
                                      "Content-Length: 100\r\nExpect: 100-continue\r\n",
                                      "Transfer-Encoding: chunked\r\n")) {
            try (RawHttp http = RawHttp.connect(gateway.gateway().publicPort(), Duration.ofSeconds(5))) {
                RawHttp.Response refused = http.send(signedHead("/apps/1001/events", new byte[0], framing)).read();
                assertEquals(429, refused.status(), framing + refused);
                assertEquals("close", refused.header("Connection"), framing + refused);
                // The close itself is Helidon's: 4.5 keeps the socket while a declared or chunked body is pending
                // after "Connection: close" (helidon-io/helidon#12324); the idle timeout reaps it.
            }
        }
    }

    /** A signed publish of {@code body} with its Content-Length, and {@code extraHeaders} (each ending in CRLF). */
    private static String signedPost(String path, String body, String extraHeaders) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return signedHead(path, bytes, "Content-Length: " + bytes.length + "\r\n" + extraHeaders) + body;
    }

    /** The head of a POST signed for {@code signedBody}, with {@code framing} headers (each ending in CRLF). */
    private static String signedHead(String path, byte[] signedBody, String framing) {
        String query = PusherSignature.signedQuery(GatewayHarness.APP_KEY, GatewayHarness.APP_SECRET, "POST", path,
                                                   signedBody, System.currentTimeMillis() / 1000);
        return "POST " + path + "?" + query + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + framing + "\r\n";
    }

    @Test
    void theAdminSocketIsNeverSubjectToAdmission() {
        exhaustGlobalBucket();
        for (int i = 0; i < 5; i++) {
            for (String path : List.of("/observe/health/live", "/observe/health/ready", "/observe/health/started",
                                       "/observe/metrics")) {
                HttpResponse<String> r = gateway.admin(path);
                assertEquals(200, r.statusCode(), () -> path + " on the admin port: " + r.body());
            }
        }
        // and the admin socket does not serve the publish API at all
        HttpRequest publishOnAdmin = HttpRequest.newBuilder(URI.create(gateway.adminUri() + "/apps/1001/events"))
                .POST(HttpRequest.BodyPublishers.ofString(VALID)).build();
        assertEquals(404, gateway.send(publishOnAdmin).statusCode());
    }

    @Test
    void whileWarmingEvenABadRequestGets503() {
        // a broker address nobody listens on: the pod stays STARTING (the gate says warming) for as long as we like
        int nobody = FreePorts.next();
        try (GatewayHarness warming = GatewayHarness.startNotReady(Map.of(
                "spillway.broker", "redis",
                "spillway.redis.address", "redis://127.0.0.1:" + nobody), Map.of())) {
            assertEquals(200, warming.admin("/observe/health/live").statusCode());
            assertEquals(503, warming.admin("/observe/health/ready").statusCode());
            for (Supplier<HttpRequest> request : badRequests(warming)) {
                assertRetryableError(warming.send(request.get()), 503, "Warming up");
            }
            assertRetryableError(warming.publish("events", VALID), 503, "Warming up");
            RawHttp.Response unread = headersOnly(warming, "/apps/1001/events");
            assertEquals(503, unread.status(), "refused before the (never sent) body: " + unread);
        }
    }

    /** Publishes until the bucket of one token answers 429. */
    private void exhaustGlobalBucket() {
        for (int i = 0; i < 20; i++) {
            if (gateway.publish("events", VALID).statusCode() == 429) {
                return;
            }
        }
        throw new AssertionError("a global rate of 1/s never answered 429");
    }
}
