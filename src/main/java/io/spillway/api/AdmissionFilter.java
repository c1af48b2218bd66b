package io.spillway.api;

import java.util.Optional;
import java.util.OptionalLong;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.spillway.admission.AdmissionController;
import io.spillway.admission.AdmissionDecision;
import io.spillway.admission.Permit;
import io.spillway.admission.RejectReason;

/**
 * Runs admission before the body of a publish is read: a refused request costs a header parse and a small JSON
 * answer (a small body is then dropped unparsed, so the connection stays open), never a body parse, a signature
 * check or a Redis call. An admitted request carries its {@link Permit} in the request context; whatever the handler
 * does, the permit is ended here. Before all that, a request path in any but its {@link CanonicalPath canonical}
 * spelling is refused, so that what is tested here is what is routed.
 */
public final class AdmissionFilter implements Filter {
    /** A refused request with a body up to this size keeps its connection; a typical publish is under 1 KiB. */
    static final long REFUSED_BODY_DROP_BYTES = 16 * 1024;

    private final AdmissionController admission;
    private final AppRegistry apps;

    public AdmissionFilter(AdmissionController admission, AppRegistry apps) {
        this.admission = admission;
        this.apps = apps;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        // First, for every request: past this line the raw path is the one Helidon routes on and clients sign.
        Optional<String> nonCanonical = CanonicalPath.problem(req.path().rawPath());
        if (nonCanonical.isPresent()) {
            JsonErrors.send(res, 400, "non-canonical request path: " + nonCanonical.get(), 0);
            return;
        }
        if (!isPublish(req) && !ChannelsService.isQuery(req)) {
            chain.proceed();
            return;
        }
        AdmissionDecision decision = isWarmup(req) ? admission.enterWarmup() : admission.enter();
        if (!decision.admitted()) {
            if (!keepsConnection(req, decision)) {
                // The body is left unread, so Helidon will not reuse this connection: say so, or a client that pools
                // connections sends its next request into one that is being closed and sees no answer at all.
                res.header(HeaderValues.CONNECTION_CLOSE);
            }
            JsonErrors.send(res, decision.status(), decision.reason().message(), decision.retryAfterSeconds());
            return;
        }
        Permit permit = decision.permit();
        req.context().register(permit);
        try {
            chain.proceed();
        } finally {
            permit.onIgnore();
        }
    }

    /**
     * Whether a refused request's connection stays open: yes when its body is absent or declared small. Helidon reads
     * and drops a declared body the handler left unread once the answer is out, so the next request on the connection
     * starts where it should. The decision was made before any of it was read; dropping a publish-sized body copies
     * what is usually already in the socket buffer, while closing costs the client a new TCP handshake and the pod an
     * accept and a new connection each time a refused client comes back.
     * A draining pod closes: its clients belong elsewhere. A chunked body, or one the client sends only after
     * {@code 100 Continue}, is not worth waiting for.
     */
    private static boolean keepsConnection(RoutingRequest req, AdmissionDecision decision) {
        if (decision.reason() == RejectReason.DRAINING
                || req.headers().contains(HeaderNames.TRANSFER_ENCODING)
                || req.headers().contains(HeaderNames.EXPECT)) {
            return false;
        }
        OptionalLong length = req.headers().contentLength();
        return length.isEmpty() || length.getAsLong() <= REFUSED_BODY_DROP_BYTES;
    }

    /** {@code POST /apps/{id}/events} or {@code /batch_events}, matched without allocating on a canonical path. */
    static boolean isPublish(RoutingRequest req) {
        if (req.prologue().method() != Method.POST) {
            return false;
        }
        String path = req.path().rawPath();
        return path.startsWith("/apps/") && (path.endsWith("/events") || path.endsWith("/batch_events"))
                && path.indexOf('/', 6) == path.lastIndexOf('/');
    }

    /** The pod's own warm-up traffic passes the lifecycle gate (it runs before ready), and only from loopback. */
    private boolean isWarmup(RoutingRequest req) {
        return req.path().rawPath().startsWith("/apps/" + AppRegistry.WARMUP_ID + "/")
                && req.remotePeer().address() instanceof java.net.InetSocketAddress address
                && address.getAddress().isLoopbackAddress()
                && apps.warmupApp().isPresent();
    }
}
