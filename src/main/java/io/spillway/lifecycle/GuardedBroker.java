package io.spillway.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import io.spillway.broker.Broker;
import io.spillway.broker.ChannelMessage;
import io.spillway.broker.PublishResult;
import io.spillway.broker.Subscription;

/**
 * The broker as the API sees it: every outcome feeds {@link BrokerHealth}, and while its circuit is open a publish
 * is refused at once, with no Redis call and no thread left waiting on a dead connection.
 */
public final class GuardedBroker implements Broker {
    private static final PublishResult CIRCUIT_OPEN =
            PublishResult.unavailable("Redis is failing (circuit open); retry shortly");

    private final Broker delegate;
    private final BrokerHealth health;

    public GuardedBroker(Broker delegate, BrokerHealth health) {
        this.delegate = delegate;
        this.health = health;
    }

    @Override
    public PublishResult publish(List<ChannelMessage> messages) {
        if (!health.circuitClosed()) {
            return CIRCUIT_OPEN;
        }
        PublishResult result = delegate.publish(messages);
        if (result.ok()) {
            health.onSuccess();
        } else if (delegate.connected()) {
            health.onFailure();
        }
        return result;
    }

    @Override
    public Subscription subscribe(String appId, String channel, Consumer<String> onPayload) {
        return delegate.subscribe(appId, channel, onPayload);
    }

    @Override
    public boolean connected() {
        return delegate.connected();
    }

    @Override
    public boolean ping(Duration timeout) {
        return delegate.ping(timeout);
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
