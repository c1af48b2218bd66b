package io.spillway.bench.replay;

import io.spillway.bench.Children;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Map;

import io.spillway.testing.PrometheusText;

/**
 * One Spillway process of the fleet ("a pod"): its own generated YAML config, fixed public and admin ports (a
 * restarted pod comes back on the same ports, so HAProxy's server entry stays valid), its log appended across
 * restarts. Every exit is logged with whether the replay asked for it.
 */
final class FleetMember {
    /** What a probe of the admin port saw. {@code readyStatus} -1: no answer. */
    record Sample(boolean alive, int readyStatus, String state, double capacityFactor, double lifecycleState,
                  double circuitOpen, double warmupHotPathSeconds) {
        boolean ready() {
            return readyStatus == 200;
        }
    }

    private static final HttpClient ADMIN = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    private static final Pattern STATE = Pattern.compile("\"state\"\\s*:\\s*\"(\\w+)\"");

    private final String name;
    private final int port;
    private final int adminPort;
    private final Path config;
    private final Path log;
    private final List<String> launchCommand;
    private final ReplayClock clock;
    private final Children reaper;
    /** Pids the replay killed or stopped on purpose. */
    private final Set<Long> intended = ConcurrentHashMap.newKeySet();
    private volatile Process process;
    private volatile long startedNanos;

    FleetMember(String name, int port, int adminPort, Path dir, String yaml, List<String> launchCommand,
                ReplayClock clock, Children reaper) throws IOException {
        this.name = name;
        this.port = port;
        this.adminPort = adminPort;
        this.config = Files.writeString(dir.resolve(name + ".yaml"), yaml);
        this.log = dir.resolve(name + ".log");
        this.launchCommand = List.copyOf(launchCommand);
        this.clock = clock;
        this.reaper = reaper;
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    int adminPort() {
        return adminPort;
    }

    synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    boolean alive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    long startedNanos() {
        return startedNanos;
    }

    /** Starts the process (again) and returns at once. */
    synchronized void start() throws IOException {
        if (alive()) {
            throw new IllegalStateException(name + " is running");
        }
        ProcessBuilder pb = new ProcessBuilder(launchCommand)
                .directory(config.getParent().toFile()) // no config/application.yaml there: only our file applies
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("SPILLWAY_CONFIG", config.toAbsolutePath().toString());
        startedNanos = System.nanoTime();
        Process p = reaper.track(pb.start());
        process = p;
        clock.event("start", name, "pid " + p.pid());
        p.onExit().thenAccept(this::exited);
    }

    private void exited(Process p) {
        boolean asked = intended.contains(p.pid());
        clock.event(asked ? "exit" : "UNEXPECTED-EXIT", name, "pid " + p.pid() + " exit code " + p.exitValue()
                + (asked ? " (the replay stopped it)" : " (nobody asked it to)"));
    }

    /** {@code kill -9}: the pod dies without draining. */
    synchronized void kill() throws InterruptedException {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        intended.add(p.pid());
        clock.event("kill-9", name, "pid " + p.pid());
        p.destroyForcibly(); // SIGKILL on Linux
        p.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM at the end of the replay (the gateway drains and exits 0), SIGKILL after {@code grace}. */
    void stop(Duration grace) throws InterruptedException {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        intended.add(p.pid());
        p.destroy();
        if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Polls readiness every 20 ms until this start of the process is ready; returns the nanoTime it first
     * answered 200, or empty when the process died or {@code timeout} passed.
     */
    Optional<Long> awaitReady(Duration timeout) throws InterruptedException {
        Process p = process;
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until && p.isAlive()) {
            if (status("/observe/health/ready") == 200) {
                long at = System.nanoTime();
                clock.event("ready", name, String.format("%.0f ms after its start", (at - startedNanos) / 1e6));
                return Optional.of(at);
            }
            Thread.sleep(20);
        }
        return Optional.empty();
    }

    /** Readiness, lifecycle state and slow-start factor from the admin port. */
    Sample sample() {
        if (!alive()) {
            return new Sample(false, -1, "DEAD", Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        HttpResponse<String> ready = get("/observe/health/ready");
        HttpResponse<String> metrics = get("/observe/metrics");
        String state = "?";
        if (ready != null) {
            Matcher m = STATE.matcher(ready.body());
            state = m.find() ? m.group(1) : "?";
        }
        String text = metrics == null ? "" : metrics.body();
        return new Sample(true, ready == null ? -1 : ready.statusCode(), state,
                          metric(text, "spillway_capacity_factor"), metric(text, "spillway_lifecycle_state"),
                          metric(text, "spillway_broker_circuit_open"),
                          metric(text, "spillway_warmup_seconds", Map.of("phase", "hot_path")));
    }

    private static double metric(String text, String name) {
        return metric(text, name, Map.of());
    }

    private static double metric(String text, String name, Map<String, String> labels) {
        return PrometheusText.value(text, name, labels).orElse(Double.NaN);
    }

    private int status(String path) {
        HttpResponse<String> r = get(path);
        return r == null ? -1 : r.statusCode();
    }

    private HttpResponse<String> get(String path) {
        try {
            return ADMIN.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                                      .timeout(Duration.ofSeconds(1)).GET().build(),
                              HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
