package io.spillway.admission;

/**
 * What admission reports. Called on the request path: implementations must be cheap, non-blocking and
 * must not throw. {@code app} is null where the app is not known yet (refusals by {@code enter()}).
 */
public interface AdmissionMetrics {
    /** Reports nothing. */
    AdmissionMetrics NOOP = new AdmissionMetrics() {
        @Override
        public void admitted(String app) {
        }

        @Override
        public void rejected(RejectReason reason, String app) {
        }

        @Override
        public void publishLatency(long nanos) {
        }
    };

    /** A request passed every check, i.e. {@code charge()} admitted it (counted once per request). */
    void admitted(String app);

    /** A request was refused by {@code enter()} (app null) or {@code charge()}. */
    void rejected(RejectReason reason, String app);

    /** Time from {@code enter()} to {@link Permit#onSuccess()}, i.e. until the broker acknowledged the publish. */
    void publishLatency(long nanos);

    /** Where gauges read their values; the controller binds itself when it is built. */
    default void bind(AdmissionGauges gauges) {
    }
}
