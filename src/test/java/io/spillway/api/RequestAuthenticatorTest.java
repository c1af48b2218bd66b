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
    @Test
    void acceptsTheSignatureInUpperCaseHex() {
        Map<String, String> q = specQuery();
        q.put("auth_signature", q.get("auth_signature").toUpperCase(java.util.Locale.ROOT));
        assertDoesNotThrow(() -> at(TS).verify(APP, "POST", "/apps/3/events", params(q), BODY));
    }

    @Test
    void hexComparesEitherCaseAndNothingElse() {
        byte[] bytes = {0x00, (byte) 0xab, 0x7f, (byte) 0xff};
        assertTrue(SignatureKeys.hexEquals(bytes, "00ab7fff"));
        assertTrue(SignatureKeys.hexEquals(bytes, "00AB7FFF"));
        for (String bad : List.of("00ab7ffe", "10ab7fff", "00ab7ff", "00ab7fff0", "00ab7ffg", "00ab7f-f", "")) {
            assertEquals(false, SignatureKeys.hexEquals(bytes, bad), bad);
        }
    }

    @Test
    void rejectsASignatureThatIsTooShortTooLongOrNotHex() {
        String good = specQuery().get("auth_signature");
        for (String bad : List.of(good.substring(0, 62), good + "00", good.substring(0, 63) + "g",
                                  good.substring(0, 62) + "-1")) {
            Map<String, String> q = specQuery();
            q.put("auth_signature", bad);
            ApiException e = assertThrows(ApiException.class,
                    () -> at(TS).verify(APP, "POST", "/apps/3/events", params(q), BODY), bad);
            assertEquals("invalid signature", e.getMessage());
        }
    }

    @Test
    void aNameRepeatedInAnotherCaseIsRefusedNotSignedOnce() {
        Map<String, String> q = specQuery();
        q.put("AUTH_VERSION", "1.0");
        ApiException e = assertThrows(ApiException.class,
                () -> at(TS).verify(APP, "POST", "/apps/3/events", params(q), BODY));
        assertTrue(e.getMessage().contains("exactly once"), e.getMessage());
    }

    /** The digests are reused between requests: a good check, a bad one and a good one again, in turn. */
    @Test
    void reusedDigestsStartEveryCheckAfresh() {
        RequestAuthenticator auth = at(TS);
        byte[] tampered = PusherSignatureTest.BODY.replace("project-3", "project-4").getBytes(StandardCharsets.UTF_8);
        Map<String, String> wrongSignature = specQuery();
        wrongSignature.put("auth_signature", "0".repeat(64));
        for (int i = 0; i < 3; i++) {
            assertDoesNotThrow(() -> auth.verify(APP, "POST", "/apps/3/events", params(specQuery()), BODY));
            assertEquals(401, status(auth, specQuery(), tampered));
            assertEquals(401, status(auth, wrongSignature, BODY));
        }
    }

    /** The bytes signed are those of {@link PusherSignature#stringToSign}, whatever the characters and order. */
    @Test
    void signsTheBytesOfTheStringToSign() {
        String[] keys = {"auth_key", "auth_timestamp", "b", "name"};
        String[] values = {"k", "1", "x=y&z", "caf\u00e9 \u2603"};
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = keys.length - 1; i >= 0; i--) {
            map.put(keys[i], values[i]);
        }
        for (String path : List.of("/apps/3/events", "/apps/3/\u00e9vents")) {
            assertEquals(PusherSignature.stringToSign("POST", path, map),
                         new String(PusherSignature.stringToSignBytes("POST", path, keys, values, keys.length),
                                    StandardCharsets.UTF_8));
            assertEquals(PusherSignature.stringToSign("POST", path, Map.of()),
                         new String(PusherSignature.stringToSignBytes("POST", path, keys, values, 0),
                                    StandardCharsets.UTF_8));
        }
    }
}
