package io.spillway.testing.chaos;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import io.spillway.testing.GatewayHarness;

/**
 * Open-loop publish load: each publisher thread ticks at a fixed rate and sends every request on its own virtual
 * thread, so a slow or hung gateway does not lower the offered rate (as real SDK traffic would not wait either).
 * Every message carries unique data ({@code m-<seq>}) so acknowledgements can be matched to deliveries.
 */
public final class PublishLoad implements AutoCloseable {
    /** Most requests in flight; beyond that a tick is skipped and counted, never queued. */
    private static final int MAX_IN_FLIGHT = 2000;

    /**
     * One request: times are nanoseconds on {@link Timeline}'s clock; status 0 means no HTTP answer at all.
     */
    public record Attempt(long seq, String channel, String data, long startNanos, long endNanos, int status,
                          String error) {
        public boolean acked() {
            return status / 100 == 2;
        }
    }

    private final GatewayHarness gateway;
    private final List<String> channels;
    private final Queue<Attempt> attempts = new ConcurrentLinkedQueue<>();
    private final AtomicLong seq = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final List<Thread> publishers = new ArrayList<>();
    private volatile boolean running = true;

    private PublishLoad(GatewayHarness gateway, List<String> channels) {
        this.gateway = gateway;
        this.channels = List.copyOf(channels);
    }

    /** Starts {@code publishers} threads of {@code perSecond} requests each, round-robin over {@code channels}. */
    public static PublishLoad start(GatewayHarness gateway, List<String> channels, int publishers, int perSecond) {
        PublishLoad load = new PublishLoad(gateway, channels);
        long period = TimeUnit.SECONDS.toNanos(1) / perSecond;
        for (int i = 0; i < publishers; i++) {
            long offset = period * i / publishers; // spread the publishers' ticks over one period
            load.publishers.add(Thread.ofVirtual().name("publisher-" + i).start(() -> load.tick(period, offset)));
        }
        return load;
    }

    private void tick(long period, long offset) {
        long next = System.nanoTime() + offset;
        while (running) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
            next += period;
            if (!inFlight.tryAcquire()) {
                skipped.incrementAndGet();
                continue;
            }
            long n = seq.incrementAndGet();
            Thread.ofVirtual().start(() -> {
                try {
                    send(n);
                } finally {
                    inFlight.release();
                }
            });
        }
    }

    private void send(long n) {
        String channel = channels.get((int) (n % channels.size()));
        String data = "m-" + n;
        String body = "{\"name\":\"chaos\",\"channel\":\"" + channel + "\",\"data\":\"" + data + "\"}";
        long start = System.nanoTime();
        int status;
        String error = "";
        try {
            HttpResponse<String> response = gateway.send(
                    gateway.signedPost("/apps/" + GatewayHarness.APP_ID + "/events", body, GatewayHarness.APP_KEY,
                                       GatewayHarness.APP_SECRET).build());
            status = response.statusCode();
            if (status / 100 != 2) {
                error = response.body();
            }
        } catch (RuntimeException e) {
            status = 0;
            error = e.toString();
        }
        attempts.add(new Attempt(n, channel, data, start, System.nanoTime(), status, error));
    }

    /** Snapshot of finished requests. */
    public List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    public long acked() {
        return attempts.stream().filter(Attempt::acked).count();
    }

    /** How many finished requests match {@code filter}. */
    public long count(Predicate<Attempt> filter) {
        return attempts.stream().filter(filter).count();
    }

    /** Ticks skipped because {@link #MAX_IN_FLIGHT} requests were pending. */
    public long skipped() {
        return skipped.get();
    }

    /** Stops ticking and waits (bounded) for requests in flight to finish. */
    public void stop(Duration timeout) {
        running = false;
        publishers.forEach(Thread::interrupt);
        try {
            if (inFlight.tryAcquire(MAX_IN_FLIGHT, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                inFlight.release(MAX_IN_FLIGHT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(15));
    }
}
