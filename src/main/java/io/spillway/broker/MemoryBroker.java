package io.spillway.broker;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * In-process pub/sub: the embedded default, so the gateway runs with no Redis. Delivery is synchronous on the
 * publishing thread, so listeners must not block (the SSE stream hands payloads to a queue).
 */
public final class MemoryBroker implements Broker {
    private final WireFormat wire;
    private final Map<String, List<Consumer<String>>> listeners = new ConcurrentHashMap<>();

    public MemoryBroker(WireFormat wire) {
        this.wire = wire;
    }

    @Override
    public PublishResult publish(List<ChannelMessage> messages) {
        for (ChannelMessage message : messages) {
            List<Consumer<String>> subscribers = listeners.get(wire.topic(message));
            if (subscribers != null && !subscribers.isEmpty()) {
                String payload = wire.payload(message);
                subscribers.forEach(s -> s.accept(payload));
            }
        }
        return PublishResult.acked(messages.size());
    }

    @Override
    public Subscription subscribe(String appId, String channel, Consumer<String> onPayload) {
        String topic = wire.topic(appId, channel);
        Consumer<String> listener = wire.only(appId, channel, onPayload);
        listeners.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(listener);
        return () -> listeners.computeIfPresent(topic, (t, list) -> {
            list.remove(listener);
            return list.isEmpty() ? null : list;
        });
    }

    @Override
    public boolean connected() {
        return true;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public void close() {
        listeners.clear();
    }
}
