package io.spillway.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One gateway process (the built jar) started with a generated YAML config in its own working directory. */
final class Gateway {
    /**
     * What a gateway is started with. {@code admission} null leaves the admission keys at their defaults;
     * {@code warmupRequests} below 0 leaves the warm-up at its default; {@code server} adds keys under
     * {@code server} (the public listener), e.g. {@code max-tcp-connections}.
     */
    record Options(String broker, String redisAddress, Map<String, Object> admission, String slowStart,
                   List<String> jvmFlags, int warmupRequests, Map<String, Object> server) {
        Options(String broker, String redisAddress, Map<String, Object> admission, String slowStart,
                List<String> jvmFlags, int warmupRequests) {
            this(broker, redisAddress, admission, slowStart, jvmFlags, warmupRequests, Map.of());
        }

        Options(String broker, String redisAddress, Map<String, Object> admission, String slowStart,
                List<String> jvmFlags) {
            this(broker, redisAddress, admission, slowStart, jvmFlags, -1);
        }

        /** The {@code spillway.redis} keys: single mode at {@code redisAddress}, or sentinel mode (see below). */
        String redisYaml() {
            if (redisAddress == null) {
                return "";
            }
            if (redisAddress.startsWith(SENTINEL)) {
                String[] parts = redisAddress.substring(SENTINEL.length()).split(" ", 2);
                return "  redis:\n    mode: sentinel\n    master-name: " + parts[0] + "\n    nodes: ["
                        + parts[1] + "]\n";
            }
            return "  redis:\n    mode: single\n    address: " + redisAddress + "\n";
        }

        /** A {@code redisAddress} for sentinel mode: {@code sentinel:MASTER uri1,uri2,...}. */
        static String sentinel(String masterName, List<String> sentinelUris) {
            return SENTINEL + masterName + " " + String.join(", ", sentinelUris);
        }

        private static final String SENTINEL = "sentinel:";
    }

    private static final HttpClient PROBE = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    private final Process process;
    private final int port;
    private final int adminPort;
    private final long startedNanos;

    private Gateway(Process process, int port, int adminPort, long startedNanos) {
        this.process = process;
        this.port = port;
        this.adminPort = adminPort;
        this.startedNanos = startedNanos;
    }

    /** Starts the process and returns at once; see {@link #awaitReady}. */
    static Gateway launch(Children children, Path jar, Path dir, String name, Options options, int port, int adminPort,
                          List<PublishRequests.BenchApp> apps) throws IOException {
        Files.createDirectories(dir);
        Path yaml = dir.resolve(name + ".yaml");
        Files.writeString(yaml, yaml(options, port, adminPort, apps));
        List<String> command = new ArrayList<>();
        // BENCH_GATEWAY_CPUS=1 (with the harness itself under `taskset -c 0`): the gateway gets a core of its own
        String cpus = System.getenv("BENCH_GATEWAY_CPUS");
        if (cpus != null && !cpus.isBlank()) {
            command.addAll(List.of("taskset", "-c", cpus.trim()));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options.jvmFlags());
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.toFile()) // no config/application.yaml there: only the generated file applies
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPILLWAY_CONFIG", yaml.toAbsolutePath().toString());
        long started = System.nanoTime();
        return new Gateway(children.track(pb.start()), port, adminPort, started);
    }

    static String yaml(Options o, int port, int adminPort, List<PublishRequests.BenchApp> apps) {
        StringBuilder y = new StringBuilder();
        y.append("server:\n  port: ").append(port).append("\n  host: 127.0.0.1\n");
        o.server().forEach((k, v) -> y.append("  ").append(k).append(": ").append(v).append('\n'));
        y.append("  sockets:\n    - name: admin\n      port: ").append(adminPort).append("\n      host: 127.0.0.1\n");
        y.append("spillway:\n  broker: ").append(o.broker()).append('\n');
        y.append("  apps:\n");
        for (PublishRequests.BenchApp a : apps) {
            // per-app limits far above anything the bench offers: the pod's limits are what is measured
            y.append("    - {id: \"").append(a.id()).append("\", key: \"").append(a.key()).append("\", secret: \"")
                    .append(a.secret()).append("\", rate: 10000000, burst: 10000000}\n");
        }
        y.append(o.redisYaml());
        if (o.admission() != null) {
            y.append("  admission:\n");
            o.admission().forEach((k, v) -> y.append("    ").append(k).append(": ").append(v).append('\n'));
        }
        y.append("  warmup:\n    slow-start: ").append(o.slowStart()).append('\n');
        if (o.warmupRequests() >= 0) {
            y.append("    requests: ").append(o.warmupRequests()).append('\n');
        }
        // stopping between steps should not wait out the production drain delay
        y.append("  lifecycle:\n    drain-delay: 0s\n    grace-period: 5s\n");
        return y.toString();
    }

    int port() {
        return port;
    }

    int adminPort() {
        return adminPort;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    String baseUri() {
        return "http://127.0.0.1:" + port;
    }

    /** Milliseconds from process start until {@code /observe/health/ready} answered 200. */
    double awaitReady(Duration timeout) throws IOException, InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until) {
            if (!process.isAlive()) {
                throw new IOException("gateway exited with " + process.exitValue() + " before ready");
            }
            if (probe("/observe/health/ready") == 200) {
                return (System.nanoTime() - startedNanos) / 1e6;
            }
            Thread.sleep(5);
        }
        throw new IOException("gateway not ready within " + timeout);
    }

    long startedNanos() {
        return startedNanos;
    }

    int probe(String adminPath) {
        try {
            return PROBE.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + adminPath))
                                      .timeout(Duration.ofSeconds(2)).GET().build(),
                              HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** SIGTERM, then SIGKILL if it has not exited within the grace time. */
    void stop(Duration grace) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
