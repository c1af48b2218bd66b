package io.spillway.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.helidon.http.sse.SseEvent;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;
import io.spillway.admission.RejectReason;
import io.spillway.admission.TrafficGate;
import io.spillway.broker.Broker;
import io.spillway.broker.CompactJson;
import io.spillway.broker.Subscription;

/**
 * {@code GET /apps/{app_id}/channels/{channel}/stream}: a Server-Sent Events watch of one channel, so a person
 * can see events arrive. One SSE event per published event ({@code event:} the event name, {@code data:} the
 * wire payload). Signed like a publish (GET, no body).
 *
 * <p>A stream opens only through the lifecycle gate (503 while warming, draining or with the broker circuit open)
 * and within {@link WatcherSlots its caps} (429 per app, 503 per pod). When the gateway drains, an open stream
 * gets the comment {@code : closing: gateway is draining, reconnect} and then its end; an EventSource reconnects by
 * itself, through the load balancer to another pod.
 */
public final class StreamService implements HttpService, AutoCloseable {
    private static final byte[] EMPTY = new byte[0];
    private static final int QUEUE = 1024;

    private final AppRegistry apps;
    private final RequestAuthenticator auth;
    private final Broker broker;
    private final Duration heartbeat;
    private final TrafficGate gate;
    private final BooleanSupplier stopping;
    private final WatcherSlots slots;
    private final JsonFactory json = CompactJson.factoryBuilder().build();

    /**
     * @param gate     the lifecycle's say on whether a stream may open
     * @param stopping true once the gateway drains; open streams then end and new ones are refused
     * @param registry where the stream meters go (see {@link WatcherSlots})
     */
    public StreamService(AppRegistry apps, RequestAuthenticator auth, Broker broker, StreamSettings settings,
                         TrafficGate gate, BooleanSupplier stopping, MeterRegistry registry) {
        this.apps = apps;
        this.auth = auth;
        this.broker = broker;
        this.heartbeat = settings.heartbeat();
        this.gate = gate;
        this.stopping = stopping;
        this.slots = new WatcherSlots(settings, registry);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/{app_id}/channels/{channel}/stream", this::stream)
                .any("/{app_id}/channels/{channel}/stream", ApiErrors.methodNotAllowed("GET"));
    }

    private void stream(ServerRequest req, ServerResponse res) {
        String appId = req.path().pathParameters().get("app_id");
        App app = apps.find(appId).orElseThrow(() -> new ApiException(404, "unknown app_id '" + appId + "'"));
        auth.verify(app, "GET", req.path().absolute().rawPath(), req.query(), EMPTY);
        String channel = req.path().pathParameters().get("channel");
        if (!ChannelNames.isValid(channel, 200)) {
            throw ApiException.badRequest("invalid channel name");
        }
        Optional<RejectReason> refusal = stopping.getAsBoolean() ? Optional.of(RejectReason.DRAINING) : gate.refusal();
        if (refusal.isPresent()) {
            slots.refused(refusal.get().label());
            throw new ApiException(refusal.get().status(), refusal.get().message(), 1);
        }
        BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
        // A watcher that cannot keep up loses events rather than holding memory: this is a viewer, not a consumer.
        try (WatcherSlots.Slot ignoredSlot = slots.acquire(app.id());
             Subscription ignored = broker.subscribe(app.id(), channel, queue::offer);
             SseSink sink = res.sink(SseSink.TYPE)) {
            sink.emit(SseEvent.builder().comment("watching " + channel).build());
            while (!stopping.getAsBoolean()) {
                String payload = queue.poll(heartbeat.toMillis(), TimeUnit.MILLISECONDS);
                if (payload == null) {
                    sink.emit(SseEvent.builder().comment("heartbeat").build());
                } else {
                    sink.emit(SseEvent.builder().name(eventName(payload)).data(payload).build());
                }
            }
            sink.emit(SseEvent.builder().comment("closing: gateway is draining, reconnect").build());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (UncheckedIOException e) {
            // the client went away: nothing to answer
        }
    }

    @Override
    public void close() {
        slots.close();
    }

    private String eventName(String payload) {
        try (JsonParser p = json.createParser(payload)) {
            while (p.nextToken() != null) {
                if (p.currentToken() == JsonToken.FIELD_NAME && "event".equals(p.currentName())) {
                    p.nextToken();
                    return p.getText();
                }
            }
        } catch (IOException e) {
            return "message";
        }
        return "message";
    }
}
