package io.spillway.broker;

import java.time.Duration;

import org.redisson.client.codec.StringCodec;
import org.redisson.config.BaseConfig;
import org.redisson.config.BaseMasterSlaveServersConfig;
import org.redisson.config.ClusterServersConfig;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;
import org.redisson.config.ReadMode;
import org.redisson.config.SentinelServersConfig;
import org.redisson.config.SingleServerConfig;
import org.redisson.config.SubscriptionMode;
import org.redisson.connection.ConnectionListener;

/** Translates {@link RedisSettings} into Redisson's config, one topology at a time. */
final class RedissonConfigs {
    /** Between reconnect attempts to a node that dropped; short, a failover is measured in seconds. */
    private static final Duration RECONNECT_DELAY = Duration.ofMillis(100);

    private RedissonConfigs() {
    }

    static Config create(RedisSettings s, ConnectionListener connections) {
        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        config.setConnectionListener(connections);
        // Redisson's defaults (32 netty threads, 16 callback threads) are sized for big hosts; a publish tier pod
        // has a core or two, and idle threads there only add memory and context switches.
        int cpus = Runtime.getRuntime().availableProcessors();
        config.setNettyThreads(Math.max(4, 2 * cpus));
        config.setThreads(Math.max(2, cpus));
        switch (s.mode()) {
            case SINGLE -> {
                SingleServerConfig single = config.useSingleServer()
                        .setAddress(s.address())
                        .setConnectionMinimumIdleSize(s.minIdle())
                        .setConnectionPoolSize(s.poolSize())
                        .setSubscriptionConnectionMinimumIdleSize(1)
                        .setSubscriptionConnectionPoolSize(s.subscriptionPoolSize());
                common(single, s);
            }
            case SENTINEL -> {
                SentinelServersConfig sentinel = config.useSentinelServers()
                        .setMasterName(s.masterName())
                        .setScanInterval(millis(s.scanInterval()))
                        // A sentinel list shorter than expected (one down) must not stop the gateway from starting.
                        .setCheckSentinelsList(false);
                s.nodes().forEach(sentinel::addSentinelAddress);
                if (!s.sentinelPassword().isEmpty()) {
                    sentinel.setSentinelPassword(s.sentinelPassword());
                }
                if (!s.sentinelUsername().isEmpty()) {
                    sentinel.setSentinelUsername(s.sentinelUsername());
                }
                masterOnly(sentinel, s);
                common(sentinel, s);
            }
            case CLUSTER -> {
                ClusterServersConfig cluster = config.useClusterServers()
                        .setScanInterval(millis(s.scanInterval()));
                s.nodes().forEach(cluster::addNodeAddress);
                masterOnly(cluster, s);
                common(cluster, s);
            }
        }
        return config;
    }

    /**
     * Publishes and subscriptions both go to masters only: a PUBLISH on a replica is accepted but reaches only that
     * replica's subscribers, and with no replica traffic Redisson opens no replica connections at all.
     */
    private static void masterOnly(BaseMasterSlaveServersConfig<?> c, RedisSettings s) {
        c.setReadMode(ReadMode.MASTER)
                .setSubscriptionMode(SubscriptionMode.MASTER)
                .setMasterConnectionMinimumIdleSize(s.minIdle())
                .setMasterConnectionPoolSize(s.poolSize())
                .setSubscriptionConnectionMinimumIdleSize(1)
                .setSubscriptionConnectionPoolSize(s.subscriptionPoolSize())
                .setSlaveConnectionMinimumIdleSize(0)
                .setSlaveConnectionPoolSize(1);
    }

    private static void common(BaseConfig<?> c, RedisSettings s) {
        c.setTimeout(millis(s.responseTimeout()));
        c.setConnectTimeout(millis(s.connectTimeout()));
        c.setRetryAttempts(s.retryAttempts());
        c.setRetryDelay(new ConstantDelay(s.retryDelay()));
        c.setReconnectionDelay(new ConstantDelay(RECONNECT_DELAY));
        c.setPingConnectionInterval(millis(s.pingInterval()));
        c.setSubscriptionTimeout(millis(s.subscriptionTimeout()));
        if (!s.clientName().isBlank()) {
            c.setClientName(s.clientName());
        }
        if (s.password() != null && !s.password().isEmpty()) {
            c.setPassword(s.password());
        }
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }
}
