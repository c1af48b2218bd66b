package io.spillway.api;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import io.spillway.admission.AdmissionController;
import io.spillway.admission.AdmissionDecision;

/** Charges an app's rate bucket for a request, with Pusher's {@code X-RateLimit-*} headers; 429 when empty. */
final class AppCharge {
    private static final HeaderName RATE_LIMIT_LIMIT = HeaderNames.create("X-RateLimit-Limit");
    private static final HeaderName RATE_LIMIT_REMAINING = HeaderNames.create("X-RateLimit-Remaining");

    private final AdmissionController admission;

    AppCharge(AdmissionController admission) {
        this.admission = admission;
    }

    /** {@code tokens} tokens, all or nothing, before any work is done; {@code unit} names them for the error. */
    void charge(App app, int tokens, String unit, ServerResponse res) {
        AdmissionDecision decision = admission.charge(app.id(), tokens);
        if (decision.limit() > 0) {
            res.header(RATE_LIMIT_LIMIT, Long.toString(decision.limit()));
            res.header(RATE_LIMIT_REMAINING, Long.toString(decision.remaining()));
        }
        if (!decision.admitted()) {
            throw new ApiException(decision.status(), decision.reason().message() + " (this request costs "
                    + tokens + " " + unit + (tokens == 1 ? ")" : "s)"), decision.retryAfterSeconds());
        }
    }
}
