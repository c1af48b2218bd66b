package io.spillway.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.helidon.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void precedenceIsDefaultsThenLocalFileThenSpillwayConfigThenEnvironment() throws Exception {
        Files.createDirectories(dir.resolve("config"));
        Files.writeString(dir.resolve("config/application.yaml"), """
                spillway:
                  redis:
                    channel-prefix: "local:"
                    min-idle: 2
                    pool-size: 8
                """);
        Files.writeString(dir.resolve("ops.yaml"), """
                spillway:
                  redis:
                    min-idle: 3
                    pool-size: 9
                """);
        Map<String, String> env = Map.of("SPILLWAY_CONFIG", "ops.yaml", "SPILLWAY_REDIS_POOL_dash_SIZE", "10");
        Config config = new ConfigLoader(dir, env).load();
        var redis = SettingsReader.read(config).redis();
        assertEquals("local:", redis.channelPrefix());                                 // local file over defaults
        assertEquals(3, redis.minIdle());                                              // SPILLWAY_CONFIG over local
        assertEquals(10, redis.poolSize());                                            // environment over all
        assertEquals(java.time.Duration.ofSeconds(1), redis.publishTimeout());         // classpath default
        assertEquals(2, new ConfigLoader(dir, env).files().size());
    }

    @Test
    void missingOperatorFileIsNamed() {
        var e = assertThrows(InvalidConfigException.class,
                             () -> new ConfigLoader(dir, Map.of("SPILLWAY_CONFIG", "nope.yaml")).load());
        assertTrue(e.getMessage().contains("nope.yaml"), e.getMessage());
    }

    @Test
    void invalidValuesNameTheirKey() throws Exception {
        assertInvalid("spillway:\n  broker: kafka\n", "spillway.broker");
        assertInvalid("spillway:\n  redis:\n    mode: triple\n", "spillway.redis.mode");
        assertInvalid("spillway:\n  redis:\n    pool-size: lots\n", "spillway.redis.pool-size");
        assertInvalid("spillway:\n  redis:\n    publish-timeout: soon\n", "spillway.redis.publish-timeout");
        assertInvalid("spillway:\n  apps:\n    - id: \"1\"\n      key: k\n", "secret");
        assertInvalid("spillway:\n  apps:\n    - {id: \"a:b\", key: k, secret: s}\n", "id");
        assertInvalid("spillway:\n  apps:\n    - {id: a, key: k, secret: s}\n    - {id: b, key: k, secret: t}\n",
                      "key 'k'");
    }

    @Test
    void appsFileOverlaysConfiguredApps() throws Exception {
        Files.writeString(dir.resolve("apps.yaml"), "apps:\n  - {id: \"1\", key: k1, secret: from-file}\n");
        Files.writeString(dir.resolve("ops.yaml"), "spillway:\n  apps-file: " + dir.resolve("apps.yaml") + "\n"
                + "  apps:\n    - {id: \"1\", key: k1, secret: inline}\n    - {id: \"2\", key: k2, secret: s2}\n");
        var apps = SettingsReader.read(new ConfigLoader(dir, Map.of("SPILLWAY_CONFIG", "ops.yaml")).load()).apps();
        assertEquals(2, apps.size());
        assertEquals("from-file", apps.get(0).app().secret());
        assertEquals("s2", apps.get(1).app().secret());
    }

    private void assertInvalid(String yaml, String expectedInMessage) throws Exception {
        Files.writeString(dir.resolve("bad.yaml"), yaml);
        var e = assertThrows(InvalidConfigException.class, () -> SettingsReader.read(
                new ConfigLoader(dir, Map.of("SPILLWAY_CONFIG", "bad.yaml")).load()), yaml);
        assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
    }
}
