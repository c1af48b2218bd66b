package io.spillway.testing.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One real {@code redis-server} (or sentinel) process on a free 127.0.0.1 port, without
 * persistence, in its own temp dir. Chaos operations ({@link #kill}, {@link #pause},
 * {@link #restart}) act on the real process.
 *
 * <p>The process dies on {@link #close()}, and also on JVM exit through a shutdown hook owned by
 * this instance, so a failing or aborted test leaves nothing behind (a SIGKILLed JVM is the one
 * case nothing can cover).
 */
public final class RedisNode implements AutoCloseable {

    /** What the process runs as. */
    public enum Kind { SERVER, SENTINEL }

    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final int START_ATTEMPTS = 5;
    private static final String LOG = "redis.log";
    private static final String CONF = "redis.conf";

    private final Builder spec;
    private final Path dir;
    private final Thread shutdownHook;
    private volatile int port;
    private volatile int clusterBusPort;
    private volatile Process process;
    private volatile boolean closed;
    private volatile boolean paused;

    private RedisNode(Builder spec) {
        this.spec = spec;
        try {
            this.dir = Files.createTempDirectory("spillway-" + spec.name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.shutdownHook = new Thread(this::destroy, "redis-node-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A standalone server with default settings. */
    public static RedisNode start() {
        return builder().start();
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** {@code 127.0.0.1:PORT}, the form redis-cli and sentinel replies use. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Cluster bus port, or 0 when not in cluster mode. */
    public int clusterBusPort() {
        return clusterBusPort;
    }

    public Kind kind() {
        return spec.kind;
    }

    public String name() {
        return spec.name;
    }

    public Path dir() {
        return dir;
    }

    /** The process's combined stdout/stderr (redis logs there), appended across restarts. */
    public Path logFile() {
        return dir.resolve(LOG);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** Whether {@link #pause()} stopped the process and it has not been resumed, killed or restarted since. */
    public boolean isPaused() {
        return paused && isAlive();
    }

    /** Alive and not paused: the node should answer commands. */
    public boolean isServing() {
        return isAlive() && !paused;
    }

    /** Sends one command on a fresh connection with the default timeout. */
    public Object command(String... args) {
        return command(RespClient.DEFAULT_TIMEOUT, args);
    }

    /** Sends one command on a fresh connection; the timeout bounds connect and reply. */
    public Object command(Duration timeout, String... args) {
        try (RespClient client = authenticated(RespClient.connect(port, timeout))) {
            return client.command(args);
        }
    }

    /** A new dedicated connection; the caller closes it. */
    public RespClient client() {
        return authenticated(RespClient.connect(port));
    }

    /** The password clients must AUTH with ({@code requirepass}), or {@code null}. */
    public String password() {
        return spec.password;
    }

    private RespClient authenticated(RespClient client) {
        if (spec.password != null) {
            try {
                client.command("AUTH", spec.password);
            } catch (RuntimeException e) {
                client.close();
                throw e;
            }
        }
        return client;
    }

    /** {@code INFO section} parsed into key → value. */
    public Map<String, String> info(String section) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : ((String) command("INFO", section)).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return fields;
    }

    /** Whether a PING is answered right now (short timeout; a paused node is not healthy). */
    public boolean answersPing() {
        try {
            return "PONG".equals(command(Duration.ofMillis(500), "PING"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** SIGKILL, then wait until the process is gone. Idempotent. */
    public synchronized void kill() {
        Process p = process;
        if (p != null && p.isAlive()) {
            Processes.killAndWait(p, KILL_TIMEOUT);
        }
        paused = false;
    }

    /** SIGTERM (graceful shutdown), then wait until the process is gone. */
    public synchronized void stop() {
        Process p = process;
        if (p != null && p.isAlive()) {
            if (paused) {
                resume(); // a stopped process cannot handle SIGTERM
            }
            p.destroy();
            Processes.awaitExit(p, KILL_TIMEOUT);
        }
    }

    /** SIGSTOP: the socket stays open and connects still succeed, but nothing is answered. */
    public synchronized void pause() {
        Processes.signal(requireAlive().toHandle(), "STOP");
        paused = true;
    }

    /** SIGCONT after {@link #pause()}. */
    public synchronized void resume() {
        Processes.signal(requireAlive().toHandle(), "CONT");
        paused = false;
    }

    /**
     * Kills the process if alive and starts it again on the same port with the same config (and, for
     * cluster nodes and sentinels, the state files they rewrote). Retries while the port is briefly
     * taken by someone else.
     */
    public synchronized void restart() {
        requireOpen();
        kill();
        launchUntilReady(false);
    }

    /** Kills the process and deletes its temp dir. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        destroy();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to; it does the same work
        }
    }

    /** True once our process answers; the pid check stops a parallel build's server on the same port from fooling us. */
    private boolean answersAsItself(Process p) {
        try {
            return String.valueOf(p.pid()).equals(info("server").get("process_id"));
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    /** Last lines of the log, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        Process p = process;
        return spec.name + "@" + address() + (p == null ? "" : " pid " + p.pid() + (p.isAlive() ? "" : " (dead)"));
    }

    private void destroy() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        deleteRecursively(dir);
    }

    /** First start: on a bind failure pick new ports, since nobody depends on them yet. */
    private void startFresh() {
        for (int attempt = 1; ; attempt++) {
            port = FreePorts.next();
            clusterBusPort = spec.cluster ? FreePorts.next() : 0;
            writeConfig();
            try {
                launchUntilReady(true);
                return;
            } catch (PortInUse e) {
                if (attempt >= START_ATTEMPTS) {
                    throw new IllegalStateException("could not bind a free port after " + attempt + " attempts", e);
                }
            }
        }
    }

    private void launchUntilReady(boolean failFastOnPortInUse) {
        long deadline = System.nanoTime() + spec.startTimeout.toNanos();
        while (true) {
            process = launch();
            try {
                awaitPing(deadline);
                return;
            } catch (PortInUse e) {
                if (failFastOnPortInUse || System.nanoTime() - deadline > 0) {
                    throw e;
                }
                Await.sleep(200); // someone holds our port for a moment (e.g. a test's own probe): try again
            }
        }
    }

    private Process launch() {
        List<String> command = new ArrayList<>(List.of("redis-server", dir.resolve(CONF).toString()));
        if (spec.kind == Kind.SENTINEL) {
            command.add("--sentinel");
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    private void awaitPing(long deadline) {
        Process p = process;
        while (true) {
            if (!p.isAlive()) {
                Processes.awaitExit(p, KILL_TIMEOUT);
                String log = logTail(20);
                if (log.contains("Address already in use")) {
                    throw new PortInUse(this + " could not bind:\n" + log);
                }
                throw new IllegalStateException(this + " exited with " + p.exitValue() + ":\n" + log);
            }
            if (answersAsItself(p)) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                Processes.killAndWait(p, KILL_TIMEOUT);
                throw new IllegalStateException(this + " did not answer PING within " + spec.startTimeout + ":\n" + logTail(20));
            }
            Await.sleep(20);
        }
    }

    private void writeConfig() {
        List<String> lines = new ArrayList<>(List.of(
                "port " + port,
                "bind 127.0.0.1",
                "protected-mode no",
                "daemonize no",
                "logfile \"\"",
                "dir \"" + dir + "\"",
                "save \"\"",
                "appendonly no"));
        if (spec.kind == Kind.SERVER) {
            // Diskless sync without the default 5 s batching delay keeps replica start-up fast.
            lines.addAll(List.of(
                    "repl-diskless-sync yes",
                    "repl-diskless-sync-delay 0",
                    "replica-announce-ip 127.0.0.1"));
        }
        if (spec.replicaOf > 0) {
            lines.add("replicaof 127.0.0.1 " + spec.replicaOf);
        }
        if (spec.cluster) {
            lines.addAll(List.of(
                    "cluster-enabled yes",
                    "cluster-config-file nodes.conf",
                    "cluster-port " + clusterBusPort,
                    "cluster-node-timeout " + spec.clusterNodeTimeout.toMillis()));
        }
        lines.addAll(spec.extraConfig);
        try {
            Files.write(dir.resolve(CONF), lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Process requireAlive() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            throw new IllegalStateException(this + " is not running");
        }
        return p;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // best effort: a leftover temp file must not fail the test that owned it
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // same: best effort
        }
    }

    private static final class PortInUse extends IllegalStateException {
        PortInUse(String message) {
            super(message);
        }
    }

    /** Options for one node; {@link #start()} launches it and returns once it answers PING. */
    public static final class Builder {
        private Kind kind = Kind.SERVER;
        private String name = "redis";
        private int replicaOf;
        private boolean cluster;
        private Duration clusterNodeTimeout = Duration.ofMillis(1000);
        private Duration startTimeout = Duration.ofSeconds(30);
        private final List<String> extraConfig = new ArrayList<>();
        private String password;

        private Builder() {
        }

        /** {@code requirepass}: clients (the fixture's own included) must AUTH with it. */
        public Builder password(String password) {
            this.password = password;
            return config("requirepass " + password);
        }

        /** Label used in the temp dir name and diagnostics. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Start as a replica of the server on 127.0.0.1:{@code masterPort}. */
        public Builder replicaOf(int masterPort) {
            this.replicaOf = masterPort;
            return this;
        }

        /** Cluster mode ({@code cluster-enabled yes}) with its own free bus port. */
        public Builder cluster() {
            this.cluster = true;
            return this;
        }

        public Builder clusterNodeTimeout(Duration timeout) {
            this.clusterNodeTimeout = timeout;
            return this;
        }

        /** Run as a sentinel ({@code redis-server conf --sentinel}); pass the {@code sentinel ...} directives via {@link #config}. */
        public Builder sentinel() {
            this.kind = Kind.SENTINEL;
            return this;
        }

        /** An extra raw config line, e.g. {@code "maxmemory 10mb"}; written after the defaults so it wins. */
        public Builder config(String directive) {
            this.extraConfig.add(directive);
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        public RedisNode start() {
            RedisNode node = new RedisNode(copy());
            try {
                node.startFresh();
                return node;
            } catch (RuntimeException e) {
                node.close();
                throw e;
            }
        }

        /** Nodes keep their own copy so reusing a builder cannot change a running node's restart config. */
        private Builder copy() {
            Builder copy = new Builder();
            copy.kind = kind;
            copy.name = name;
            copy.replicaOf = replicaOf;
            copy.cluster = cluster;
            copy.clusterNodeTimeout = clusterNodeTimeout;
            copy.startTimeout = startTimeout;
            copy.extraConfig.addAll(extraConfig);
            copy.password = password;
            return copy;
        }
    }
}
