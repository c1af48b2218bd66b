package io.spillway.api;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.spillway.admission.AdmissionController;
import io.spillway.admission.Permit;
import io.spillway.api.ChannelAttributes.Attribute;

/**
 * The rest of Pusher's HTTP API, answered by the WebSocket fleet behind the broker (a soketi fleet in
 * {@code soketi} wire format): {@code GET /{app_id}/channels}, {@code /channels/{name}},
 * {@code /channels/{name}/users} and {@code POST /{app_id}/users/{user_id}/terminate_connections}. Signed like
 * publishes, admitted like them (one app token each), bounded by the fleet's deadline (then 503). Without a fleet
 * they answer 501.
 */
public final class ChannelsService implements HttpService {
    private static final byte[] EMPTY = new byte[0];
    private static final int MAX_USER_ID = 200;

    private final AppRegistry apps;
    private final RequestAuthenticator auth;
    private final BodyReader bodies;
    private final Optional<ChannelInfo> fleet;
    private final AppCharge charges;
    private final String unavailableReason;

    /**
     * @param fleet             the fleet's answers, or empty when there is none to ask
     * @param unavailableReason the 501's message when there is none
     */
    public ChannelsService(AppRegistry apps, RequestAuthenticator auth, ApiLimits limits, FleetAccess fleet,
                           AdmissionController admission, String unavailableReason) {
        this.apps = apps;
        this.auth = auth;
        this.bodies = new BodyReader(limits.maxBodyBytes(), limits.discardBytes());
        this.fleet = fleet.info();
        this.charges = new AppCharge(admission);
        this.unavailableReason = unavailableReason;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/{app_id}/channels", this::channels)
                .get("/{app_id}/channels/{channel}", this::channel)
                .get("/{app_id}/channels/{channel}/users", this::users)
                .post("/{app_id}/users/{user_id}/terminate_connections", this::terminate)
                .any("/{app_id}/channels", ApiErrors.methodNotAllowed("GET"))
                .any("/{app_id}/channels/{channel}", ApiErrors.methodNotAllowed("GET"))
                .any("/{app_id}/channels/{channel}/users", ApiErrors.methodNotAllowed("GET"))
                .any("/{app_id}/users/{user_id}/terminate_connections", ApiErrors.methodNotAllowed("POST"));
    }

    /**
     * The requests this service answers, for the admission filter: {@code GET /apps/{id}/channels[/{name}[/users]]}
     * and {@code POST /apps/{id}/users/{user_id}/terminate_connections}, matched on the raw path.
     */
    public static boolean isQuery(RoutingRequest req) {
        String[] parts = req.path().rawPath().split("/", -1); // "", "apps", id, ...
        if (parts.length < 4 || !parts[0].isEmpty() || !parts[1].equals("apps") || parts[2].isEmpty()) {
            return false;
        }
        Method method = req.prologue().method();
        if (method == Method.GET && parts[3].equals("channels")) {
            return parts.length == 4 || (parts.length == 5 && !parts[4].isEmpty())
                    || (parts.length == 6 && !parts[4].isEmpty() && parts[5].equals("users"));
        }
        return method == Method.POST && parts.length == 6 && parts[3].equals("users") && !parts[4].isEmpty()
                && parts[5].equals("terminate_connections");
    }

    private void channels(ServerRequest req, ServerResponse res) {
        Asked asked = ask(req, res, EMPTY);
        String prefix = req.query().first("filter_by_prefix").orElse("");
        Set<Attribute> attributes = ChannelAttributes.parse(req.query().first("info").orElse(null), "info");
        ChannelAttributes.requirePresenceForUserCount(attributes, prefix.startsWith("presence-"),
                                                      "use filter_by_prefix=presence-");
        Map<String, Integer> occupied = asked.fleet.await(asked.fleet.fleet().occupiedChannels(asked.app.id()));
        Map<String, CompletableFuture<ObjectNode>> answers = new java.util.TreeMap<>();
        occupied.forEach((channel, subscriptions) -> {
            // #server-to-user- channels are soketi's per-user plumbing, not channels an app names
            if (channel.startsWith(prefix) && !channel.startsWith("#")) {
                answers.put(channel, attributes.contains(Attribute.USER_COUNT)
                        ? asked.fleet.attributes(asked.app.id(), channel, attributes, false)
                        : CompletableFuture.completedFuture(subscriptionOnly(attributes, subscriptions)));
            }
        });
        asked.fleet.await(CompletableFuture.allOf(answers.values().toArray(CompletableFuture[]::new)));
        ObjectNode body = ChannelInfo.JSON.createObjectNode();
        ObjectNode channels = body.putObject("channels");
        answers.forEach((channel, attrs) -> channels.set(channel, attrs.join()));
        asked.answer(res, body.toString());
    }

