package io.spillway.admission;

/**
 * One in-flight slot handed out by {@link AdmissionController#enter()}, shaped like Netflix
 * concurrency-limits' {@code Limiter.Listener}. Exactly one of the three calls is honoured per permit;
 * later calls are ignored, so a {@code finally { permit.onIgnore(); }} after an earlier
 * {@code onSuccess()} is safe.
 */
public interface Permit {
    /** The publish was acknowledged: release the slot and feed its latency to the limit. */
    void onSuccess();

    /** The request ended without a meaningful latency sample (client error, auth failure, app-rate rejection): release only. */
    void onIgnore();

    /** The publish failed or timed out (broker slow or down): release and tell the limit it dropped. */
    void onDropped();
}
