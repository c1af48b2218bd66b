package io.spillway.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback TCP proxy that delays every reply from the upstream by a settable time, without limiting throughput
 * (pipelined replies are each delayed, not queued behind each other's delay): a server that is uniformly slow,
 * which SIGSTOP cycles cannot imitate.
 */
public final class LatencyProxy implements AutoCloseable {
    private record Chunk(long dueNanos, byte[] bytes) {
    }

    private final int upstreamPort;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile long delayNanos;
    private volatile boolean closed;

    private LatencyProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().name("latency-proxy-accept").start(this::accept);
    }

    /** Listens on a free loopback port and forwards to 127.0.0.1:{@code upstreamPort}. */
    public static LatencyProxy to(int upstreamPort) {
        try {
            return new LatencyProxy(upstreamPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Applies to replies that arrive from the upstream from now on. */
    public void delay(Duration delay) {
        this.delayNanos = delay.toNanos();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                Thread.ofVirtual().start(() -> copy(client, upstream));
                BlockingQueue<Chunk> replies = new LinkedBlockingQueue<>();
                Thread.ofVirtual().start(() -> receive(upstream, replies, client));
                Thread.ofVirtual().start(() -> deliver(replies, client, upstream));
            } catch (IOException e) {
                if (!closed) {
                    sleepQuietly();
                }
            }
        }
    }

    private static void copy(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // either side closed: the connection is over
        } finally {
            closeQuietly(from, to);
        }
    }

    private void receive(Socket upstream, BlockingQueue<Chunk> replies, Socket client) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = upstream.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                replies.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)));
            }
        } catch (IOException ignored) {
            // closed
        }
        replies.add(new Chunk(0, null)); // end of stream
    }

    private static void deliver(BlockingQueue<Chunk> replies, Socket client, Socket upstream) {
        try (OutputStream out = client.getOutputStream()) {
            while (true) {
                Chunk chunk = replies.take();
                if (chunk.bytes() == null) {
                    return;
                }
                long wait;
                while ((wait = chunk.dueNanos() - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                out.write(chunk.bytes());
                out.flush();
            }
        } catch (IOException | InterruptedException ignored) {
            // closed
        } finally {
            closeQuietly(client, upstream);
        }
    }

    private static void closeQuietly(Socket... sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    private static void sleepQuietly() {
        LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // best effort
        }
        sockets.forEach(LatencyProxy::closeQuietly);
    }
}