    private static ObjectNode subscriptionOnly(Set<Attribute> attributes, int subscriptions) {
        ObjectNode node = ChannelInfo.JSON.createObjectNode();
        if (attributes.contains(Attribute.SUBSCRIPTION_COUNT)) {
            node.put("subscription_count", subscriptions);
        }
        return node;
    }

    private void channel(ServerRequest req, ServerResponse res) {
        Asked asked = ask(req, res, EMPTY);
        String channel = channelName(req);
        Set<Attribute> attributes = ChannelAttributes.parse(req.query().first("info").orElse(null), "info");
        ChannelAttributes.requirePresenceForUserCount(attributes, ChannelAttributes.isPresence(channel), channel);
        ObjectNode body = asked.fleet.await(asked.fleet.attributes(asked.app.id(), channel, attributes, true));
        asked.answer(res, body.toString());
    }

    private void users(ServerRequest req, ServerResponse res) {
        Asked asked = ask(req, res, EMPTY);
        String channel = channelName(req);
        if (!ChannelAttributes.isPresence(channel)) {
            throw ApiException.badRequest("users are only listed for presence channels, not '" + channel + "'");
        }
        Set<String> users = asked.fleet.await(asked.fleet.fleet().users(asked.app.id(), channel));
        ObjectNode body = ChannelInfo.JSON.createObjectNode();
        var list = body.putArray("users");
        new java.util.TreeSet<>(users).forEach(id -> list.addObject().put("id", id)); // stable order across answers
        asked.answer(res, body.toString());
    }

    private void terminate(ServerRequest req, ServerResponse res) {
        Optional<byte[]> body = bodies.read(req, res);
        if (body.isEmpty()) {
            return; // refused as too large, already answered
        }
        Asked asked = ask(req, res, body.get());
        String userId = req.path().pathParameters().get("user_id");
        if (userId.isEmpty() || userId.length() > MAX_USER_ID) {
            throw ApiException.badRequest("user_id must be 1 to " + MAX_USER_ID + " characters");
        }
        asked.fleet.await(asked.fleet.fleet().terminateUserConnections(asked.app.id(), userId));
        asked.answer(res, "{}");
    }

    /** 404 for an unknown app, 501 without a fleet, then the signature (401) and the app's bucket (429). */
    private Asked ask(ServerRequest req, ServerResponse res, byte[] body) {
        App app = app(req);
        ChannelInfo info = fleet.orElseThrow(() -> new ApiException(501, unavailableReason));
        auth.verify(app, req.prologue().method().text(), req.path().absolute().rawPath(), req.query(), body);
        charges.charge(app, 1, "query", res);
        return new Asked(app, info, req.context().get(Permit.class));
    }

    private App app(ServerRequest req) {
        String appId = req.path().pathParameters().get("app_id");
        return apps.find(appId).orElseThrow(() -> new ApiException(404, "unknown app_id '" + appId + "'"));
    }

    private static String channelName(ServerRequest req) {
        String channel = req.path().pathParameters().get("channel");
        if (!ChannelNames.isValid(channel, 200)) {
            throw ApiException.badRequest("invalid channel name");
        }
        return channel;
    }

    /** An admitted, signed query. */
    private record Asked(App app, ChannelInfo fleet, Optional<Permit> permit) {
        void answer(ServerResponse res, String json) {
            permit.ifPresent(Permit::onSuccess);
            res.header(HeaderValues.CONTENT_TYPE_JSON);
            res.send(json);
        }
    }
}
