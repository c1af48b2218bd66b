package io.spillway.bench;

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
 */
final class OpenLoopGenerator {
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final RequestSender sender;
    private final PublishRequests requests;
    private final int maxInFlight;
    private final long lateNanos;
    private final AnswerListener listener;

    /** Told of every answer, e.g. to find the first 2xx after Redis came back. */
    @FunctionalInterface
    interface AnswerListener {
        void answered(PerSecondRecord.Kind kind, long nanoTime);
    }

    OpenLoopGenerator(RequestSender sender, PublishRequests requests, int maxInFlight, long lateMillis,
                      AnswerListener listener) {
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
                int dueSecond = s;
                sender.send(requests.get(n++), (status, body, error) -> {
                    inFlight.decrementAndGet();
                    answered(timeline, start, due, dueSecond, status, body, error);
                });
            }
        }
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
        while (inFlight.get() > 0 && System.nanoTime() < drainUntil) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return timeline;
    }

    private void answered(PerSecondRecord timeline, long start, long due, int dueSecond, int status, String body,
                          Throwable error) {
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
        timeline.add(kind, (int) TimeUnit.NANOSECONDS.toSeconds(done - start));
        if (kind == PerSecondRecord.Kind.OK || kind == PerSecondRecord.Kind.R429 || kind == PerSecondRecord.Kind.R503) {
            timeline.latency(kind == PerSecondRecord.Kind.OK, dueSecond, TimeUnit.NANOSECONDS.toMicros(done - due));
        }
    }
}
