package io.spillway.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.config.Config;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.http1.Http1Config;

/**
 * A deadline for a request's head on the public listener: from its request line to its last header. A connection
 * still sending headers after {@code timeout} gets a {@code 408} with {@code Connection: close} and is closed.
 *
 * <p>Why this hook: Helidon 4.5's {@code Http1Connection} has no such deadline. Its idle time is measured from the
 * last request line read, and the idle sweeper closes a connection with {@code close(false)}, which interrupts only a
 * connection waiting for a request line, so a client trickling header lines is never closed (each byte also restarts
 * the socket's read timeout). The one supported per-request hook is the HTTP/1 receive listener, called with the
 * connection once its request line and once its headers are read: here it costs two map look-ups and two volatile
 * writes per request, no allocation, while one platform thread sweeps every tracked connection each period.
 */
public final class HeadDeadline implements AutoCloseable {
    /** A connection between requests, or in one whose head is complete. */
    static final long NO_HEAD = Long.MIN_VALUE;
    /** The sweeper gave up on this head: it is being answered 408 and closed. */
    static final long EXPIRED = Long.MIN_VALUE + 1;
    private static final Logger LOG = Logger.getLogger(HeadDeadline.class.getName());

    private final Map<ConnectionContext, AtomicLong> heads = new ConcurrentHashMap<>();
    private final long timeoutNanos;
    private final byte[] answer;
    private final Thread sweeper;

    public HeadDeadline(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
        this.answer = answer(timeout);
        // a tenth of the deadline, so a head is closed within 1.1 x timeout (at most 1 s late)
        long period = Math.clamp(timeout.toMillis() / 10, 20, 1000);
        this.sweeper = Thread.ofPlatform().daemon().name("listener-head-deadline").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(period);
                } catch (InterruptedException e) {
                    return;
                }
                sweep(System.nanoTime());
            }
        });
    }

    /**
     * Gives {@code listener} its HTTP/1 protocol as configured in {@code http1} ({@code server.protocols.http_1_1})
     * plus this deadline's receive listener. Helidon adds the protocols of its config at build time, skipping any of
     * the same type and name given before: so this one replaces the configured one rather than adding a second HTTP/1
     * selector (with two, a connection joins the idle sweep only after its first byte).
     */
    public void install(ListenerConfig.BuilderBase<?, ?> listener, Config http1) {
        Http1Config configured = Http1Config.builder().config(http1).name(http1.name()).build();
        // exactly one receive listener, forwarding to Helidon's own: its composite of several forwards nothing (4.5)
        listener.addProtocol(Http1Config.builder().from(configured)
                                     .receiveListeners(List.of(new HeadListener(this,
                                                                                configured.compositeReceiveListener())))
                                     .build());
    }

    /** The request line of a new head arrived on {@code ctx}. */
    void started(ConnectionContext ctx) {
        AtomicLong head = heads.get(ctx);
        if (head == null) {
            head = heads.computeIfAbsent(ctx, c -> new AtomicLong(NO_HEAD)); // once per connection
        }
        head.set(System.nanoTime());
    }

    /** The head on {@code ctx} is complete; false if the sweeper already expired it (do not serve it). */
    boolean completed(ConnectionContext ctx) {
        AtomicLong head = heads.get(ctx);
        return head == null || head.getAndSet(NO_HEAD) != EXPIRED;
    }

    /** Forgets closed connections; answers and closes those whose head started more than the timeout before. */
    void sweep(long now) {
        for (var entry : heads.entrySet()) {
            ConnectionContext ctx = entry.getKey();
            AtomicLong head = entry.getValue();
            long started = head.get();
            if (!ctx.serverSocket().isConnected()) {
                heads.remove(ctx, head);
            } else if (started == EXPIRED) {
                close(ctx); // its 408 is still being written a period later (a peer that does not read)
            } else if (started != NO_HEAD && now - started > timeoutNanos && head.compareAndSet(started, EXPIRED)) {
                // the 408 on its own virtual thread: a peer that does not read must not block the sweep
                Thread.ofVirtual().name("listener-head-expired").start(() -> answerAndClose(ctx));
            }
        }
    }

    private void answerAndClose(ConnectionContext ctx) {
        try {
            ctx.dataWriter().writeNow(BufferData.create(answer));
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "408 to a connection past its head deadline", e);
        }
        close(ctx);
    }

    private static void close(ConnectionContext ctx) {
        try {
            // the connection's thread, blocked reading the head, fails and ends the connection
            ctx.serverSocket().close();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "closing a connection past its head deadline", e);
        }
    }

    private static byte[] answer(Duration timeout) {
        String body = JsonErrors.body("request head not complete within " + timeout.toMillis() + " ms");
        return ("HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length() + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        sweeper.interrupt();
    }
}
