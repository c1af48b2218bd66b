package io.spillway.admission;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** The {@link Permit} of one admitted request: the first of its three calls wins, the others are no-ops. */
final class SlotPermit implements Permit {
    enum Outcome { SUCCEEDED, IGNORED, DROPPED }

    private static final VarHandle DONE;

    static {
        try {
            DONE = MethodHandles.lookup().findVarHandle(SlotPermit.class, "done", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConcurrencyLimiter limiter;
    private final long startNanos;
    private final int inflightAtStart;
    private final boolean sample;
    @SuppressWarnings("unused") // accessed through DONE
    private volatile boolean done;

    SlotPermit(ConcurrencyLimiter limiter, long startNanos, int inflightAtStart, boolean sample) {
        this.limiter = limiter;
        this.startNanos = startNanos;
        this.inflightAtStart = inflightAtStart;
        this.sample = sample;
    }

    @Override
    public void onSuccess() {
        end(Outcome.SUCCEEDED);
    }

    @Override
    public void onIgnore() {
        end(Outcome.IGNORED);
    }

    @Override
    public void onDropped() {
        end(Outcome.DROPPED);
    }

    private void end(Outcome outcome) {
        // a field-level CAS instead of an AtomicBoolean: one allocation less per request
        if (DONE.compareAndSet(this, false, true)) {
            limiter.release(startNanos, inflightAtStart, sample, outcome);
        }
    }
}
