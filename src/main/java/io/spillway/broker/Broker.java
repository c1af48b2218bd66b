package io.spillway.broker;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The publisher port: where acknowledged events go. Implementations: {@link MemoryBroker} (embedded, no Redis)
 * and {@link RedissonBroker}.
 */
public interface Broker extends AutoCloseable {

    /**
     * Publishes every message and waits for the broker's acknowledgement, never longer than the broker's
     * configured deadline. Never throws for broker trouble: the verdict is in the result.
     */
    PublishResult publish(List<ChannelMessage> messages);

    /** Delivers the payload of every message later published to this app channel. */
    Subscription subscribe(String appId, String channel, Consumer<String> onPayload);

    /** Whether every node of the broker answers a PING within {@code timeout}. */
    default boolean ping(Duration timeout) {
        return connected();
    }

    /** Whether the broker is connected now (the process may still be starting or Redis may be away). */
    boolean connected();

    /** A short name for logs and metrics, e.g. {@code memory} or {@code redis-single}. */
    String name();

    @Override
    void close();
}
