package io.spillway.lifecycle;

import java.time.Duration;
import java.util.List;

import io.spillway.broker.Broker;
import io.spillway.broker.PublishResult;

/**
 * The warm-up gate's two phases: (a) prime the broker's pools — every connection answers a PING and a PUBLISH on
 * the reserved warm-up channel is acknowledged; (b) warm the hot path with synthetic signed requests.
 */
public final class WarmUp {
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(2);

    private final Broker broker;
    private final SyntheticTraffic traffic;
    private final int requests;

    public WarmUp(Broker broker, SyntheticTraffic traffic, int requests) {
        this.broker = broker;
        this.traffic = traffic;
        this.requests = requests;
    }

    /** How long each phase took; throws if either failed (the caller retries). */
    public record Report(Duration prime, Duration hotPath) {
    }

    public Report run() throws InterruptedException {
        long start = System.nanoTime();
        if (!broker.ping(PING_TIMEOUT)) {
            throw new IllegalStateException("broker did not answer PING on every connection");
        }
        PublishResult primed = broker.publish(List.of(WarmupChannel.message("prime")));
        if (!primed.ok()) {
            throw new IllegalStateException("warm-up PUBLISH was not acknowledged: " + primed.detail());
        }
        long primedAt = System.nanoTime();
        traffic.send(requests);
        long done = System.nanoTime();
        return new Report(Duration.ofNanos(primedAt - start), Duration.ofNanos(done - primedAt));
    }
}
