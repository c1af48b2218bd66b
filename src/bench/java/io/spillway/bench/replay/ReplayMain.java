package io.spillway.bench.replay;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;

/**
 * {@code bin/bench mt1-replay [short] [name=value ...]}: the full incident replay (or, with {@code short}, the test
 * suite's shortened one) against the built jar; writes
 * {@code bench/results/mt1-replay-<timestamp>/} and exits 0 when every claim was met, 3 when one was not.
 * Overrides are {@link ReplayPlan} fields, e.g. {@code bin/bench mt1-replay restartAt=45 slowStart=15}.
 */
public final class ReplayMain {
    private ReplayMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        List<String> overrides = Arrays.stream(args)
                .filter(a -> !a.equals(ReplayReport.SCENARIO) && !a.equals("short")).toList();
        boolean shortened = Arrays.asList(args).contains("short");
        ReplayPlan plan = (shortened ? ReplayPlan.shortened() : ReplayPlan.full()).with(overrides);
        Path jar = Path.of("target/spillway.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("target/spillway.jar is missing: build it first (bin/bench does)");
        }
        Path haproxy = Haproxy.locate().orElseThrow(
                () -> new IllegalStateException("haproxy is not installed and could not be installed "
                                                + "(apt-get install haproxy)"));
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        String root = System.getenv().getOrDefault("BENCH_RESULTS", "bench/results");
        Path dir = Path.of(root.isBlank() ? "bench/results" : root).resolve(ReplayReport.SCENARIO + "-" + stamp);
        Mt1Replay replay = new Mt1Replay(plan, dir.resolve("raw"), Mt1Replay.Launch.jar(jar, plan.jvmFlagList()),
                                         haproxy);
        replay.clock().log("results -> " + dir);
        ReplayRun run = replay.run();
        ReplayOutcome outcome = ReplayOutcome.judge(run, ReplayOutcome.Bounds.reference());
        ReplayReport.write(outcome, dir, "complete");
        for (ReplayOutcome.Check c : outcome.checks) {
            replay.clock().log(String.format("%-4s %s = %s %s (goal %s)", c.met() ? "MET" : "MISS", c.name(),
                                             ReplayOutcome.fmt(c.value()), c.unit(), c.goal()));
        }
        replay.clock().log("report: " + dir.resolve("report.md"));
        System.exit(outcome.allMet() ? 0 : 3);
    }
}
