package io.spillway.lifecycle;

import io.spillway.broker.ChannelMessage;
import io.spillway.broker.WireFormat;

/**
 * The pod's own traffic (pool priming, synthetic warm-up requests, probes) goes to the app id {@code _warmup}:
 * configured app ids must start with a letter or digit, so this namespace is never an app's, and the broker sends
 * it to {@code spillway.redis.internal-channel}, outside the apps' channel prefix.
 */
public final class WarmupChannel {
    public static final String APP_ID = WireFormat.INTERNAL_APP_ID;

    private WarmupChannel() {
    }

    static ChannelMessage message(String channel) {
        return new ChannelMessage(APP_ID, channel, "spillway-" + channel, "{}", null);
    }
}
