package io.spillway.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CanonicalPathTest {
    @ParameterizedTest
    @ValueSource(strings = {"/", "/apps/1001/events", "/apps/1001/batch_events", "/apps/1001/channels/a.b/stream",
            "/apps/1001/channels/%23server-to-user-1/stream", "/apps/1001/channels/a%3Bb/stream", "/a/..b/.c"})
    void canonicalPathsPass(String path) {
        assertTrue(CanonicalPath.problem(path).isEmpty(), path);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|path must start with '/'",
            "apps/1001/events|path must start with '/'",
            "/apps/1001/events/|trailing '/'",
            "/apps//1001/events|empty segment",
            "/apps/1001/./events|'.' or '..' segment",
            "/apps/1001/events/..|'.' or '..' segment",
            "/apps/1001/events;x=1|matrix parameter",
            "/apps\\1001/events|backslash",
            "/apps/1001/%65vents|'%65' escapes 'e'",
            "/apps/1001%2fevents|'%2f' escapes '/'",
            "/apps/1001/%7E|'%7E' escapes '~'",
            "/apps/1001/events%|malformed '%' escape",
            "/apps/1001/events%4|malformed '%' escape",
            "/apps/1001/events%g1|malformed '%' escape"})
    void nonCanonicalPathsAreNamed(String path, String problem) {
        assertEquals(problem, CanonicalPath.problem(path).map(p -> p.startsWith(problem) ? problem : p).orElse("none"));
    }
}
