package io.spillway.api;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.helidon.common.parameters.Parameters;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestAuthenticatorTest {
    private static final App APP = new App("3", "278d425bdf160c739803", "7ad3773142a6692b25b8");
    private static final byte[] BODY = PusherSignatureTest.BODY.getBytes(StandardCharsets.UTF_8);
    private static final long TS = 1353088179;

    private static RequestAuthenticator at(long epochSeconds) {
        return new RequestAuthenticator(Clock.fixed(Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC),
                                        Duration.ofSeconds(600));
    }

    private static Map<String, String> specQuery() {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("auth_key", "278d425bdf160c739803");
        q.put("auth_timestamp", Long.toString(TS));
        q.put("auth_version", "1.0");
        q.put("body_md5", "ec365a775a4cd0599faeb73354201b6f");
        q.put("auth_signature", "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c");
        return q;
    }

    private static Parameters params(Map<String, String> q) {
        return Parameters.createSingleValueMap("query", q);
    }

    private static int status(RequestAuthenticator auth, Map<String, String> q, byte[] body) {
        return assertThrows(ApiException.class,
                            () -> auth.verify(APP, "POST", "/apps/3/events", params(q), body)).status();
    }

    @Test
    void acceptsSpecTestVector() {
        assertDoesNotThrow(() -> at(TS).verify(APP, "POST", "/apps/3/events", params(specQuery()), BODY));
    }

    @Test
    void acceptsTimestampsAtTheEdgeOfTheWindow() {
        assertDoesNotThrow(() -> at(TS + 600).verify(APP, "POST", "/apps/3/events", params(specQuery()), BODY));
        assertDoesNotThrow(() -> at(TS - 600).verify(APP, "POST", "/apps/3/events", params(specQuery()), BODY));
    }

    @Test
    void rejectsStaleAndFutureTimestamps() {
        assertEquals(401, status(at(TS + 601), specQuery(), BODY));
        assertEquals(401, status(at(TS - 601), specQuery(), BODY));
    }

    @Test
    void rejectsWrongSecret() {
        App other = new App("3", APP.key(), "not-the-secret");
        ApiException e = assertThrows(ApiException.class,
                () -> at(TS).verify(other, "POST", "/apps/3/events", params(specQuery()), BODY));
        assertEquals(401, e.status());
        assertEquals("invalid signature", e.getMessage());
    }

    @Test
    void rejectsTamperedBody() {
        byte[] tampered = PusherSignatureTest.BODY.replace("project-3", "project-4").getBytes(StandardCharsets.UTF_8);
        ApiException e = assertThrows(ApiException.class,
                () -> at(TS).verify(APP, "POST", "/apps/3/events", params(specQuery()), tampered));
        assertTrue(e.getMessage().contains("body_md5"), e.getMessage());
    }

    @Test
    void rejectsTamperedPathOrMethod() {
        assertThrows(ApiException.class,
                     () -> at(TS).verify(APP, "POST", "/apps/3/batch_events", params(specQuery()), BODY));
        assertThrows(ApiException.class, () -> at(TS).verify(APP, "PUT", "/apps/3/events", params(specQuery()), BODY));
    }

    @Test
    void rejectsEachMissingParameter() {
        for (String name : List.of("auth_key", "auth_timestamp", "auth_version", "body_md5", "auth_signature")) {
            Map<String, String> q = specQuery();
            q.remove(name);
            ApiException e = assertThrows(ApiException.class,
                    () -> at(TS).verify(APP, "POST", "/apps/3/events", params(q), BODY), name);
            assertEquals(401, e.status());
            assertTrue(e.getMessage().contains(name) || e.getMessage().contains("signature"), e.getMessage());
        }
    }

    @Test
    void rejectsUnknownKeyAndNonNumericTimestamp() {
        Map<String, String> q = specQuery();
        q.put("auth_key", "someone-else");
        assertEquals(401, status(at(TS), q, BODY));
        Map<String, String> t = specQuery();
        t.put("auth_timestamp", "yesterday");
        assertEquals(401, status(at(TS), t, BODY));
    }

    @Test
    void anExtraParameterMustBeSigned() {
        Map<String, String> q = specQuery();
        q.put("extra", "1");
        assertEquals(401, status(at(TS), q, BODY));
    }
}
