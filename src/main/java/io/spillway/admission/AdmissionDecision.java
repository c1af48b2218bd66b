package io.spillway.admission;

/**
 * The outcome of one admission check, carrying the wait time with it (like Bucket4j's
 * {@code ConsumptionProbe}).
 *
 * @param reason            why the request was refused; {@code null} when admitted
 * @param retryAfterSeconds whole seconds (>= 1) for the {@code Retry-After} header when refused, 0 when admitted
 * @param limit             the rate that applied (tokens per second), for {@code X-RateLimit-Limit};
 *                          0 when no rate applied (admission disabled, or a refusal that is not about a rate)
 * @param remaining         tokens left in that bucket, for {@code X-RateLimit-Remaining}; 0 when {@code limit} is 0
 * @param permit            the in-flight slot; non-null only for admitted {@link AdmissionController#enter()} decisions
 */
public record AdmissionDecision(RejectReason reason, long retryAfterSeconds, long limit, long remaining, Permit permit) {

    public AdmissionDecision {
        if (reason == null && retryAfterSeconds != 0) {
            throw new IllegalArgumentException("an admitted decision has no retry-after");
        }
        if (reason != null && (retryAfterSeconds < 1 || permit != null)) {
            throw new IllegalArgumentException("a refusal needs a retry-after >= 1 and no permit");
        }
    }

    static AdmissionDecision admit(long limit, long remaining, Permit permit) {
        return new AdmissionDecision(null, 0, limit, remaining, permit);
    }

    static AdmissionDecision reject(RejectReason reason, long retryAfterSeconds, long limit, long remaining) {
        return new AdmissionDecision(reason, retryAfterSeconds, limit, remaining, null);
    }

    /** True when the request may proceed. */
    public boolean admitted() {
        return reason == null;
    }

    /** 200 when admitted, otherwise the reason's status (429 or 503). */
    public int status() {
        return reason == null ? 200 : reason.status();
    }
}
