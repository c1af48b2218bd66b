package io.spillway.admission;

import java.util.List;
import java.util.Map;

import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.providers.micrometer.MicrometerPrometheusFormatter;
import io.spillway.testing.PrometheusText;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HelidonAdmissionMetricsTest {
    private final MeterRegistry registry = Metrics.createMeterRegistry();

    @AfterEach
    void close() {
        registry.close();
    }

    @Test
    void exposesThePrometheusNamesOperatorsRelyOn() {
        HelidonAdmissionMetrics metrics = new HelidonAdmissionMetrics(registry);
        AdmissionGauges gauges = new AdmissionGauges() {
            @Override
            public int backlogWaiting() {
                return 0;
            }

            @Override
            public int concurrencyLimit() {
                return 64;
            }

            @Override
            public int inflight() {
                return 7;
            }

            @Override
            public double capacityFactor() {
                return 0.25;
            }
        };
        metrics.bind(gauges);

        metrics.admitted("1001");
        metrics.admitted("1001");
        metrics.rejected(RejectReason.APP_RATE, "1001");
        metrics.rejected(RejectReason.CONCURRENCY, null);
        metrics.rejected(RejectReason.CONCURRENCY, null);
        metrics.rejected(RejectReason.CONCURRENCY, null);
        metrics.publishLatency(3_000_000L);

        String text = scrape();
        assertEquals(2.0, value(text, "spillway_admission_admitted_total", Map.of("app", "1001")), text);
        assertEquals(1.0, value(text, "spillway_admission_rejected_total", Map.of("reason", "app_rate", "app", "1001")),
                     text);
        assertEquals(3.0, value(text, "spillway_admission_rejected_total", Map.of("reason", "concurrency")), text);
        assertEquals(64.0, value(text, "spillway_concurrency_limit", Map.of()), text);
        assertEquals(7.0, value(text, "spillway_inflight", Map.of()), text);
        assertEquals(0.25, value(text, "spillway_capacity_factor", Map.of()), text);
        assertEquals(1.0, value(text, "spillway_publish_seconds_count", Map.of()), text);
        assertEquals(1.0, value(text, "spillway_publish_seconds_bucket", Map.of("le", "0.005")), text);
        assertEquals(0.0, value(text, "spillway_publish_seconds_bucket", Map.of("le", "0.002")), text);
    }

    @Test
    void theControllerFeedsTheMeters() {
        HelidonAdmissionMetrics metrics = new HelidonAdmissionMetrics(registry);
        ManualClock clock = new ManualClock();
        AdmissionController controller = new AdmissionController(Fixtures.settings(1, 1), List.of(),
                CapacityFactor.full(), TrafficGate.open(), clock, metrics);

        Permit permit = controller.enter().permit();
        controller.charge("1001", 1);
        assertEquals(RejectReason.GLOBAL_RATE, controller.enter().reason());

        String text = scrape();
        assertEquals(1.0, value(text, "spillway_inflight", Map.of()), text);
        assertEquals(1.0, value(text, "spillway_admission_admitted_total", Map.of("app", "1001")), text);
        assertEquals(1.0, value(text, "spillway_admission_rejected_total", Map.of("reason", "global_rate")), text);
        clock.advanceMillis(20);
        permit.onSuccess();
        text = scrape();
        assertEquals(0.0, value(text, "spillway_inflight", Map.of()), text);
        assertEquals(1.0, value(text, "spillway_publish_seconds_bucket", Map.of("le", "0.025")), text);
    }

    private String scrape() {
        return MicrometerPrometheusFormatter.builder(registry).build().format().orElseThrow().toString();
    }

    /** The value of the one series of {@code name} carrying all {@code labels}. */
    private static double value(String text, String name, Map<String, String> labels) {
        return PrometheusText.only(text, name, labels)
                .orElseThrow(() -> new AssertionError(name + " " + labels + " in\n" + text));
    }
}
