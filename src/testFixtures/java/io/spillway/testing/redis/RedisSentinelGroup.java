package io.spillway.testing.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A master, N replicas and M sentinels on loopback, tuned for fast failover (down-after 1 s,
 * failover-timeout 3 s). {@link Builder#start()} returns only when the replicas are in sync and every
 * sentinel sees the master, all replicas and all other sentinels, so a failover can start at once.
 */
public final class RedisSentinelGroup implements AutoCloseable {

    private final Builder spec;
    private final List<RedisNode> nodes = new ArrayList<>();
    private final List<RedisNode> sentinels = new ArrayList<>();

    private RedisSentinelGroup(Builder spec) {
        this.spec = spec;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** 1 master, 2 replicas, 3 sentinels, quorum 2. */
    public static RedisSentinelGroup start() {
        return builder().start();
    }

    public String masterName() {
        return spec.masterName;
    }

    /** {@code redis://127.0.0.1:PORT} of every sentinel (dead ones included: clients must cope). */
    public List<String> sentinelUris() {
        return sentinels.stream().map(RedisNode::uri).toList();
    }

    public List<RedisNode> sentinels() {
        return List.copyOf(sentinels);
    }

    /** Data nodes (the initial master first), dead or alive; roles change with failovers. */
    public List<RedisNode> nodes() {
        return List.copyOf(nodes);
    }

    /** Port of the master according to the first sentinel that answers {@code SENTINEL get-master-addr-by-name}. */
    public int currentMaster() {
        RuntimeException last = null;
        for (RedisNode sentinel : sentinels) {
            if (!sentinel.isServing()) {
                continue;
            }
            try {
                return masterPortAccordingTo(sentinel);
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new IllegalStateException("no sentinel answered", last);
    }

    /** The data node that sentinels currently name as master. */
    public RedisNode master() {
        return node(currentMaster());
    }

    /** Data nodes that are alive and not the current master. */
    public List<RedisNode> replicas() {
        int master = currentMaster();
        return nodes.stream().filter(n -> n.isAlive() && n.port() != master).toList();
    }

    /** The data node on {@code port}. */
    public RedisNode node(int port) {
        return nodes.stream().filter(n -> n.port() == port).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no data node on port " + port));
    }

    /**
     * Waits until every serving sentinel names the same master other than {@code previousPort} and that
     * node reports {@code role:master}; returns its port.
     */
    public int awaitMasterChange(int previousPort, Duration timeout) {
        return Await.value("sentinels to agree on a master other than " + previousPort, timeout, () -> {
            Optional<Integer> agreed = agreedMaster();
            if (agreed.isEmpty() || agreed.get() == previousPort) {
                return Optional.empty();
            }
            return "master".equals(node(agreed.get()).info("replication").get("role")) ? agreed : Optional.empty();
        });
    }

    /**
     * Restarts a dead (or alive) data node and points it at the current master at once, then waits for
     * all replicas to attach. A plain {@link RedisNode#restart()} also ends up as a replica, but sentinel
     * first lets a returning ex-master run as a lone, empty master for about 8 s (4 x its 2 s hello
     * period) before converting it; use that path only when testing exactly that window.
     */
    public void rejoin(RedisNode node, Duration timeout) {
        node.restart();
        int master = currentMaster();
        if (node.port() != master) {
            node.command("REPLICAOF", "127.0.0.1", String.valueOf(master));
        }
        awaitReplicasAttached(timeout);
    }

    /** Waits until every alive non-master data node replicates the current master with its link up. */
    public void awaitReplicasAttached(Duration timeout) {
        Await.until("replicas to attach to the current master", timeout, () -> replicasAttachedTo(currentMaster()));
    }

    /**
     * Waits until every serving sentinel agrees on the master, has no failover in progress, and lists
     * every serving replica and every other serving sentinel as healthy. Note that sentinel itself will
     * not start another failover of the same master within 2 x failover-timeout (6 s) of the last one.
     */
    public void awaitSentinelsSettled(Duration timeout) {
        Await.until("sentinels to see master, replicas and each other", timeout, this::sentinelsSettled);
    }

    @Override
    public void close() {
        // Sentinels first, so they do not start a failover while the data nodes go down.
        sentinels.forEach(RedisNode::close);
        nodes.forEach(RedisNode::close);
    }

    @Override
    public String toString() {
        return "sentinel group " + spec.masterName + " nodes " + nodes + " sentinels " + sentinels;
    }

    private void launch() {
        RedisNode master = dataNode("master").start();
        nodes.add(master);
        for (int i = 0; i < spec.replicas; i++) {
            nodes.add(dataNode("replica").replicaOf(master.port()).start());
        }
        Await.until("replicas in sync with " + master, spec.startTimeout, () -> replicasAttachedTo(master.port()));
        for (int i = 0; i < spec.sentinels; i++) {
            sentinels.add(sentinelFor(master.port()).start());
        }
        awaitSentinelsSettled(spec.startTimeout);
    }

    /** A data node; with a password it requires it and replicates with it (any node may become a replica). */
    private RedisNode.Builder dataNode(String name) {
        RedisNode.Builder node = RedisNode.builder().name(name);
        if (spec.password != null) {
            node.password(spec.password).config("masterauth " + spec.password);
        }
        return node;
    }

    private RedisNode.Builder sentinelFor(int masterPort) {
        String name = spec.masterName;
        RedisNode.Builder sentinel = RedisNode.builder().name("sentinel").sentinel();
        if (spec.sentinelPassword != null) {
            sentinel.password(spec.sentinelPassword); // sentinels AUTH to each other with it too
        }
        return sentinel
                .config("sentinel resolve-hostnames no")
                .config("sentinel announce-ip 127.0.0.1")
                .config("sentinel monitor " + name + " 127.0.0.1 " + masterPort + " " + spec.quorum)
                .config("sentinel down-after-milliseconds " + name + " " + spec.downAfter.toMillis())
                .config("sentinel failover-timeout " + name + " " + spec.failoverTimeout.toMillis())
                .config("sentinel parallel-syncs " + name + " 1")
                .config(spec.password == null ? "" : "sentinel auth-pass " + name + " " + spec.password);
    }

    private int masterPortAccordingTo(RedisNode sentinel) {
        List<?> addr = (List<?>) sentinel.command(Duration.ofSeconds(2), "SENTINEL", "get-master-addr-by-name", spec.masterName);
        if (addr == null) {
            throw new IllegalStateException(sentinel + " does not know " + spec.masterName);
        }
        return Integer.parseInt((String) addr.get(1));
    }

    /** The master all serving sentinels name, if they agree. */
    private Optional<Integer> agreedMaster() {
        Set<Integer> named = sentinels.stream().filter(RedisNode::isServing)
                .map(this::masterPortAccordingTo).collect(Collectors.toSet());
        return named.size() == 1 ? Optional.of(named.iterator().next()) : Optional.empty();
    }

    private boolean replicasAttachedTo(int masterPort) {
        RedisNode master = node(masterPort);
        Map<String, String> masterView = master.info("replication");
        if (!"master".equals(masterView.get("role"))) {
            return false;
        }
        for (RedisNode replica : nodes) {
            if (replica == master || !replica.isServing()) {
                continue;
            }
            Map<String, String> view = replica.info("replication");
            boolean linked = "slave".equals(view.get("role"))
                    && String.valueOf(masterPort).equals(view.get("master_port"))
                    && "up".equals(view.get("master_link_status"));
            boolean onlineAtMaster = masterView.values().stream()
                    .anyMatch(v -> v.contains("port=" + replica.port() + ",") && v.contains("state=online"));
            if (!linked || !onlineAtMaster) {
                return false;
            }
        }
        return true;
    }

    private boolean sentinelsSettled() {
        Optional<Integer> master = agreedMaster();
        if (master.isEmpty()) {
            return false;
        }
        Set<Integer> replicaPorts = nodes.stream().filter(n -> n.isServing() && n.port() != master.get())
                .map(RedisNode::port).collect(Collectors.toSet());
        for (RedisNode sentinel : sentinels) {
            if (!sentinel.isServing()) {
                continue;
            }
            String masterFlags = RespClient.asMap(sentinel.command("SENTINEL", "master", spec.masterName)).get("flags");
            Set<Integer> healthyReplicas = ports(sentinel.command("SENTINEL", "replicas", spec.masterName),
                    flags -> flags.equals("slave"));
            // master_down on a peer is a stale vote from the last failover (cleared after ~5 s): harmless.
            Set<Integer> healthySentinels = ports(sentinel.command("SENTINEL", "sentinels", spec.masterName),
                    flags -> !flags.contains("s_down") && !flags.contains("disconnected"));
            Set<Integer> expectedSentinels = sentinels.stream()
                    .filter(s -> s != sentinel && s.isServing()).map(RedisNode::port).collect(Collectors.toSet());
            if (!"master".equals(masterFlags)
                    || !healthyReplicas.containsAll(replicaPorts)
                    || !healthySentinels.containsAll(expectedSentinels)) {
                return false;
            }
        }
        return true;
    }

    /** Ports of instances in a {@code SENTINEL replicas|sentinels} reply whose flags pass {@code healthy}. */
    private static Set<Integer> ports(Object reply, Predicate<String> healthy) {
        return ((List<?>) reply).stream().map(RespClient::asMap)
                .filter(m -> healthy.test(m.get("flags")))
                .map(m -> Integer.parseInt(m.get("port")))
                .collect(Collectors.toSet());
    }

    /** Options; defaults match the chaos-test contract (quorum 2, down-after 1 s, failover-timeout 3 s). */
    public static final class Builder {
        private String masterName = "mymaster";
        private int replicas = 2;
        private int sentinels = 3;
        private int quorum = 2;
        private Duration downAfter = Duration.ofMillis(1000);
        private Duration failoverTimeout = Duration.ofMillis(3000);
        private Duration startTimeout = Duration.ofSeconds(60);
        private String sentinelPassword;
        private String password;

        private Builder() {
        }

        /** Data nodes that {@code requirepass} (and {@code masterauth} with it); sentinels are told it. */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** Sentinels that {@code requirepass} (clients must AUTH to ask them anything). */
        public Builder sentinelPassword(String password) {
            this.sentinelPassword = password;
            return this;
        }

        public Builder masterName(String masterName) {
            this.masterName = masterName;
            return this;
        }

        public Builder replicas(int replicas) {
            this.replicas = replicas;
            return this;
        }

        public Builder sentinels(int sentinels) {
            this.sentinels = sentinels;
            return this;
        }

        public Builder quorum(int quorum) {
            this.quorum = quorum;
            return this;
        }

        public Builder downAfter(Duration downAfter) {
            this.downAfter = downAfter;
            return this;
        }

        public Builder failoverTimeout(Duration failoverTimeout) {
            this.failoverTimeout = failoverTimeout;
            return this;
        }

        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        public RedisSentinelGroup start() {
            Builder copy = new Builder();
            copy.masterName = masterName;
            copy.replicas = replicas;
            copy.sentinels = sentinels;
            copy.quorum = quorum;
            copy.downAfter = downAfter;
            copy.failoverTimeout = failoverTimeout;
            copy.startTimeout = startTimeout;
            copy.sentinelPassword = sentinelPassword;
            copy.password = password;
            RedisSentinelGroup group = new RedisSentinelGroup(copy);
            try {
                group.launch();
                return group;
            } catch (RuntimeException | Error e) {
                group.close();
                throw e;
            }
        }
    }
}
