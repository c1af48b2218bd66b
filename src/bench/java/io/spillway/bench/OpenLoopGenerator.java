package io.spillway.bench;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntToDoubleFunction;

/**
 * Open-loop load: request {@code k} of second {@code s} is due at {@code s + k/rate(s)} whatever the server
 * does, and its latency runs from that due time (no coordinated omission). Each request gets a virtual
 * thread. At most {@code maxInFlight} requests are outstanding: a due request beyond that is counted as
 * DROPPED (never sent); one sent more than {@code lateMillis} after its due time is counted as LATE (the
 * generator could not keep up), its latency still measured from the due time.
 *
 * <p>Two client models: a flood that takes every answer as final ({@link ClientModel#FLOOD}), or clients that
 * honour {@code Retry-After} ({@link ClientModel#retryAfter}): a 429 or 503 is sent again after its
 * {@code Retry-After} (1 s when it carries none) times a random factor in {@code [1 - jitter, 1 + jitter]}, up to
 * {@code maxAttempts} sends in all, as an SDK user with a retry wrapper does. A publish waiting for its retry keeps
 * its in-flight slot, every answer is counted in the second it came, and the latency of the final answer runs
 * from the publish's first due time.
 */
final class OpenLoopGenerator {
    /** How clients treat a refusal; {@code maxAttempts} 1 = never again. */
    record ClientModel(String name, int maxAttempts, double jitter) {
        static final ClientModel FLOOD = new ClientModel("flood", 1, 0);

        static ClientModel retryAfter(int maxAttempts, double jitter) {
            return new ClientModel("retry-after", maxAttempts, jitter);
        }

        boolean retries() {
            return maxAttempts > 1;
        }
    }

    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final RequestSender sender;
    private final PublishRequests requests;
    private final int maxInFlight;
    private final long lateNanos;
    private final AnswerListener listener;
    private final ClientModel clients;

    /** Told of every answer, e.g. to find the first 2xx after Redis came back. */
    @FunctionalInterface
    interface AnswerListener {
        void answered(PerSecondRecord.Kind kind, long nanoTime);
    }

    OpenLoopGenerator(RequestSender sender, PublishRequests requests, int maxInFlight, long lateMillis,
                      AnswerListener listener) {
        this(sender, requests, maxInFlight, lateMillis, listener, ClientModel.FLOOD);
    }

    OpenLoopGenerator(RequestSender sender, PublishRequests requests, int maxInFlight, long lateMillis,
                      AnswerListener listener, ClientModel clients) {
        this.clients = clients;
        this.sender = sender;
        this.requests = requests;
        this.maxInFlight = maxInFlight;
        this.lateNanos = TimeUnit.MILLISECONDS.toNanos(lateMillis);
        this.listener = listener == null ? (kind, at) -> { } : listener;
    }

    /**
     * Runs for {@code seconds} at {@code rate(second)} requests per second, then waits up to {@code drainSeconds}
     * for outstanding answers (the timeline has room for them).
     */
    PerSecondRecord run(int seconds, IntToDoubleFunction rate, int drainSeconds) {
        PerSecondRecord timeline = new PerSecondRecord(seconds + drainSeconds + 1);
        AtomicInteger inFlight = new AtomicInteger();
        long start = System.nanoTime();
        long n = 0;
        ScheduledExecutorService timer = clients.retries() ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "retry-after-timer");
            t.setDaemon(true);
            return t;
        }) : null;
        try {
            for (int s = 0; s < seconds; s++) {
                double r = rate.applyAsDouble(s);
                long perSecond = Math.round(r);
                for (long k = 0; k < perSecond; k++) {
                    long due = start + TimeUnit.SECONDS.toNanos(s) + (long) (k * 1e9 / r);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        // At least a millisecond: at high rates the requests due meanwhile leave together, which
                        // saves the shared cores thousands of wake-ups a second; their latency still counts from
                        // their own due time.
                        LockSupport.parkNanos(Math.max(wait, TICK_NANOS));
                    }
                    timeline.add(PerSecondRecord.Kind.OFFERED, s);
                    if (inFlight.get() >= maxInFlight) {
                        timeline.add(PerSecondRecord.Kind.DROPPED, s);
                        continue;
                    }
                    if (System.nanoTime() - due > lateNanos) {
                        timeline.add(PerSecondRecord.Kind.LATE, s);
                    }
                    inFlight.incrementAndGet();
                    new Publish(requests.get(n++), due, s, timeline, start, inFlight, timer).send(1);
                }
            }
            long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
            while (inFlight.get() > 0 && System.nanoTime() < drainUntil) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        } finally {
            if (timer != null) {
                timer.shutdownNow();
            }
        }
        return timeline;
    }

    /** One publish through all its attempts; it holds one in-flight slot until its final answer. */
    private final class Publish {
        private final PublishRequests.Signed request;
        private final long due;
        private final int dueSecond;
        private final PerSecondRecord timeline;
        private final long start;
        private final AtomicInteger inFlight;
        private final ScheduledExecutorService timer;

        Publish(PublishRequests.Signed request, long due, int dueSecond, PerSecondRecord timeline, long start,
                AtomicInteger inFlight, ScheduledExecutorService timer) {
            this.request = request;
            this.due = due;
            this.dueSecond = dueSecond;
            this.timeline = timeline;
            this.start = start;
            this.inFlight = inFlight;
            this.timer = timer;
        }

        void send(int attempt) {
            sender.send(request, (status, body, retryAfter, error) -> {
                boolean refused = error == null && (status == 429 || status == 503);
                if (refused && attempt < clients.maxAttempts() && !timer.isShutdown()) {
                    count(timeline, start, status, body, null);
                    double factor = 1 + clients.jitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
                    long delayMicros = (long) (Math.max(retryAfter, 1) * 1e6 * factor);
                    try {
                        timer.schedule(() -> {
                            timeline.add(PerSecondRecord.Kind.RETRIED, second(start, System.nanoTime()));
                            send(attempt + 1);
                        }, delayMicros, TimeUnit.MICROSECONDS);
                        return;
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        // the run is over: this refusal is the publish's final answer
                    }
                }
                inFlight.decrementAndGet();
                PerSecondRecord.Kind kind = count(timeline, start, status, body, error);
                if (kind == PerSecondRecord.Kind.OK || kind == PerSecondRecord.Kind.R429
                    || kind == PerSecondRecord.Kind.R503) {
                    timeline.latency(kind == PerSecondRecord.Kind.OK, dueSecond,
                                     TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - due));
                }
            });
        }
    }

    private static int second(long start, long nanoTime) {
        return (int) TimeUnit.NANOSECONDS.toSeconds(nanoTime - start);
    }

    /** Counts one answer in the second it came and tells the listener; returns its kind. */
    private PerSecondRecord.Kind count(PerSecondRecord timeline, long start, int status, String body, Throwable error) {
        long done = System.nanoTime();
        PerSecondRecord.Kind kind;
        if (error != null) {
            kind = PerSecondRecord.Kind.ERROR;
            timeline.noteError(error);
        } else {
            kind = status / 100 == 2 ? PerSecondRecord.Kind.OK
                    : status == 429 ? PerSecondRecord.Kind.R429
                    : status == 503 ? PerSecondRecord.Kind.R503
                    : PerSecondRecord.Kind.OTHER;
            if (body != null || kind == PerSecondRecord.Kind.OTHER) {
                timeline.noteAnswer(status, body == null ? "" : body);
            }
        }
        listener.answered(kind, done);
        timeline.add(kind, second(start, done));
        return kind;
    }
}
