package io.spillway.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.spillway.config.SettingsReader;
import org.junit.jupiter.api.Test;

/** The exact bytes of both Redis wire formats (SPEC "Redis wire format"). */
class WireFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SoketiWireFormat soketi = new SoketiWireFormat("", "sender-1");

    @Test
    void spillwayFormatIsSpecsChannelAndPayload() {
        SpillwayWireFormat wire = new SpillwayWireFormat("spillway:");
        ChannelMessage m = new ChannelMessage("1001", "orders", "order-created", "{\"id\":42}", null);
        assertEquals("spillway:1001:orders", wire.topic(m));
        assertEquals("{\"event\":\"order-created\",\"channel\":\"orders\",\"data\":\"{\\\"id\\\":42}\"}", wire.payload(m));
        assertEquals("{\"event\":\"e\",\"channel\":\"c\",\"data\":\"d\",\"socket_id\":\"1.2\"}",
                     wire.payload(new ChannelMessage("1001", "c", "e", "d", "1.2")));
    }

    @Test
    void soketiBroadcastIsTheIssuesExampleByteForByte() {
        ChannelMessage m = new ChannelMessage("app-id", "orders", "order-created", "{\"id\":42}", null);
        assertEquals("redis-adapter", soketi.topic(m));
        assertEquals("{\"uuid\":\"sender-1\",\"appId\":\"app-id\",\"channel\":\"orders\",\"data\":"
                             + "\"{\\\"event\\\":\\\"order-created\\\",\\\"channel\\\":\\\"orders\\\",\\\"data\\\":"
                             + "\\\"{\\\\\\\"id\\\\\\\":42}\\\"}\",\"exceptingId\":null}",
                     soketi.payload(m));
    }

    @Test
    void socketIdBecomesExceptingIdAndNumericAppIdsStayStrings() {
        String payload = soketi.payload(new ChannelMessage("1001", "c", "e", "d", "123.456"));
        assertEquals("{\"uuid\":\"sender-1\",\"appId\":\"1001\",\"channel\":\"c\","
                             + "\"data\":\"{\\\"event\\\":\\\"e\\\",\\\"channel\\\":\\\"c\\\",\\\"data\\\":\\\"d\\\"}\","
                             + "\"exceptingId\":\"123.456\"}", payload);
    }

    @Test
    void thePodsOwnWarmupAndProbeTrafficStaysOffTheFleetsChannel() {
        ChannelMessage probe = new ChannelMessage("_warmup", "probe", "spillway-probe", "{}", null);
        assertEquals(WireFormat.DEFAULT_INTERNAL_CHANNEL, soketi.topic(probe), "the internal channel, as in spillway format");
        assertEquals(new SpillwayWireFormat("spillway:").payload(probe), soketi.payload(probe));
    }

    @Test
    void prefixedFleetUsesPrefixHashRedisAdapter() {
        assertEquals("fleet-a#redis-adapter", new SoketiWireFormat("fleet-a", "s").topic("1001", "orders"));
    }

    /** Whatever the data holds, both layers parse back as JSON and the data comes back exactly as received. */
    @Test
    void hostileDataStaysWellFormedAtBothLayers() throws Exception {
        List<String> hostile = new ArrayList<>(List.of("\"", "\\", "\\\"}", "\u0000\u001f\u2028\u2029", "}{", "é☃😀",
                                                       "{\"unclosed\":", "</script>", "\n\r\t"));
        hostile.add("x".repeat(10240));
        for (String data : hostile) {
            String payload = soketi.payload(new ChannelMessage("1001", "ch\"an", "ev\\ent", data, null));
            JsonNode outer = JSON.readTree(payload);
            JsonNode inner = JSON.readTree(outer.get("data").asText());
            assertEquals(data, inner.get("data").asText());
            assertEquals("ev\\ent", inner.get("event").asText());
            assertEquals("ch\"an", inner.get("channel").asText());
            assertEquals("ch\"an", outer.get("channel").asText());
            assertTrue(outer.get("exceptingId").isNull());
        }
    }

    @Test
    void soketiSubscribersSeeOnlyTheirAppChannel() {
        String payload = soketi.payload(new ChannelMessage("1001", "orders", "e", "{\"channel\":\"other\"}", null));
        assertTrue(soketi.addressedTo(payload, "1001", "orders"));
        assertFalse(soketi.addressedTo(payload, "1001", "other"));
        assertFalse(soketi.addressedTo(payload, "1002", "orders"));
        assertFalse(soketi.addressedTo("not json", "1001", "orders"));
    }

    @Test
    void configChoosesTheFormat() {
        RedisSettings defaults = SettingsReader.redis(Config.empty());
        assertEquals(WireFormat.Kind.SPILLWAY, defaults.wireFormat());
        assertTrue(WireFormat.of(defaults) instanceof SpillwayWireFormat);

        Config soketiMode = Config.just(ConfigSources.create(java.util.Map.of(
                "wire-format", "soketi", "soketi-prefix", "p")));
        WireFormat a = WireFormat.of(SettingsReader.redis(soketiMode));
        WireFormat b = WireFormat.of(SettingsReader.redis(soketiMode));
        assertEquals("p#redis-adapter", a.topic("1001", "x"));
        // every process has its own sender id, never one a soketi node would mistake for its own
        assertNotEquals(((SoketiWireFormat) a).senderId(), ((SoketiWireFormat) b).senderId());

        Config bad = Config.just(ConfigSources.create(java.util.Map.of("wire-format", "pusher")));
        assertThrows(RuntimeException.class, () -> SettingsReader.redis(bad));

        // soketi pattern-subscribes: a cluster must PUBLISH, never SPUBLISH, into it
        java.util.Map<String, String> cluster = new java.util.HashMap<>(java.util.Map.of(
                "wire-format", "soketi", "mode", "cluster", "nodes.0", "redis://127.0.0.1:7000"));
        RuntimeException sharded = assertThrows(RuntimeException.class,
                                                () -> SettingsReader.redis(Config.just(ConfigSources.create(cluster))));
        assertTrue(sharded.getMessage().contains("sharded-publish must be false"), sharded.getMessage());
        cluster.put("sharded-publish", "false");
        assertEquals(ShardedPublish.OFF, SettingsReader.redis(Config.just(ConfigSources.create(cluster))).shardedPublish());
    }
}
