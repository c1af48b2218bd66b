package io.spillway.broker;

import java.util.Collection;
import java.util.logging.Logger;

import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisClusterMaster;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.api.redisnode.RedisNodes;

/** Decides once per connection whether cluster publishes use SPUBLISH; see {@link ShardedPublish}. */
final class ShardedPublishDetector {
    private static final Logger LOG = Logger.getLogger(ShardedPublishDetector.class.getName());
    /** SPUBLISH and SSUBSCRIBE arrived in Redis 7.0. */
    private static final int FIRST_MAJOR = 7;

    private ShardedPublishDetector() {
    }

    static boolean decide(RedisSettings settings, RedissonClient client) {
        if (settings.mode() != RedisSettings.Mode.CLUSTER) {
            return false;
        }
        return switch (settings.shardedPublish()) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> everyMasterSupportsSharded(client.getRedisNodes(RedisNodes.CLUSTER).getMasters());
        };
    }

    /** False when any master is older than 7.0 or cannot tell: plain PUBLISH works everywhere. */
    private static boolean everyMasterSupportsSharded(Collection<RedisClusterMaster> masters) {
        if (masters.isEmpty()) {
            return false;
        }
        for (RedisClusterMaster master : masters) {
            String version;
            try {
                version = master.info(RedisNode.InfoSection.SERVER).getOrDefault("redis_version", "");
            } catch (RuntimeException e) {
                LOG.warning(() -> "cannot read the version of " + master.getAddr() + " (" + e.getMessage()
                        + "); publishing with PUBLISH");
                return false;
            }
            if (major(version) < FIRST_MAJOR) {
                LOG.info(() -> master.getAddr() + " runs Redis " + version + "; publishing with PUBLISH");
                return false;
            }
        }
        return true;
    }

    static int major(String version) {
        int dot = version.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? version.trim() : version.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
