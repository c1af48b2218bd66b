package io.spillway.bench.replay;

import io.spillway.bench.Children;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One HAProxy in front of the fleet, standing in for a Kubernetes Service plus readiness: round robin over the public
 * ports, an HTTP check of each admin port's {@code /observe/health/ready}, {@code slowstart} for servers that come
 * (back) up, and no retries or redispatch by the balancer (clients retry). Every response a gateway produced gets an
 * {@code X-Spillway-Server} header naming it; errors HAProxy makes itself (no server, connection refused) do not.
 */
final class Haproxy implements AutoCloseable {
    static final String BACKEND = "spillway";
    static final String SERVER_HEADER = "X-Spillway-Server";

    /** Health-check and ramp settings; {@code passiveMarkDown} also marks a server down on a refused connection. */
    record Settings(Duration inter, int rise, int fall, Duration slowStart, boolean passiveMarkDown) {
    }

    /** One backend server slot; a slot that is not {@code enabled} stays in maintenance until {@link #enable}. */
    record Server(String name, int port, int adminPort, boolean enabled) {
    }

    /** HAProxy's view of one server: {@code status} as in its stats (UP, DOWN, MAINT, "UP 1/2", ...). */
    record ServerView(String name, String status, int weight, String check) {
        boolean up() {
            return status.startsWith("UP");
        }
    }

    private final Process process;
    private final Path socket;
    private final Path socketDir;
    private final int port;

    private Haproxy(Process process, Path socket, Path socketDir, int port) {
        this.process = process;
        this.socket = socket;
        this.socketDir = socketDir;
        this.port = port;
    }

    /** The haproxy binary on PATH or in the usual sbin directories. */
    static Optional<Path> locate() {
        List<String> dirs = new ArrayList<>(Arrays.asList(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin"));
        return dirs.stream().filter(d -> !d.isBlank()).map(d -> Path.of(d, "haproxy"))
                .filter(Files::isExecutable).findFirst();
    }

    /** Writes {@code haproxy.cfg} into {@code dir}, starts HAProxy in the foreground and waits for its stats socket. */
    static Haproxy start(Path binary, Path dir, int port, List<Server> servers, Settings settings, Children reaper)
            throws IOException, InterruptedException {
        // A unix socket path must be short (108 bytes): keep it out of the results directory.
        Path socketDir = Files.createTempDirectory("spillway-haproxy");
        Path socket = socketDir.resolve("admin.sock");
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, config(socket, port, servers, settings));
        Process process = reaper.track(new ProcessBuilder(binary.toString(), "-f", cfg.toString(), "-db")
                                               .redirectErrorStream(true)
                                               .redirectOutput(dir.resolve("haproxy.log").toFile())
                                               .start());
        Haproxy haproxy = new Haproxy(process, socket, socketDir, port);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("haproxy exited with " + process.exitValue() + ": see "
                                      + dir.resolve("haproxy.log"));
            }
            try {
                if (haproxy.command("show info").contains("Name:")) {
                    return haproxy;
                }
            } catch (UncheckedIOException notYet) {
                // socket not there yet
            }
            if (System.nanoTime() > until) {
                process.destroyForcibly();
                throw new IOException("haproxy's stats socket did not answer within 20 s");
            }
            Thread.sleep(20);
        }
    }

    static String config(Path socket, int port, List<Server> servers, Settings s) {
        StringBuilder c = new StringBuilder();
        c.append("global\n")
                .append("    maxconn 4096\n")
                .append("    stats socket ").append(socket).append(" mode 600 level admin\n")
                .append("defaults\n")
                .append("    mode http\n")
                .append("    timeout connect 1s\n")
                .append("    timeout client 30s\n")
                .append("    timeout server 10s\n")
                .append("    timeout http-keep-alive 10s\n")
                .append("    timeout check 1s\n")
                .append("frontend public\n")
                .append("    bind 127.0.0.1:").append(port).append('\n')
                .append("    default_backend ").append(BACKEND).append('\n')
                .append("backend ").append(BACKEND).append('\n')
                .append("    balance roundrobin\n")
                // the balancer never retries or moves a request: the clients do, as they would behind a k8s Service
                .append("    retry-on none\n")
                .append("    no option redispatch\n")
                .append("    option httpchk\n")
                // HTTP/1.1 with a Host header: Helidon answers HAProxy's default HTTP/1.0 check with 505
                .append("    http-check send meth GET uri /observe/health/ready ver HTTP/1.1 hdr Host 127.0.0.1\n")
                .append("    http-check expect status 200\n")
                .append("    http-response set-header ").append(SERVER_HEADER).append(" %[srv_name]\n")
                .append("    default-server weight 100 inter ").append(s.inter().toMillis())
                .append("ms fastinter ").append(s.inter().toMillis()).append("ms downinter ")
                .append(s.inter().toMillis()).append("ms rise ").append(s.rise()).append(" fall ").append(s.fall())
                .append(" slowstart ").append(s.slowStart().toMillis()).append("ms");
        if (s.passiveMarkDown()) {
            c.append(" observe layer4 error-limit 1 on-error mark-down");
        }
        c.append('\n');
        for (Server server : servers) {
            c.append("    server ").append(server.name()).append(" 127.0.0.1:").append(server.port())
                    .append(" check port ").append(server.adminPort()).append(server.enabled() ? "" : " disabled")
                    .append('\n');
        }
        return c.toString();
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /**
     * Takes a server out of maintenance so that it gets traffic only once its health check passes {@code rise}
     * times (a server leaving maintenance directly would count as UP until its first check fails): drain first,
     * force its health down, then ready. Slow start applies when the check brings it up.
     */
    void enable(String server) {
        String name = BACKEND + "/" + server;
        for (String line : List.of("set server " + name + " state drain", "set server " + name + " health down",
                                   "set server " + name + " state ready")) {
            String answer = command(line).trim();
            if (!answer.isEmpty()) {
                throw new IllegalStateException("haproxy refused '" + line + "': " + answer);
            }
        }
    }

    /** HAProxy's view of every server of the backend, from {@code show stat}. */
    List<ServerView> servers() {
        List<String> lines = command("show stat").lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty() || !lines.getFirst().startsWith("# ")) {
            return List.of();
        }
        List<String> header = Arrays.asList(lines.getFirst().substring(2).split(","));
        int px = header.indexOf("pxname");
        int sv = header.indexOf("svname");
        int status = header.indexOf("status");
        int weight = header.indexOf("weight");
        int check = header.indexOf("check_status");
        List<ServerView> views = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length <= check || !f[px].equals(BACKEND) || f[sv].equals("BACKEND") || f[sv].equals("FRONTEND")) {
                continue;
            }
            views.add(new ServerView(f[sv], f[status], f[weight].isEmpty() ? 0 : Integer.parseInt(f[weight]),
                                     f[check]));
        }
        return views;
    }

    /** One runtime API command over the stats socket; returns the whole answer. */
    String command(String line) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            StringBuilder out = new StringBuilder();
            while (ch.read(buf) >= 0) {
                buf.flip();
                out.append(StandardCharsets.UTF_8.decode(buf));
                buf.clear();
            }
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("haproxy stats socket " + socket, e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(socket);
            Files.deleteIfExists(socketDir);
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
