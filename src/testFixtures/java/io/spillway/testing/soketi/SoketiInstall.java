package io.spillway.testing.soketi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

/**
 * Where src/test/node/install.sh put Node 18, soketi 1.6.1, pusher-js and pusher (.ci/run runs it). Outside CI a
 * missing install skips the test with the command to run; in CI ({@code CI=true}) it fails.
 */
public record SoketiInstall(Path dir) {
    /** The test scripts, run from the source tree. */
    static final Path SCRIPTS = Path.of("src/test/node").toAbsolutePath();

    public static SoketiInstall require() {
        Path dir = location();
        boolean complete = Files.isRegularFile(dir.resolve(".complete"));
        if (!complete && !"true".equals(System.getenv("CI"))) {
            Assumptions.abort("soketi is not installed in " + dir + ": run src/test/node/install.sh");
        }
        if (!complete) {
            throw new AssertionError("CI=true but soketi is not installed in " + dir
                                             + " (.ci/run runs src/test/node/install.sh)");
        }
        return new SoketiInstall(dir);
    }

    /** Same rule as src/test/node/soketi-dir.sh. */
    private static Path location() {
        String explicit = System.getenv("SPILLWAY_SOKETI_DIR");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String tools = System.getenv("SPILLWAY_TOOLS_CACHE");
        if (tools == null || tools.isBlank()) {
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path cache = xdg == null || xdg.isBlank() ? Path.of(System.getProperty("user.home"), ".cache")
                                                      : Path.of(xdg);
            tools = cache.resolve("spillway-tools").toString();
        }
        return Path.of(tools, "soketi-1.6.1");
    }

    Path node() {
        return dir.resolve("node/bin/node");
    }

    Path app() {
        return dir.resolve("app");
    }

    /** A Node process running {@code script} from src/test/node with the installed packages on its path. */
    ProcessBuilder nodeScript(String script, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(node().toString(), SCRIPTS.resolve(script).toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(app().toFile());
        pb.environment().put("NODE_PATH", app().resolve("node_modules").toString());
        return pb;
    }
}
