package io.spillway;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SPEC: a port that cannot be bound, an unreadable config file or an invalid value ends the process with one line. */
class StartupFailureTest {
    @TempDir
    Path dir;

    @Test
    void takenPortExitsNonZeroNamingThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Result r = run(Map.of("SERVER_PORT", Integer.toString(taken.getLocalPort()), "SERVER_HOST", "127.0.0.1"));
            assertNotEquals(0, r.exit());
            assertTrue(r.lastLine().contains("cannot listen on public port " + taken.getLocalPort()), r.stderr());
        }
    }

    @Test
    void unreadableConfigFileExitsNonZeroNamingTheFile() throws Exception {
        Result r = run(Map.of("SPILLWAY_CONFIG", dir.resolve("missing.yaml").toString()));
        assertNotEquals(0, r.exit());
        assertTrue(r.lastLine().contains("missing.yaml"), r.stderr());
    }

    @Test
    void invalidValueExitsNonZeroNamingTheKey() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "spillway:\n  redis:\n    mode: triple\n");
        Result r = run(Map.of("SPILLWAY_CONFIG", bad.toString()));
        assertNotEquals(0, r.exit());
        assertTrue(r.lastLine().startsWith("spillway: spillway.redis.mode"), r.stderr());
    }

    @Test
    void malformedYamlExitsNonZero() throws Exception {
        Path bad = dir.resolve("broken.yaml");
        Files.writeString(bad, "spillway:\n  broker: [unclosed\n");
        Result r = run(Map.of("SPILLWAY_CONFIG", bad.toString()));
        assertNotEquals(0, r.exit());
        assertTrue(r.lastLine().startsWith("spillway: "), r.stderr());
    }

    private record Result(int exit, String stderr) {
        String lastLine() {
            List<String> lines = stderr.lines().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "" : lines.getLast();
        }
    }

    private Result run(Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                               "-cp", System.getProperty("java.class.path"), Main.class.getName())
                .directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("SERVER_SOCKETS_0_PORT", "0");
        pb.environment().putAll(env);
        Process p = pb.start();
        String stderr;
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the gateway kept running although it should have refused to start");
        }
        stderr = new String(p.getErrorStream().readAllBytes());
        assertEquals(1, p.exitValue(), stderr);
        return new Result(p.exitValue(), stderr);
    }
}
