package io.spillway.lifecycle;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

import io.spillway.admission.CapacityFactor;
import io.spillway.admission.RejectReason;
import io.spillway.admission.TrafficGate;

/**
 * The pod's state machine (STARTING → WARMING → READY → DRAINING) and what follows from it: readiness, the
 * admission gate (refuse while warming, draining or while the broker circuit is open) and the slow-start
 * capacity factor. Read on every request, so every read is a volatile load and nothing allocates.
 */
public final class Lifecycle implements TrafficGate, CapacityFactor {
    private static final Logger LOG = Logger.getLogger(Lifecycle.class.getName());
    private static final Optional<RejectReason> WARMING = Optional.of(RejectReason.WARMING);
    private static final Optional<RejectReason> DRAINING = Optional.of(RejectReason.DRAINING);
    private static final Optional<RejectReason> BROKER_DOWN = Optional.of(RejectReason.BROKER_DOWN);

    private final AtomicReference<LifecycleState> state = new AtomicReference<>(LifecycleState.STARTING);
    private final BrokerHealth broker;
    private final SlowStart slowStart;
    private final LifecycleSettings.BrokerDownReadiness policy;
    private final LongSupplier nanoClock;
    private volatile long readyAtNanos;
    private volatile boolean closing;

    public Lifecycle(BrokerHealth broker, SlowStart slowStart, LifecycleSettings.BrokerDownReadiness policy,
                     LongSupplier nanoClock) {
        this.broker = broker;
        this.slowStart = slowStart;
        this.policy = policy;
        this.nanoClock = nanoClock;
    }

    public LifecycleState state() {
        return state.get();
    }

    /** The broker is connected: warm-up begins. */
    public boolean warming() {
        return move(LifecycleState.STARTING, LifecycleState.WARMING);
    }

    /** Warm-up failed (e.g. Redis went away again): back to waiting for the broker. */
    public boolean warmupFailed() {
        return move(LifecycleState.WARMING, LifecycleState.STARTING);
    }

    /** Warm-up done: ready, and the slow-start ramp begins now. */
    public boolean ready() {
        readyAtNanos = nanoClock.getAsLong();
        return move(LifecycleState.WARMING, LifecycleState.READY);
    }

    /** SIGTERM: readiness goes DOWN at once, admitted and arriving requests are still served. */
    public void draining() {
        LifecycleState previous = state.getAndSet(LifecycleState.DRAINING);
        if (previous != LifecycleState.DRAINING) {
            LOG.info(() -> previous + " -> DRAINING");
        }
    }

    /** The drain delay is over: new publishes are refused while admitted ones finish. */
    public void closing() {
        closing = true;
    }

    /** What readiness answers: READY, and under the {@code unready} policy also a broker that is up. */
    public boolean isReady() {
        return state.get() == LifecycleState.READY
                && (policy == LifecycleSettings.BrokerDownReadiness.STAY_READY || broker.up());
    }

    @Override
    public Optional<RejectReason> refusal() {
        return switch (state.get()) {
            case STARTING, WARMING -> WARMING;
            case DRAINING -> closing ? DRAINING : brokerRefusal();
            case READY -> brokerRefusal();
        };
    }

    private Optional<RejectReason> brokerRefusal() {
        return broker.circuitClosed() ? Optional.empty() : BROKER_DOWN;
    }

    @Override
    public double current() {
        LifecycleState s = state.get();
        if (s != LifecycleState.READY && s != LifecycleState.DRAINING) {
            return 1.0;
        }
        return slowStart.factor(nanoClock.getAsLong() - readyAtNanos);
    }

    private boolean move(LifecycleState from, LifecycleState to) {
        boolean moved = state.compareAndSet(from, to);
        if (moved) {
            LOG.info(() -> from + " -> " + to);
        }
        return moved;
    }
}
