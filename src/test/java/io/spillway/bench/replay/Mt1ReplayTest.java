package io.spillway.bench.replay;

import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MT1 incident replay, shortened for the suite: 3 gateway processes behind HAProxy on a Sentinel group under
 * retrying load; the Redis master is killed, then one gateway is killed and restarted under load. Asserts the
 * replay's claims with bounds that hold on a busy 2-core machine. Skips only when HAProxy is missing and cannot
 * be installed. Its report lands in {@code target/mt1-replay-test/}.
 */
@Tag("chaos")
class Mt1ReplayTest {
    /** Slack for a shared, loaded machine: outage ≤ promotion + 3 s, p99 ≤ max(10x steady, 250 ms), ... */
    private static final ReplayOutcome.Bounds SUITE = new ReplayOutcome.Bounds(3, 10, 250, 0.2, 0.8, 10);

    @Test
    void fleetRidesOutAFailoverAndAPodRestart() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Optional<Path> haproxy = Haproxy.locate();
        Assumptions.assumeTrue(haproxy.isPresent(), "haproxy is not installed (.ci/run installs it: apt-get install haproxy)");
        ReplayPlan plan = ReplayPlan.shortened();
        Path dir = Path.of("target", "mt1-replay-test");
        Mt1Replay replay = new Mt1Replay(plan, dir.resolve("raw"),
                                         Mt1Replay.Launch.classpath(System.getProperty("java.class.path"),
                                                                    plan.jvmFlagList()),
                                         haproxy.get());

        ReplayRun run = replay.run();
        ReplayOutcome outcome = ReplayOutcome.judge(run, SUITE);
        ReplayReport.write(outcome, dir, "complete");

        assertFalse(Double.isNaN(run.promotion()), "Sentinel promoted a replica");
        assertEquals(1, outcome.arrivals.size(), "the restarted gateway came back: " + run.starts());
        assertTrue(run.acked().size() > plan.offeredRate() * plan.endAt() / 2,
                   "most publishes were acknowledged: " + run.acked().size());
        assertAll(outcome.checks.stream().map(c -> () -> assertTrue(
                c.met(), c.name() + " = " + ReplayOutcome.fmt(c.value()) + " " + c.unit() + ", goal " + c.goal()
                         + " (" + c.note() + "); report: " + dir.toAbsolutePath().resolve("report.md"))));
    }
}
