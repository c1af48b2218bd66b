package io.spillway.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Settings, fakes and a controller builder shared by the admission tests. */
final class Fixtures {
    static final long PLENTY = 1_000_000;

    private Fixtures() {
    }

    static ConcurrencySettings fixed(int limit) {
        return new ConcurrencySettings("fixed", limit, 1, Math.max(limit, 1));
    }

    /** Global rate/burst and a fixed concurrency limit; apps default to a rate that never gets in the way. */
    static AdmissionSettings settings(long globalRate, long globalBurst, ConcurrencySettings concurrency) {
        return new AdmissionSettings(true, globalRate, globalBurst, PLENTY, PLENTY, concurrency, Duration.ofSeconds(3));
    }

    static AdmissionSettings settings(long globalRate, long globalBurst) {
        return settings(globalRate, globalBurst, fixed(10_000));
    }

    static AdmissionSettings withDefaultApp(AdmissionSettings s, long rate, long burst) {
        return new AdmissionSettings(s.enabled(), s.globalRate(), s.globalBurst(), rate, burst, s.concurrency(),
                s.retryAfter());
    }

    static AdmissionSettings disabled(AdmissionSettings s) {
        return new AdmissionSettings(false, s.globalRate(), s.globalBurst(), s.defaultAppRate(), s.defaultAppBurst(),
                s.concurrency(), s.retryAfter());
    }

    /** A capacity factor the test sets. */
    static final class Capacity implements CapacityFactor {
        private volatile double value = 1.0;

        void set(double value) {
            this.value = value;
        }

        @Override
        public double current() {
            return value;
        }
    }

    /** A traffic gate the test opens and closes. */
    static final class Gate implements TrafficGate {
        private volatile Optional<RejectReason> refusal = Optional.empty();

        void refuse(RejectReason reason) {
            refusal = Optional.of(reason);
        }

        void open() {
            refusal = Optional.empty();
        }

        @Override
        public Optional<RejectReason> refusal() {
            return refusal;
        }
    }

    /** Records what the controller reports. */
    static final class RecordingMetrics implements AdmissionMetrics {
        final List<String> admitted = new ArrayList<>();
        final List<String> rejected = new ArrayList<>();
        final List<Long> latencies = new ArrayList<>();
        AdmissionGauges gauges;

        @Override
        public synchronized void admitted(String app) {
            admitted.add(String.valueOf(app));
        }

        @Override
        public synchronized void rejected(RejectReason reason, String app) {
            rejected.add(reason.label() + "/" + app);
        }

        @Override
        public synchronized void publishLatency(long nanos) {
            latencies.add(nanos);
        }

        @Override
        public void bind(AdmissionGauges gauges) {
            this.gauges = gauges;
        }
    }

    /** A controller with its fakes, for tests that poke them. */
    record Harness(AdmissionController controller, ManualClock clock, Capacity capacity, Gate gate,
                   RecordingMetrics metrics) {
        static Harness of(AdmissionSettings settings, AppQuota... apps) {
            return of(settings, List.of(apps));
        }

        static Harness of(AdmissionSettings settings, Collection<AppQuota> apps) {
            ManualClock clock = new ManualClock();
            Capacity capacity = new Capacity();
            Gate gate = new Gate();
            RecordingMetrics metrics = new RecordingMetrics();
            AdmissionController controller = new AdmissionController(settings, apps, capacity, gate, clock, metrics);
            return new Harness(controller, clock, capacity, gate, metrics);
        }

        /** enter() and end the permit at once; the decision (permit already ended). */
        AdmissionDecision enterAndRelease() {
            AdmissionDecision d = controller.enter();
            if (d.permit() != null) {
                d.permit().onIgnore();
            }
            return d;
        }

        /** How many of {@code attempts} enter()s (each released at once) are admitted. */
        int admittedOf(int attempts) {
            int admitted = 0;
            for (int i = 0; i < attempts; i++) {
                if (enterAndRelease().admitted()) {
                    admitted++;
                }
            }
            return admitted;
        }
    }
}
