package io.spillway.admission;

import java.util.Map;

import io.spillway.testing.GatewayHarness;
import org.junit.jupiter.api.Test;

import static io.spillway.admission.Traffic.event;
import static io.spillway.admission.Traffic.metric;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Admission decisions as Prometheus counters on the admin port, per gateway: a gateway removes its meters when it
 * closes, so the next gateway in the same JVM counts from zero (tests and embedded use share Helidon's global
 * registry).
 */
class AdmissionMetricsIntegrationTest {
    /** One token a second: the first request of a quick series passes, the rest are refused on arrival. */
    private static final Map<String, String> ONE_PER_SECOND = Map.of(
            "spillway.admission.global-rate", "1",
            "spillway.admission.global-burst", "1");

    @Test
    void admittedAndRejectedAreCountedPerGatewayAndAppAndReason() {
        try (GatewayHarness first = GatewayHarness.start(ONE_PER_SECOND)) {
            assertCounts(first, 0, 0);
            int[] statuses = send(first, 4);
            assertCounts(first, count(statuses, 200), count(statuses, 429));
            assertEquals(4, count(statuses, 200) + count(statuses, 429));
            assertTrue(count(statuses, 429) > 0, "four quick requests over 1/s were all admitted");
        }
        try (GatewayHarness second = GatewayHarness.start(ONE_PER_SECOND)) {
            assertCounts(second, 0, 0); // nothing carried over from the first gateway
            int[] statuses = send(second, 3);
            assertCounts(second, count(statuses, 200), count(statuses, 429));
        }
    }

    private static int[] send(GatewayHarness gateway, int n) {
        int[] statuses = new int[n];
        for (int i = 0; i < n; i++) {
            statuses[i] = gateway.publish("events", event("m" + i, "c")).statusCode();
        }
        return statuses;
    }

    private static int count(int[] statuses, int status) {
        int n = 0;
        for (int s : statuses) {
            n += s == status ? 1 : 0;
        }
        return n;
    }

    private static void assertCounts(GatewayHarness gateway, int admitted, int rejected) {
        assertAll(
                () -> assertEquals(admitted, metric(gateway, "spillway_admission_admitted_total",
                                                    Map.of("app", "1001")), "admitted{app=1001}"),
                () -> assertEquals(rejected, metric(gateway, "spillway_admission_rejected_total",
                                                    Map.of("reason", "global_rate", "app", "")),
                                   "rejected{reason=global_rate,app=}"));
    }
}
