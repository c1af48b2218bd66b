package io.spillway.api;

import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.http.HeaderNames;
import io.helidon.http.RequestException;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.spillway.broker.BrokerUnavailableException;

/** Turns every failure on the public socket into SPEC's JSON error body. */
public final class ApiErrors {
    private static final Logger LOG = Logger.getLogger(ApiErrors.class.getName());

    private ApiErrors() {
    }

    public static void register(HttpRouting.Builder routing) {
        routing.error(ApiException.class, (req, res, e) -> JsonErrors.send(res, e))
                .error(BrokerUnavailableException.class,
                       (req, res, e) -> JsonErrors.send(res, 503, "broker unavailable: " + e.getMessage(), 1))
                .error(RequestException.class,
                       (req, res, e) -> JsonErrors.send(res, e.status().code(), e.getMessage(), 0))
                .error(RuntimeException.class, (req, res, e) -> {
                    LOG.log(Level.WARNING, "unexpected failure on " + req.path().absolute().rawPath(), e);
                    JsonErrors.send(res, 500, "internal error", 0);
                });
    }

    /** A handler answering 405 with an {@code Allow} header, for the other methods of a known path. */
    static Handler methodNotAllowed(String allowed) {
        return (req, res) -> {
            res.header(HeaderNames.ALLOW, allowed);
            throw new ApiException(405, req.prologue().method().text() + " is not allowed here; use " + allowed);
        };
    }

    public static void notFound(ServerRequest req, ServerResponse res) {
        JsonErrors.send(res, 404, "no such endpoint: " + req.prologue().method().text() + " "
                + req.path().absolute().rawPath(), 0);
    }
}
