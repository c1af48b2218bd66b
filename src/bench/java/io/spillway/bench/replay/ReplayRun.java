package io.spillway.bench.replay;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a replay recorded, in seconds since the load started; {@link ReplayOutcome} judges it.
 *
 * @param okTimes    when each 2xx arrived, sorted
 * @param promotion  Redis master kill → the first sentinel names another master (NaN: no failover step)
 * @param teardownAt when the replay began stopping the fleet; exits after it are the replay's own
 * @param hiccupMillis per second, the worst stall of the replay's own process (see {@link Hiccups})
 */
record ReplayRun(ReplayPlan plan, LoadRecord load, List<Sampler.Snapshot> snapshots, List<ReplayClock.Event> events,
                 List<Start> starts, Set<Long> acked, Set<Long> delivered, long issued,
                 Map<Integer, Deliveries.NodeStats> deliveriesByNode, Map<String, List<Double>> answerTimes,
                 List<Double> okTimes, double promotion, double teardownAt, double[] hiccupMillis,
                 Map<String, Object> environment) {

    /** One start of a gateway process. {@code readyAt} NaN: it never became ready. */
    record Start(String member, String cause, double startedAt, double readyAt) {
        double startToReadyMillis() {
            return (readyAt - startedAt) * 1000;
        }
    }
}
