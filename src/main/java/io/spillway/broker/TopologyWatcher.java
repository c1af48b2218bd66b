package io.spillway.broker;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Follows the client's view of the masters, four times per scan interval and at once on connection events:
 * <ul>
 * <li>logs and counts every change ({@link TopologyMetrics});</li>
 * <li>in sentinel mode, compares it with the master a majority of sentinels names ({@link SentinelMasterGate}):
 * while they differ the client would publish to a node that subscribers have left (a demoted or superseded master
 * still accepts PUBLISH), so publishes are refused with a reason, and if Redisson has not caught up after
 * {@link #refreshAfter} the client is rebuilt (a forced topology refresh);</li>
 * <li>a READONLY answer ({@link #suspectStale()}) forces that refresh too, at most once per {@link #refreshAfter}.</li>
 * </ul>
 * Reading the view is local (no Redis call); the sentinel question is one small command per sentinel.
 */
final class TopologyWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TopologyWatcher.class.getName());
    private static final Duration MIN_REFRESH_AFTER = Duration.ofSeconds(2);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(1);

    private final Supplier<Optional<TopologyView>> views;
    private final SentinelMasterGate gate;
    private final TopologyMetrics metrics;
    private final Consumer<String> refuse;
    private final BooleanSupplier refresh;
    private final Duration period;
    private final long refreshAfter;
    private final Semaphore wake = new Semaphore(0);
    private volatile boolean closed;
    private volatile boolean readonlySeen;
    private TopologyView last;
    private long staleSince;
    private String named;
    private long lastRefresh;
    private Thread thread;

    /**
     * @param gate    the sentinels' majority view, or {@code null} outside sentinel mode
     * @param refuse  receives the reason publishes must be refused for, or {@code null} when they may go again
     * @param refresh rebuilds the client; false when it could not
     */
    TopologyWatcher(RedisSettings settings, Supplier<Optional<TopologyView>> views, SentinelMasterGate gate,
                    TopologyMetrics metrics, Consumer<String> refuse, BooleanSupplier refresh) {
        this.views = views;
        this.gate = gate;
        this.metrics = metrics;
        this.refuse = refuse;
        this.refresh = refresh;
        this.period = settings.scanInterval().dividedBy(4);
        Duration fourScans = settings.scanInterval().multipliedBy(4);
        this.refreshAfter = (fourScans.compareTo(MIN_REFRESH_AFTER) > 0 ? fourScans : MIN_REFRESH_AFTER).toNanos();
    }

    synchronized void start() {
        if (thread == null && !closed) {
            thread = Thread.ofVirtual().name("redis-topology").start(this::loop);
        }
    }

    /** Look now rather than at the next period (a connection event hints at a change). */
    void wake() {
        if (wake.availablePermits() == 0) {
            wake.release();
        }
    }

    /** Redis answered READONLY: the client writes to a replica. */
    void suspectStale() {
        readonlySeen = true;
        wake();
    }

    private void loop() {
        while (!closed) {
            try {
                observe();
            } catch (RuntimeException e) {
                LOG.fine(() -> "topology check failed: " + e); // the client is shutting down or reconnecting
            }
            try {
                wake.tryAcquire(period.toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void observe() {
        Optional<TopologyView> seen = views.get();
        if (seen.isEmpty() || seen.get().masters().isEmpty()) {
            return;
        }
        TopologyView now = seen.get();
        TopologyView previous = last;
        if (previous == null) {
            LOG.info(() -> "Redis masters: " + now);
        } else if (!previous.equals(now)) {
            LOG.warning(() -> "Redis masters changed: " + previous + " -> " + now);
        }
        metrics.observed(previous, now);
        last = now;
        checkStale(now);
    }

    private void checkStale(TopologyView now) {
        long clock = System.nanoTime();
        if (readonlySeen) {
            readonlySeen = false;
            forceRefresh(clock, "Redis answered READONLY");
        }
        if (gate == null) {
            return;
        }
        if (staleSince != 0 && now.masters().contains(named)) {
            lift(now); // the client followed: no need to wait for the sentinels' next answer
        }
        Optional<String> majority = gate.majorityMaster();
        if (majority.isPresent() && !now.masters().contains(majority.get())) {
            named = majority.get();
            if (staleSince == 0) {
                staleSince = clock;
                metrics.stale(true);
                LOG.warning(() -> "sentinels name " + named + " as master but the client publishes to " + now
                        + ": refusing publishes until it follows");
            }
            refuse.accept("Redis master moved to " + named + "; following");
            if (clock - staleSince > refreshAfter) {
                forceRefresh(clock, "client still on " + now + " while sentinels name " + named);
            }
        } else if (staleSince != 0) {
            lift(now);
        }
    }

    private void lift(TopologyView now) {
        staleSince = 0;
        metrics.stale(false);
        refuse.accept(null);
        LOG.warning(() -> "publishing to " + now + " again");
    }

    private void forceRefresh(long clock, String why) {
        if (lastRefresh != 0 && clock - lastRefresh < refreshAfter) {
            return;
        }
        lastRefresh = clock;
        LOG.warning(() -> "forcing a Redis topology refresh: " + why);
        if (refresh.getAsBoolean()) {
            metrics.forcedRefresh();
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(CLOSE_WAIT.toMillis()); // let a sentinel question in flight end before its clients go
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (gate != null) {
            gate.close();
        }
    }
}
