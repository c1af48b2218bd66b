package io.spillway.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;

import io.spillway.broker.Broker;
import io.spillway.broker.ChannelMessage;
import io.spillway.broker.PublishResult;

/**
 * Probes the broker with a real PUBLISH on the reserved warm-up channel every {@code interval}: this closes an open
 * circuit as soon as Redis answers again (same node restarted or a promoted replica) without spending client
 * requests on it, and lets readiness notice an outage when no traffic flows.
 */
public final class BrokerProbe implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BrokerProbe.class.getName());

    private final Broker broker;
    private final BrokerHealth health;
    private final Duration interval;
    private final List<ChannelMessage> probe;
    private volatile boolean stopped;
    private Thread thread;

    public BrokerProbe(Broker broker, BrokerHealth health, Duration interval) {
        this.broker = broker;
        this.health = health;
        this.interval = interval;
        this.probe = List.of(WarmupChannel.message("probe"));
    }

    public synchronized void start() {
        if (thread == null) {
            thread = Thread.ofVirtual().name("broker-probe").start(this::loop);
        }
    }

    private void loop() {
        boolean wasClosed = true;
        while (!stopped) {
            if (broker.connected()) {
                PublishResult result = broker.publish(probe);
                if (result.ok()) {
                    health.onSuccess();
                } else {
                    health.onFailure();
                }
                boolean closed = health.circuitClosed();
                if (closed != wasClosed) {
                    LOG.warning(closed ? "broker answers again: circuit closed, publishing resumes"
                                       : "broker failing: circuit open, publishes answer 503 at once ("
                                               + result.detail() + ")");
                    wasClosed = closed;
                }
            }
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }
}
