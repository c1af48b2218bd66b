package io.spillway.admission;

import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {
    private static final ConcurrencySettings OK = ConcurrencySettings.defaults();
    private static final Duration SECOND = Duration.ofSeconds(1);

    static Stream<Arguments> invalid() {
        return Stream.of(
                bad("spillway.admission.global-rate must be > 0",
                        () -> new AdmissionSettings(true, 0, 10, 10, 10, OK, SECOND)),
                bad("spillway.admission.global-burst must be >= 1",
                        () -> new AdmissionSettings(true, 10, 0, 10, 10, OK, SECOND)),
                bad("spillway.admission.default-app-rate must be > 0",
                        () -> new AdmissionSettings(true, 10, 10, -5, 10, OK, SECOND)),
                bad("spillway.admission.default-app-burst must be >= 1",
                        () -> new AdmissionSettings(true, 10, 10, 10, 0, OK, SECOND)),
                bad("spillway.admission.retry-after must be > 0",
                        () -> new AdmissionSettings(true, 10, 10, 10, 10, OK, Duration.ZERO)),
                bad("spillway.admission.concurrency.algorithm must be one of fixed, gradient2, vegas",
                        () -> new ConcurrencySettings("aimd", 10, 1, 20)),
                bad("spillway.admission.concurrency.min must be >= 1",
                        () -> new ConcurrencySettings("gradient2", 10, 0, 20)),
                bad("spillway.admission.concurrency.max must be >= spillway.admission.concurrency.min",
                        () -> new ConcurrencySettings("gradient2", 10, 8, 4)),
                bad("spillway.admission.concurrency.initial must be between min (8) and max (16)",
                        () -> new ConcurrencySettings("vegas", 20, 8, 16)),
                bad("spillway.admission.concurrency.initial must be between min (8) and max (16)",
                        () -> new ConcurrencySettings("fixed", 4, 8, 16)),
                bad("spillway.apps[id=1001].rate must be > 0", () -> new AppQuota("1001", 0, 10)),
                bad("spillway.apps[id=1001].burst must be >= 1", () -> new AppQuota("1001", 10, 0)));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidValuesAreRefusedNamingTheKey(String message, Supplier<Object> build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void defaultsAreValidAndAlgorithmNamesAreNormalized() {
        AdmissionSettings d = AdmissionSettings.defaults();
        assertEquals(100_000, d.globalRate());
        assertEquals("fixed", d.concurrency().algorithm());
        assertEquals("vegas", new ConcurrencySettings(" Vegas ", 8, 8, 8).algorithm());
        assertEquals(new AppQuota("x", 10_000, 20_000), d.defaultQuota("x"));
    }

    @Test
    void reasonsMapToStatusesAndLabels() {
        assertEquals(429, RejectReason.GLOBAL_RATE.status());
        assertEquals(429, RejectReason.APP_RATE.status());
        for (RejectReason r : new RejectReason[] {RejectReason.CONCURRENCY, RejectReason.WARMING, RejectReason.DRAINING,
                RejectReason.BROKER_DOWN, RejectReason.SLOW_START}) {
            assertEquals(503, r.status(), r.name());
        }
        assertEquals("slow_start", RejectReason.SLOW_START.label());
        assertEquals("broker_down", RejectReason.BROKER_DOWN.label());
    }

    private static Arguments bad(String message, Supplier<Object> build) {
        return Arguments.of(message, build);
    }
}
