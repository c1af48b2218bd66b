package io.spillway.api;

import java.util.List;
import java.util.Optional;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.spillway.admission.AdmissionController;
import io.spillway.admission.Permit;
import io.spillway.broker.Broker;
import io.spillway.broker.ChannelMessage;
import io.spillway.broker.PublishResult;

/**
 * Pusher's publish endpoints under {@code /apps}: {@code POST /{app_id}/events} and {@code /batch_events}.
 * A 2xx means the broker acknowledged every message of the request; anything it did not is a 503 the client
 * may retry.
 */
public final class PublishService implements HttpService {
    private final AppRegistry apps;
    private final RequestAuthenticator auth;
    private final BodyReader bodies;
    private final PublishParser parser;
    private final Broker broker;
    private final Optional<ChannelInfo> fleet;
    private final AppCharge charges;
    private final long brokerRetryAfterSeconds;

    /**
     * @param brokerRetryAfterSeconds {@code Retry-After} of a 503 for a publish the broker did not acknowledge
     */
    public PublishService(AppRegistry apps, RequestAuthenticator auth, ApiLimits limits, Broker broker,
                          AdmissionController admission, long brokerRetryAfterSeconds) {
        this(apps, auth, limits, broker, admission, brokerRetryAfterSeconds, FleetAccess.NONE);
    }

    /** @param fleet answers the channel attributes a publish's {@code info} asks for; without one it is ignored */
    public PublishService(AppRegistry apps, RequestAuthenticator auth, ApiLimits limits, Broker broker,
                          AdmissionController admission, long brokerRetryAfterSeconds, FleetAccess fleet) {
        this.fleet = fleet.info();
        this.charges = new AppCharge(admission);
        this.apps = apps;
        this.auth = auth;
        this.bodies = new BodyReader(limits.maxBodyBytes(), limits.discardBytes());
        this.parser = new PublishParser(limits);
        this.broker = broker;
        this.brokerRetryAfterSeconds = brokerRetryAfterSeconds;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/{app_id}/events", (req, res) -> publish(req, res, false))
                .post("/{app_id}/batch_events", (req, res) -> publish(req, res, true))
                .any("/{app_id}/events", ApiErrors.methodNotAllowed("POST"))
                .any("/{app_id}/batch_events", ApiErrors.methodNotAllowed("POST"));
    }

    private void publish(ServerRequest req, ServerResponse res, boolean batch) {
        App app = app(req);
        Optional<byte[]> read = bodies.read(req, res);
        if (read.isEmpty()) {
            return; // refused as too large, already answered
        }
        byte[] body = read.get();
        auth.verify(app, "POST", req.path().absolute().rawPath(), req.query(), body);
        PublishRequest request = batch ? parser.parseBatchRequest(app.id(), body)
                                       : parser.parseEventRequest(app.id(), body);
        List<ChannelMessage> messages = request.messages();
        if (!apps.isWarmup(app)) {
            charges.charge(app, messages.size(), "message", res);
        }
        // Asked before publishing: when the fleet cannot answer, nothing has been sent and a retry duplicates nothing.
        String answer = request.info().isEmpty() ? null
                : fleet.map(f -> f.publishAnswer(app.id(), request, batch)).orElse(null);
        Optional<Permit> permit = req.context().get(Permit.class);
        PublishResult result = broker.publish(messages);
        if (!result.ok()) {
            permit.ifPresent(result.brokerFault() ? Permit::onDropped : Permit::onIgnore);
            throw new ApiException(503, "not acknowledged by the broker, retry later: " + result.detail(),
                                   brokerRetryAfterSeconds);
        }
        permit.ifPresent(Permit::onSuccess);
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(answer != null ? answer : batch ? batchResponse(request.items()) : "{}");
    }

    App app(ServerRequest req) {
        String appId = req.path().pathParameters().get("app_id");
        return apps.find(appId).orElseThrow(() -> new ApiException(404, "unknown app_id '" + appId + "'"));
    }

    private static String batchResponse(int items) {
        StringBuilder sb = new StringBuilder(12 + 3 * items).append("{\"batch\":[");
        for (int i = 0; i < items; i++) {
            sb.append(i == 0 ? "{}" : ",{}");
        }
        return sb.append("]}").toString();
    }
}
