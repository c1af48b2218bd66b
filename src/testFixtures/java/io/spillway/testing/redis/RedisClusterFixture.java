package io.spillway.testing.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A Redis Cluster (default 3 masters + 1 replica each, node timeout 1 s) formed with
 * {@code redis-cli --cluster create}. {@link Builder#start()} returns once every node reports
 * {@code cluster_state:ok}, all nodes agree on the slot map and every replica's link is up
 * and known to its master.
 */
public final class RedisClusterFixture implements AutoCloseable {

    public static final int SLOTS = 16384;

    private final Builder spec;
    private final List<RedisNode> nodes = new ArrayList<>();

    private RedisClusterFixture(Builder spec) {
        this.spec = spec;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** 3 masters + 3 replicas. */
    public static RedisClusterFixture start() {
        return builder().start();
    }

    /** {@code redis://127.0.0.1:PORT} of every node, in creation order. */
    public List<String> seedUris() {
        return nodes.stream().map(RedisNode::uri).toList();
    }

    /** Every node, dead or alive, in creation order. */
    public List<RedisNode> nodes() {
        return List.copyOf(nodes);
    }

    /** Current slot owners as the cluster reports them, ordered by their lowest slot. */
    public List<RedisNode> masters() {
        return slotMap().values().stream().filter(Objects::nonNull).distinct().toList();
    }

    /** Serving nodes that are not slot owners. */
    public List<RedisNode> replicas() {
        List<RedisNode> masters = masters();
        return nodes.stream().filter(n -> n.isServing() && !masters.contains(n)).toList();
    }

    /**
     * Serving nodes that replicate {@code master} with their link up, and that {@code master} itself lists as its
     * replicas over a connected cluster bus. The second half matters: a master forwards a sharded message only to
     * the replicas its own node table knows, and it learns them by gossip, some time after their replication link
     * is up.
     */
    public List<RedisNode> replicasOf(RedisNode master) {
        List<Integer> known = connectedReplicaPorts(master);
        return nodes.stream().filter(n -> n != master && n.isServing() && known.contains(n.port())).filter(n -> {
            Map<String, String> view = n.info("replication");
            return "slave".equals(view.get("role"))
                    && String.valueOf(master.port()).equals(view.get("master_port"))
                    && "up".equals(view.get("master_link_status"));
        }).toList();
    }

    /**
     * Ports of the nodes {@code master}'s {@code CLUSTER NODES} lists as its replicas with the bus link connected.
     * A line reads {@code id ip:port@cport flags master-id ping pong epoch link-state slots...}.
     */
    private static List<Integer> connectedReplicaPorts(RedisNode master) {
        List<String[]> lines = ((String) master.command("CLUSTER", "NODES")).lines()
                .filter(line -> !line.isBlank()).map(line -> line.split(" ")).toList();
        Optional<String> myId = lines.stream().filter(f -> f.length > 2 && f[2].contains("myself"))
                .map(f -> f[0]).findFirst();
        if (myId.isEmpty()) {
            return List.of();
        }
        return lines.stream()
                .filter(f -> f.length > 7 && f[3].equals(myId.get()) && "connected".equals(f[7]))
                .map(f -> {
                    String address = f[1];
                    int colon = address.lastIndexOf(':');
                    int at = address.indexOf('@', colon);
                    return Integer.parseInt(address.substring(colon + 1, at < 0 ? address.length() : at));
                })
                .toList();
    }

    /** SIGKILLs the {@code index}-th master of {@link #masters()} and returns it. */
    public RedisNode killMaster(int index) {
        RedisNode master = masters().get(index);
        master.kill();
        return master;
    }

    /** The node on {@code port}. */
    public RedisNode node(int port) {
        return nodes.stream().filter(n -> n.port() == port).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no cluster node on port " + port));
    }

    /** {@code CLUSTER KEYSLOT key}, asked from a serving node. */
    public int slotOf(String key) {
        return Math.toIntExact((Long) anyServingNode().command("CLUSTER", "KEYSLOT", key));
    }

    /** The node owning {@code slot} according to the cluster. */
    public RedisNode masterForSlot(int slot) {
        RedisNode owner = slotMap().floorEntry(slot).getValue();
        if (owner == null) {
            throw new IllegalStateException("slot " + slot + " has no owner");
        }
        return owner;
    }

    public RedisNode masterForKey(String key) {
        return masterForSlot(slotOf(key));
    }

    /**
     * Waits until every serving node reports {@code cluster_state:ok}, they all report the same slot
     * map, and all 16384 slots belong to serving nodes, i.e. a failover after a kill has finished.
     */
    public void awaitClusterOk(Duration timeout) {
        Await.until("cluster_state:ok with all slots on serving nodes", timeout, this::clusterOk);
    }

    @Override
    public void close() {
        nodes.forEach(RedisNode::close);
    }

    @Override
    public String toString() {
        return "cluster " + nodes;
    }

    private void launch() {
        int total = spec.masters * (1 + spec.replicasPerMaster);
        for (int i = 0; i < total; i++) {
            nodes.add(RedisNode.builder().name("cluster").cluster().clusterNodeTimeout(spec.nodeTimeout).start());
        }
        create();
        Await.until("cluster to form", spec.startTimeout, () -> clusterOk()
                && nodes.stream().allMatch(n -> String.valueOf(total).equals(clusterInfo(n).get("cluster_known_nodes")))
                && masters().stream().allMatch(m -> replicasOf(m).size() == spec.replicasPerMaster));
    }

    private void create() {
        List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        nodes.forEach(n -> command.add(n.address()));
        command.addAll(List.of("--cluster-replicas", String.valueOf(spec.replicasPerMaster), "--cluster-yes"));
        Path log = nodes.get(0).dir().resolve("cluster-create.log");
        try {
            // Output to a file, not a pipe: the CLI can never block on it and waitFor's timeout stays effective.
            Process cli = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean exited = cli.waitFor(spec.startTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                Processes.killAndWait(cli, Duration.ofSeconds(10));
            }
            if (!exited || cli.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed:\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private boolean clusterOk() {
        List<RedisNode> serving = nodes.stream().filter(RedisNode::isServing).toList();
        TreeMap<Integer, Integer> reference = null;
        for (RedisNode node : serving) {
            if (!"ok".equals(clusterInfo(node).get("cluster_state"))) {
                return false;
            }
            TreeMap<Integer, Integer> map = slotOwnerPorts(node);
            if (reference == null) {
                reference = map;
            } else if (!reference.equals(map)) {
                return false;
            }
        }
        return reference != null && covered(reference)
                && reference.values().stream().allMatch(port -> node(port).isServing());
    }

    /** Whether the ranges (start → owner; gaps are marked with owner -1) cover every slot. */
    private static boolean covered(TreeMap<Integer, Integer> ranges) {
        return !ranges.isEmpty() && ranges.firstKey() == 0 && !ranges.containsValue(-1);
    }

    /** Slot range start → owner node, from the first serving node. */
    private TreeMap<Integer, RedisNode> slotMap() {
        TreeMap<Integer, RedisNode> map = new TreeMap<>();
        slotOwnerPorts(anyServingNode()).forEach((start, port) -> map.put(start, port < 0 ? null : node(port)));
        return map;
    }

    /** {@code CLUSTER SLOTS} as range start → owner port, with -1 marking an unowned gap. */
    private static TreeMap<Integer, Integer> slotOwnerPorts(RedisNode node) {
        TreeMap<Integer, Integer> map = new TreeMap<>();
        List<?> ranges = (List<?>) node.command("CLUSTER", "SLOTS");
        List<List<?>> sorted = ranges.stream().<List<?>>map(r -> (List<?>) r)
                .sorted(Comparator.comparingLong(r -> (Long) r.get(0))).toList();
        int next = 0;
        for (List<?> range : sorted) {
            int start = Math.toIntExact((Long) range.get(0));
            int end = Math.toIntExact((Long) range.get(1));
            if (start > next) {
                map.put(next, -1);
            }
            map.put(start, Math.toIntExact((Long) ((List<?>) range.get(2)).get(1)));
            next = end + 1;
        }
        if (next < SLOTS) {
            map.put(next, -1);
        }
        return mergeAdjacent(map);
    }

    /** Nodes may report one owner's slots as several ranges; merge so maps from different nodes compare equal. */
    private static TreeMap<Integer, Integer> mergeAdjacent(TreeMap<Integer, Integer> map) {
        TreeMap<Integer, Integer> merged = new TreeMap<>();
        Integer previousOwner = null;
        for (Map.Entry<Integer, Integer> entry : map.entrySet()) {
            if (!entry.getValue().equals(previousOwner)) {
                merged.put(entry.getKey(), entry.getValue());
                previousOwner = entry.getValue();
            }
        }
        return merged;
    }

    private static Map<String, String> clusterInfo(RedisNode node) {
        Map<String, String> info = new TreeMap<>();
        for (String line : ((String) node.command("CLUSTER", "INFO")).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                info.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return info;
    }

    private RedisNode anyServingNode() {
        Optional<RedisNode> node = nodes.stream().filter(RedisNode::isServing).findFirst();
        return node.orElseThrow(() -> new IllegalStateException("no serving cluster node"));
    }

    /** Options; defaults: 3 masters, 1 replica each, node timeout 1 s. */
    public static final class Builder {
        private int masters = 3;
        private int replicasPerMaster = 1;
        private Duration nodeTimeout = Duration.ofMillis(1000);
        private Duration startTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        public Builder masters(int masters) {
            this.masters = masters;
            return this;
        }

        public Builder replicasPerMaster(int replicasPerMaster) {
            this.replicasPerMaster = replicasPerMaster;
            return this;
        }

        public Builder nodeTimeout(Duration nodeTimeout) {
            this.nodeTimeout = nodeTimeout;
            return this;
        }

        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        public RedisClusterFixture start() {
            Builder copy = new Builder();
            copy.masters = masters;
            copy.replicasPerMaster = replicasPerMaster;
            copy.nodeTimeout = nodeTimeout;
            copy.startTimeout = startTimeout;
            RedisClusterFixture cluster = new RedisClusterFixture(copy);
            try {
                cluster.launch();
                return cluster;
            } catch (RuntimeException | Error e) {
                cluster.close();
                throw e;
            }
        }
    }
}
