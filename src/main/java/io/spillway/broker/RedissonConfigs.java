package io.spillway.broker;

import java.time.Duration;

import org.redisson.client.codec.StringCodec;
import org.redisson.config.BaseConfig;
import org.redisson.config.ClusterServersConfig;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;
import org.redisson.config.SentinelServersConfig;
import org.redisson.config.SingleServerConfig;

/** Translates {@link RedisSettings} into Redisson's config, one topology at a time. */
final class RedissonConfigs {
    /** Between a timed-out attempt and its retry; short, since the whole deadline is about a second. */
    static final Duration RETRY_DELAY = Duration.ofMillis(50);

    private RedissonConfigs() {
    }

    static Config create(RedisSettings s) {
        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
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
                        .setSubscriptionConnectionPoolSize(Math.max(2, s.poolSize() / 4));
                common(single, s);
            }
            case SENTINEL -> {
                SentinelServersConfig sentinel = config.useSentinelServers()
                        .setMasterName(s.masterName())
                        .setScanInterval((int) s.scanInterval().toMillis())
                        .setCheckSentinelsList(false)
                        .setMasterConnectionMinimumIdleSize(s.minIdle())
                        .setMasterConnectionPoolSize(s.poolSize())
                        .setSlaveConnectionMinimumIdleSize(1)
                        .setSubscriptionConnectionMinimumIdleSize(1);
                s.nodes().forEach(sentinel::addSentinelAddress);
                common(sentinel, s);
            }
            case CLUSTER -> {
                ClusterServersConfig cluster = config.useClusterServers()
                        .setScanInterval((int) s.scanInterval().toMillis())
                        .setMasterConnectionMinimumIdleSize(s.minIdle())
                        .setMasterConnectionPoolSize(s.poolSize())
                        .setSlaveConnectionMinimumIdleSize(1)
                        .setSubscriptionConnectionMinimumIdleSize(1);
                s.nodes().forEach(cluster::addNodeAddress);
                common(cluster, s);
            }
        }
        return config;
    }

    private static void common(BaseConfig<?> c, RedisSettings s) {
        c.setTimeout((int) s.responseTimeout().toMillis());
        c.setConnectTimeout((int) s.connectTimeout().toMillis());
        c.setRetryAttempts(s.retryAttempts());
        c.setRetryDelay(new ConstantDelay(RETRY_DELAY));
        c.setReconnectionDelay(new ConstantDelay(Duration.ofMillis(100)));
        if (s.password() != null && !s.password().isEmpty()) {
            c.setPassword(s.password());
        }
    }
}
