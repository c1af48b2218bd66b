package io.spillway.broker;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.HashedWheelTimer;
import org.redisson.client.RedisClient;
import org.redisson.client.RedisClientConfig;
import org.redisson.client.RedisConnection;
import org.redisson.client.codec.StringCodec;
import org.redisson.client.protocol.RedisStrictCommand;
import org.redisson.client.protocol.decoder.RedisURIDecoder;
import org.redisson.misc.RedisURI;

/**
 * Asks every configured sentinel who the master is ({@code SENTINEL GET-MASTER-ADDR-BY-NAME}) on one kept-open
 * connection each. Redisson asks one sentinel per scan interval and keeps publishing to the old master until then;
 * during a graceful failover that old master is alive and acknowledges PUBLISH while the subscribers have already
 * moved. Comparing Redisson's master with the sentinels' majority lets the broker refuse (503) instead.
 */
// Redisson internals (RedisClient, RedisStrictCommand, RedisURIDecoder): the public RedisSentinel.getMasterAddr asks
// only the sentinels Redisson itself tracks, over its pooled connections, not every configured one on its own.
final class SentinelMasterGate implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SentinelMasterGate.class.getName());
    private static final RedisStrictCommand<RedisURI> MASTER_ADDRESS =
            new RedisStrictCommand<>("SENTINEL", "GET-MASTER-ADDR-BY-NAME", new RedisURIDecoder("redis"));

    private final String masterName;
    private final long timeoutMillis;
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final HashedWheelTimer timer = new HashedWheelTimer();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Sentinel> sentinels;
    private volatile boolean closed;

    SentinelMasterGate(RedisSettings settings) {
        this.masterName = settings.masterName();
        this.timeoutMillis = settings.responseTimeout().toMillis();
        this.sentinels = settings.nodes().stream().map(address -> new Sentinel(new RedisClientConfig()
                .setAddress(address)
                .setConnectTimeout((int) settings.connectTimeout().toMillis())
                .setCommandTimeout((int) timeoutMillis)
                .setClientName(settings.clientName().isBlank() ? null : settings.clientName() + "-gate")
                // As Redisson does: the sentinels' own credentials, else the nodes' password.
                .setUsername(settings.sentinelUsername().isEmpty() ? null : settings.sentinelUsername())
                .setPassword(!settings.sentinelPassword().isEmpty() ? settings.sentinelPassword()
                                     : settings.password().isEmpty() ? null : settings.password())
                .setGroup(group)
                .setSocketChannelClass(NioSocketChannel.class)
                // Netty's JDK resolver: the default DNS resolver group probes for epoll, absent here.
                .setResolverGroup(DefaultAddressResolverGroup.INSTANCE)
                .setTimer(timer)
                .setExecutor(executor))).toList();
    }

    /**
     * The master ({@code ip:port}) that a majority of the configured sentinels name now, or empty when there is no
     * such majority (sentinels down, unreachable or still disagreeing): then nothing is known better than Redisson.
     */
    Optional<String> majorityMaster() {
        if (closed) {
            return Optional.empty();
        }
        List<CompletableFuture<String>> answers = sentinels.stream().map(Sentinel::master).toList();
        try {
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                    .get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // some sentinels did not answer: count those that did
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        Map<String, Integer> votes = new HashMap<>();
        for (CompletableFuture<String> answer : answers) {
            if (answer.isDone() && !answer.isCompletedExceptionally() && answer.join() != null) {
                votes.merge(answer.join(), 1, Integer::sum);
            }
        }
        int majority = sentinels.size() / 2 + 1;
        return votes.entrySet().stream().filter(e -> e.getValue() >= majority).map(Map.Entry::getKey).findFirst();
    }

    @Override
    public void close() {
        closed = true;
        sentinels.forEach(Sentinel::close);
        timer.stop();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        executor.shutdownNow();
    }

    /** One sentinel and its connection, opened on first use and again on the next ask after it dropped. */
    private final class Sentinel {
        private final RedisClientConfig config;
        private RedisClient client;
        private volatile CompletableFuture<RedisConnection> connection;
        private final AtomicBoolean authWarned = new AtomicBoolean();

        Sentinel(RedisClientConfig config) {
            this.config = config;
        }

        synchronized CompletableFuture<String> master() {
            CompletableFuture<RedisConnection> c = connection;
            if (c == null || c.isCompletedExceptionally() || (c.isDone() && !c.join().isActive())) {
                try {
                    if (client == null) {
                        client = RedisClient.create(config);
                    }
                    c = client.connectAsync().toCompletableFuture();
                } catch (RuntimeException e) {
                    return CompletableFuture.failedFuture(e);
                }
                connection = c;
            }
            return c.thenCompose(conn -> conn.<RedisURI, RedisURI>async(timeoutMillis, StringCodec.INSTANCE,
                                                                         MASTER_ADDRESS, masterName)
                            .toCompletableFuture())
                    .thenApply(uri -> uri == null ? null : address(uri))
                    .whenComplete((master, failure) -> warnIfRefused(failure));
        }

        /** A sentinel that wants AUTH never answers: say so once, or the gate would silently do nothing. */
        private void warnIfRefused(Throwable failure) {
            String message = failure == null ? "" : String.valueOf(rootCause(failure).getMessage());
            if ((message.contains("NOAUTH") || message.contains("WRONGPASS") || message.contains("invalid password"))
                    && !authWarned.getAndSet(true)) {
                LOG.warning("sentinel " + config.getAddress() + " refuses the stale-master gate: "
                                    + message.split("\\.* channel:")[0] + " (set spillway.redis.sentinel-password / sentinel-username)");
            }
        }

        synchronized void close() {
            if (client != null) {
                client.shutdown();
            }
        }
    }

    private static Throwable rootCause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /** {@code ip:port}, resolving a host name, so it compares equal to Redisson's view of its master. */
    private static String address(RedisURI uri) {
        return TopologyView.address(new InetSocketAddress(uri.getHost(), uri.getPort()));
    }
}
