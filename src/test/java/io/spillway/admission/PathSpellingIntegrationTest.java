package io.spillway.admission;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import io.spillway.api.PusherSignature;
import io.spillway.testing.GatewayHarness;
import io.spillway.testing.RawHttp;
import io.spillway.testing.redis.Await;
import io.spillway.testing.redis.RedisExtension;
import io.spillway.testing.redis.RedisNode;
import io.spillway.testing.redis.RedisSubscriber;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every spelling of the publish path, each sent ten times, signed over the path as spelled (so a spelling that
 * reached the handler would pass the signature check), against {@code global-rate: 1, global-burst: 1}. The
 * canonical path gets the bucket's worth of 200s and 429s for the rest; every other spelling gets a JSON 400
 * (or 404), spends no token and publishes nothing (checked with a marker published after it).
 */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PathSpellingIntegrationTest {
    private static final int TRIES = 10;

    private final RedisNode redis;
    private GatewayHarness gateway;

    PathSpellingIntegrationTest(RedisNode redis) {
        this.redis = redis;
    }

    @BeforeAll
    void start() {
        gateway = GatewayHarness.start(Traffic.redisBrokerAtOnePerSecond(redis.uri()));
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    static Stream<Arguments> spellings() {
        return Stream.of(
                Arguments.of("/apps/1001/events", 200, ""),
                Arguments.of("/apps/1001/%65vents", 400, "'%65' escapes 'e'"),
                Arguments.of("/apps/1001/ev%65nts", 400, "'%65' escapes 'e'"),
                Arguments.of("/apps/%31001/events", 400, "'%31' escapes '1'"),
                Arguments.of("/%61pps/1001/events", 400, "'%61' escapes 'a'"),
                Arguments.of("/apps/1001%2Fevents", 400, "'%2F' escapes '/'"),
                Arguments.of("/apps/1001/%2e/events", 400, "'%2e' escapes '.'"),
                Arguments.of("/apps/1001/events%", 400, "Bad Request"), // Helidon refuses these itself
                Arguments.of("/apps/1001/events%zz", 400, "Bad Request"),
                Arguments.of("/apps//1001/events", 400, "empty segment"),
                Arguments.of("//apps/1001/events", 400, "empty segment"),
                Arguments.of("/apps/1001//events", 400, "empty segment"),
                Arguments.of("/apps/1001/./events", 400, "'.' or '..' segment"),
                Arguments.of("/./apps/1001/events", 400, "'.' or '..' segment"),
                Arguments.of("/apps/9/../1001/events", 400, "'.' or '..' segment"),
                Arguments.of("/apps/1001/events/.", 400, "'.' or '..' segment"),
                Arguments.of("/apps/1001/events;x=1", 400, "matrix parameter"),
                Arguments.of("/apps/1001;x=1/events", 400, "matrix parameter"),
                Arguments.of("/apps;x=1/1001/events", 400, "matrix parameter"),
                Arguments.of("/apps/1001/events/", 400, "trailing '/'"),
                Arguments.of("/apps/1001/events%3B", 404, "no such endpoint"),
                Arguments.of("/APPS/1001/events", 404, "no such endpoint"),
                Arguments.of("/apps/1001/Events", 404, "no such endpoint"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("spellings")
    void eachSpellingIsAdmittedOrRefusedLikeTheCanonicalPath(String path, int status, String message) {
        Await.until("global bucket full", Duration.ofSeconds(10),
                    () -> gateway.gateway().admission().globalTokens() == 1);
        String channel = "c" + Integer.toHexString(path.hashCode());
        try (RedisSubscriber sub = RedisSubscriber.psubscribe(List.of(redis), "spillway:1001:*")) {
            long start = System.nanoTime();
            List<RawHttp.Response> responses = new ArrayList<>();
            for (int i = 0; i < TRIES; i++) {
                responses.add(publish(path, Traffic.event("m" + i, channel)));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long ok = responses.stream().filter(r -> r.status() == 200).count();
            for (RawHttp.Response r : responses) {
                assertEquals("application/json", r.header("Content-Type"), r.toString());
                assertTrue(r.body().startsWith("{"), r.toString());
            }
            if (status == 200) {
                // the bucket's one token, plus what refilled while the ten requests ran (one per second)
                assertTrue(ok >= 1 && ok <= 1 + (long) seconds, ok + " admitted in " + seconds + " s");
                assertEquals(TRIES - ok, responses.stream().filter(r -> r.status() == 429).count(),
                             responses.toString());
            } else {
                for (RawHttp.Response r : responses) {
                    assertEquals(status, r.status(), r.toString());
                    assertTrue(r.body().contains(message), () -> "expected '" + message + "' in " + r.body());
                }
                assertEquals(1, gateway.gateway().admission().globalTokens(), "a refused spelling spent a token");
            }

            Await.until("global bucket full", Duration.ofSeconds(10),
                        () -> gateway.gateway().admission().globalTokens() == 1);
            assertEquals(200, gateway.publish("events", Traffic.event("marker", "marker")).statusCode());
            assertTrue(sub.awaitCount((int) ok + 1, Duration.ofSeconds(10)), "marker never arrived");
            List<String> expected = new ArrayList<>(Collections.nCopies((int) ok, "spillway:1001:" + channel));
            expected.add("spillway:1001:marker");
            assertEquals(expected, sub.messages().stream().map(RedisSubscriber.Message::channel).toList());
        }
    }

    /** A publish to {@code path} exactly as spelled, signed over that spelling. */
    private RawHttp.Response publish(String path, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String query = PusherSignature.signedQuery(GatewayHarness.APP_KEY, GatewayHarness.APP_SECRET, "POST", path,
                                                   bytes, System.currentTimeMillis() / 1000);
        try (RawHttp http = RawHttp.connect(gateway.gateway().publicPort(), Duration.ofSeconds(10))) {
            return http.send("POST " + path + "?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                     + "Content-Type: application/json\r\nContent-Length: " + bytes.length
                                     + "\r\nConnection: close\r\n\r\n" + body).read();
        }
    }
}
