package io.spillway.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** A throwaway redis-server on a loopback port, no persistence; can be killed with SIGKILL and restarted. */
final class RedisServer {
    private final Children children;
    private final int port;
    private final Path log;
    private Process process;

    RedisServer(Children children, int port, Path log) {
        this.children = children;
        this.port = port;
        this.log = log;
    }

    int port() {
        return port;
    }

    String address() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts it and waits until it answers PING; returns when it does. */
    void start() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                                               "--save", "", "--appendonly", "no", "--protected-mode", "no")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        process = children.track(pb.start());
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!ping()) {
            if (!process.isAlive() || System.nanoTime() > until) {
                throw new IOException("redis-server on port " + port + " did not come up; see " + log);
            }
            Thread.sleep(5);
        }
    }

    /** SIGKILL, like a crashed node. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    long pid() {
        return process.pid();
    }

    boolean ping() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(500);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[7];
            int n = in.readNBytes(buf, 0, 7);
            return n == 7 && new String(buf, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }
}
