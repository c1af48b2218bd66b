package io.spillway.api;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.helidon.common.parameters.Parameters;
import io.helidon.common.uri.UriQuery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any query string, path and body against the signature check: it passes only when the request carries the
 * signature that the secret gives, and otherwise refuses with a 401, never anything else. The canonical-path check
 * never throws on any path, and a path it accepts has none of the spellings it refuses.
 */
class SignatureFuzzTest {
    private static final long NOW = 1_700_000_000L;
    private static final App APP = new App("1001", "app-key", "app-secret");
    private final RequestAuthenticator auth = new RequestAuthenticator(
            Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC), Duration.ofSeconds(600));

    @FuzzTest(maxDuration = "60s")
    void onlyTheRightSignaturePasses(FuzzedDataProvider data) {
        String path = data.consumeString(100);
        String rawQuery = data.consumeString(300);
        byte[] body = data.consumeRemainingAsBytes();
        Parameters query;
        try {
            query = UriQuery.create(rawQuery);
        } catch (RuntimeException e) {
            return; // Helidon refuses this query before any handler sees it
        }
        boolean passed;
        try {
            auth.verify(APP, "POST", path, query, body);
            passed = true;
        } catch (ApiException e) {
            assertEquals(401, e.status(), e.getMessage());
            passed = false;
        }
        if (passed) {
            // then the query held exactly what a signer with the secret would have sent
            String expected = PusherSignature.signedParams(APP.key(), APP.secret(), "POST", path, body,
                                                           Long.parseLong(query.get("auth_timestamp")))
                    .get("auth_signature");
            assertEquals(expected, query.get("auth_signature"));
        }
    }

    /** A correctly signed request with one fuzzed byte flipped in path, body or secret never passes. */
    @FuzzTest(maxDuration = "60s")
    void aSignedRequestWithAnyChangeFails(FuzzedDataProvider data) {
        String path = "/apps/1001/" + data.consumeAsciiString(40);
        byte[] body = data.consumeBytes(200);
        int what = data.consumeInt(0, 2);
        String query = PusherSignature.signedQuery(APP.key(), APP.secret(), "POST", path, body, NOW);
        auth.verify(APP, "POST", path, UriQuery.create(query), body);
        String changedPath = what == 0 ? path + "x" : path;
        byte[] changedBody = body;
        if (what == 1) {
            changedBody = (new String(body, StandardCharsets.ISO_8859_1) + "x").getBytes(StandardCharsets.ISO_8859_1);
        }
        App changedApp = what == 2 ? new App("1001", "app-key", "app-secreT") : APP;
        try {
            auth.verify(changedApp, "POST", changedPath, UriQuery.create(query), changedBody);
            throw new AssertionError("a changed request passed: " + what);
        } catch (ApiException e) {
            assertEquals(401, e.status());
        }
    }

    @FuzzTest(maxDuration = "60s")
    void theCanonicalPathCheckAcceptsOnlyCanonicalPaths(FuzzedDataProvider data) {
        String path = data.consumeRemainingAsString();
        if (CanonicalPath.problem(path).isEmpty()) {
            assertTrue(path.startsWith("/"), path);
            assertTrue(path.equals("/") || !path.endsWith("/"), path);
            assertTrue(!path.contains("//") && !path.contains(";") && !path.contains("/./")
                               && !path.contains("/../") && !path.endsWith("/.") && !path.endsWith("/.."), path);
            assertTrue(!path.matches("(?s).*%(?i:[46][1-9a-f]|[57][0-9a]|3[0-9]|2[def]|5f|7e).*"), path);
        }
    }
}
