package io.spillway.broker;

import java.time.Duration;
import java.util.List;

import org.redisson.misc.RedisURI;

/**
 * How to reach Redis and how long a publish may take. Defaults suit a publish tier: fail within a second
 * instead of Redisson's multi-second retry budget, because the client retries anyway.
 *
 * @param mode            single, sentinel or cluster
 * @param address         the server in single mode
 * @param masterName      the Sentinel master name
 * @param nodes           sentinels (sentinel mode) or seed nodes (cluster mode)
 * @param channelPrefix   prefix of every Redis channel
 * @param publishTimeout  the whole deadline of one request's publishes, retries included
 * @param responseTimeout how long Redisson waits for one reply before retrying
 * @param retryAttempts   Redisson retries of a command within the deadline
 * @param connectTimeout  TCP connect timeout
 * @param minIdle         connections opened (and PINGed) before the pod may be ready
 * @param poolSize        most connections per node
 * @param scanInterval    topology refresh period in sentinel and cluster modes: how long a failover may stay
 *                        unnoticed
 * @param shardedPublish  in cluster mode, SPUBLISH (Redis 7+) instead of PUBLISH
 * @param retryDelay      pause before Redisson retries a failed or timed-out command
 * @param pingInterval    PING on every connection this often, so a hung (not refusing) node is noticed and its
 *                        connections, subscriptions included, are replaced; zero disables
 * @param subscriptionTimeout how long subscribing (the SSE watch stream) may take
 * @param subscriptionPoolSize most pub/sub connections per node (each carries many subscriptions)
 * @param clientName      CLIENT SETNAME of every connection, so operators can tell the gateway's connections apart
 * @param wireFormat      what a published message looks like on Redis (SPEC's own format or soketi's broadcast)
 * @param soketiPrefix    the soketi fleet's {@code SOKETI_ADAPTER_REDIS_PREFIX} (soketi format only)
 * @param soketiQueryTimeout how long a channel query to the soketi fleet may wait for every node's answer
 */
public record RedisSettings(Mode mode, String address, String masterName, List<String> nodes, String password,
                            String channelPrefix, Duration publishTimeout, Duration responseTimeout,
                            int retryAttempts, Duration connectTimeout, int minIdle, int poolSize,
                            Duration scanInterval, ShardedPublish shardedPublish, Duration retryDelay,
                            Duration pingInterval, Duration subscriptionTimeout, int subscriptionPoolSize,
                            String clientName, WireFormat.Kind wireFormat, String soketiPrefix,
                            Duration soketiQueryTimeout) {

    public enum Mode { SINGLE, SENTINEL, CLUSTER }

    public RedisSettings {
        nodes = List.copyOf(nodes);
        if (mode == Mode.SINGLE && (address == null || address.isBlank())) {
            throw new IllegalArgumentException("spillway.redis.address is required in single mode");
        }
        if (mode != Mode.SINGLE && nodes.isEmpty()) {
            throw new IllegalArgumentException("spillway.redis.nodes is required in " + mode.name().toLowerCase()
                    + " mode");
        }
        if (mode == Mode.SINGLE && !RedisURI.isValid(address)) {
            throw new IllegalArgumentException("spillway.redis.address: '" + address
                                                       + "' must start with redis:// or rediss://");
        }
        for (String node : nodes) {
            if (!RedisURI.isValid(node)) {
                throw new IllegalArgumentException("spillway.redis.nodes: '" + node
                                                           + "' must start with redis:// or rediss://");
            }
        }
        if (mode == Mode.SENTINEL && (masterName == null || masterName.isBlank())) {
            throw new IllegalArgumentException("spillway.redis.master-name is required in sentinel mode");
        }
        if (minIdle < 1 || poolSize < minIdle) {
            throw new IllegalArgumentException("spillway.redis.min-idle must be >= 1 and <= pool-size");
        }
        if (retryAttempts < 0) {
            throw new IllegalArgumentException("spillway.redis.retry-attempts must be >= 0");
        }
        if (publishTimeout.toMillis() < 10 || responseTimeout.toMillis() < 10) {
            throw new IllegalArgumentException("spillway.redis.publish-timeout and response-timeout must be >= 10ms");
        }
        if (connectTimeout.toMillis() < 10 || subscriptionTimeout.toMillis() < 10) {
            throw new IllegalArgumentException("spillway.redis.connect-timeout and subscription-timeout must be >= 10ms");
        }
        if (scanInterval.toMillis() < 10) {
            throw new IllegalArgumentException("spillway.redis.scan-interval must be >= 10ms");
        }
        if (retryDelay.isNegative() || pingInterval.isNegative()) {
            throw new IllegalArgumentException("spillway.redis.retry-delay and ping-interval must not be negative");
        }
        if (wireFormat == WireFormat.Kind.SOKETI && mode == Mode.CLUSTER && shardedPublish != ShardedPublish.OFF) {
            // soketi PSUBSCRIBEs redis-adapter*, and a pattern subscriber never sees a sharded (SPUBLISH) message
            throw new IllegalArgumentException("spillway.redis.sharded-publish must be false with wire-format: soketi "
                                                       + "in cluster mode (soketi's nodes PSUBSCRIBE, which never "
                                                       + "receives SPUBLISH)");
        }
        if (soketiPrefix == null || soketiPrefix.contains("*")) {
            throw new IllegalArgumentException("spillway.redis.soketi-prefix must not contain '*'");
        }
        if (soketiQueryTimeout.toMillis() < 10) {
            throw new IllegalArgumentException("spillway.redis.soketi-query-timeout must be >= 10ms");
        }
        if (subscriptionPoolSize < 1) {
            throw new IllegalArgumentException("spillway.redis.subscription-pool-size must be >= 1");
        }
    }
}
