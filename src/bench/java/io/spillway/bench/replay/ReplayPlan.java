package io.spillway.bench.replay;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every knob of a replay; step times are seconds since the load started. A step time below 0 skips the step.
 *
 * @param gateways        the fleet before the scale-up
 * @param gatewayRate     each gateway's {@code admission.global-rate}: its capacity, so the fleet's is known
 * @param loadFraction    offered load as a share of the initial fleet's capacity
 * @param killMasterAt    step 2: {@code kill -9} of the Redis master
 * @param masterBackAt    step 3: the old master restarts and rejoins as a replica
 * @param restartAt       step 4: {@code restartCount} gateways get {@code kill -9}
 * @param restartDelay    ... and are started again this many seconds later
 * @param scaleUpAt       step 5: {@code scaleUpCount} more gateways are started and added to HAProxy
 * @param endAt           the load stops (step 6 is steady state from the last step until here)
 * @param steadyFrom      steady-state reference = seconds {@code [steadyFrom, killMasterAt)}
 * @param slowStart       seconds of Spillway's slow start and of HAProxy's {@code slowstart}
 * @param warmupRequests  Spillway's synthetic warm-up publishes before ready
 * @param checkInterMs    HAProxy health-check interval
 * @param rise            HAProxy: consecutive good checks to come up
 * @param fall            HAProxy: consecutive failed checks to go down
 * @param passiveMarkDown HAProxy marks a server down on the first refused connection too
 * @param maxAttempts     client tries per publish
 * @param maxInFlight     client publishes outstanding at most (waiting retries included)
 * @param jvmFlags        each gateway's JVM flags, space separated
 * @param aotCache        start gateways from a JDK 25 AOT cache recorded by one training run, as the image does
 * @param shippedAdmission gateways run the shipped admission defaults instead of {@code global-rate: gatewayRate};
 *                        {@code gatewayRate} is then only the per-gateway capacity the offered load is a share of
 */
record ReplayPlan(int gateways, int gatewayRate, double loadFraction, int killMasterAt, int masterBackAt,
                  int restartAt, int restartCount, double restartDelay, int scaleUpAt, int scaleUpCount, int endAt,
                  int steadyFrom, int slowStart, int warmupRequests, int checkInterMs, int rise, int fall,
                  boolean passiveMarkDown, int maxAttempts, int maxInFlight, String jvmFlags, boolean aotCache,
                  boolean shippedAdmission) {

    /** {@code bin/bench mt1-replay}: all six steps, about 90 s of load. */
    static ReplayPlan full() {
        return new ReplayPlan(3, 150, 0.6, 20, 30, 40, 2, 1, 48, 2, 90, 5, 10, 200, 500, 2, 2, true, 8, 4000,
                              "-Xms64m -Xmx160m -XX:+UseSerialGC -XX:TieredStopAtLevel=1", true, false);
    }

    /** The suite's shortened replay: steady, Redis master killed, one gateway restarted; no rejoin, no scale-up. */
    static ReplayPlan shortened() {
        return new ReplayPlan(3, 100, 0.6, 8, -1, 18, 1, 0.5, -1, 0, 38, 3, 6, 200, 500, 2, 2, true, 8, 2000,
                              "-Xms48m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1", false, false);
    }

    double offeredRate() {
        return loadFraction * gateways * gatewayRate;
    }

    /** The last step that changes the fleet or Redis. */
    int lastStepAt() {
        return Math.max(Math.max(killMasterAt, masterBackAt), Math.max(restartAt, scaleUpAt));
    }

    List<String> jvmFlagList() {
        return Arrays.stream(jvmFlags.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (RecordComponent c : ReplayPlan.class.getRecordComponents()) {
            try {
                m.put(c.getName(), c.getAccessor().invoke(this));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        m.put("offeredRate", offeredRate());
        return m;
    }

    /** This plan with {@code name=value} overrides, e.g. {@code restartAt=45 slowStart=15}. */
    ReplayPlan with(List<String> overrides) {
        Map<String, String> given = new LinkedHashMap<>();
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected name=value, got '" + o + "'");
            }
            given.put(o.substring(0, eq), o.substring(eq + 1));
        }
        RecordComponent[] components = ReplayPlan.class.getRecordComponents();
        List<Object> values = new ArrayList<>();
        List<Class<?>> types = new ArrayList<>();
        for (RecordComponent c : components) {
            types.add(c.getType());
            String v = given.remove(c.getName());
            try {
                values.add(v == null ? c.getAccessor().invoke(this) : parse(c.getType(), v));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        if (!given.isEmpty()) {
            throw new IllegalArgumentException("unknown replay settings " + given.keySet() + "; known: "
                                               + asMap().keySet());
        }
        try {
            return ReplayPlan.class.getDeclaredConstructor(types.toArray(Class<?>[]::new))
                    .newInstance(values.toArray());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object parse(Class<?> type, String v) {
        if (type == int.class) {
            return Integer.parseInt(v);
        }
        if (type == double.class) {
            return Double.parseDouble(v);
        }
        if (type == boolean.class) {
            return Boolean.parseBoolean(v);
        }
        return v;
    }
}
