package io.spillway.config;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Strict configuration: a key the defaults file does not declare stops the gateway and names the key. */
class StrictConfigTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            brokr: redis                                  | spillway.brokr                         | spillway.broker
            admision: {enabled: false}                    | spillway.admision                      | spillway.admission
            admission: {globl-rate: 5}                    | spillway.admission.globl-rate          | spillway.admission.global-rate
            apps: [{id: a, key: k, secret: s, burts: 3}]  | spillway.apps[0].burts                 | spillway.apps[0].burst
            admission: {concurrency: {algoritm: fixed}}   | spillway.admission.concurrency.algoritm | spillway.admission.concurrency.algorithm
            redis: {sentinel-pasword: x}                  | spillway.redis.sentinel-pasword        | spillway.redis.sentinel-password
            """)
    void aTypoNamesTheKeyAndTheNearestKnownOne(String yaml, String key, String nearest) throws Exception {
        String message = refused("spillway:\n  " + yaml + "\n", Map.of());
        assertTrue(message.contains("unknown key " + key + " "), message);
        assertTrue(message.contains("did you mean " + nearest + "?"), message);
        assertTrue(message.contains(dir.resolve("ops.yaml").toString()), message);
    }

    @Test
    void theServerKeysSpillwaySetsAreCheckedToo() throws Exception {
        assertTrue(refused("server:\n  prot: 8081\n", Map.of()).contains("unknown key server.prot (did you mean server.port?)"));
        assertTrue(refused("server:\n  sockets: [{name: admin, prot: 1}]\n", Map.of())
                           .contains("unknown key server.sockets[0].prot (did you mean server.sockets[0].port?)"));
        assertTrue(refused("spilway:\n  broker: redis\n", Map.of()).contains("unknown key spilway (did you mean spillway?)"));
    }

    @Test
    void aKeyWithNothingNearListsTheKnownKeys() throws Exception {
        String message = refused("spillway:\n  limits:\n    bananas: 3\n", Map.of());
        assertTrue(message.contains("unknown key spillway.limits.bananas (known keys of spillway.limits: discard-bytes, max-batch,"),
                   message);
    }

    @Test
    void environmentVariablesAreCheckedWhenTheyAreSpillways() throws Exception {
        Files.writeString(dir.resolve("ops.yaml"), "spillway:\n  broker: memory\n");
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("SPILLWAY_CONFIG", "ops.yaml");
        env.putAll(Map.of("PATH", "/usr/bin", "HOME", "/root", "LANG", "C.UTF-8", "SERVER_NAME", "x",
                          "SPILLWAY_URL", "http://127.0.0.1:8080",          // bin/publish's, not a setting
                          "SPILLWAY_ADMISSION_GLOBAL_dash_RATE", "5", "SPILLWAY_APPS_0_ID", "a",
                          "SPILLWAY_APPS_0_KEY", "k", "SPILLWAY_APPS_0_SECRET", "s"));
        assertDoesNotThrow(() -> new ConfigLoader(dir, env).load());

        env.put("SPILLWAY_APPS_0_BURTS", "3");
        var e = assertThrows(InvalidConfigException.class, () -> new ConfigLoader(dir, env).load());
        assertEquals("environment variable SPILLWAY_APPS_0_BURTS: unknown key spillway.apps[0].burts "
                             + "(did you mean spillway.apps[0].burst?)", e.getMessage());
        env.remove("SPILLWAY_APPS_0_BURTS");
        env.put("SPILLWAY_BROKR", "redis");
        assertTrue(assertThrows(InvalidConfigException.class, () -> new ConfigLoader(dir, env).load())
                           .getMessage().contains("unknown key spillway.brokr (did you mean spillway.broker?)"));
    }

    @Test
    void anAppsFileIsCheckedLikeTheConfig() throws Exception {
        Files.writeString(dir.resolve("apps.yaml"), "apps:\n  - {id: a, key: k, secret: s, rat: 3}\n");
        String message = refused("spillway:\n  apps-file: " + dir.resolve("apps.yaml") + "\n", Map.of());
        assertTrue(message.contains(dir.resolve("apps.yaml") + ": unknown key apps[0].rat (did you mean apps[0].rate?)"),
                   message);
    }

    @Test
    void everyShippedConfigIsKnown() throws Exception {
        Path repo = Path.of("").toAbsolutePath();
        KnownKeys known = KnownKeys.fromDefaults();
        for (Path file : List.of(repo.resolve("config/application.yaml"), repo.resolve("docker/application.yaml"),
                                 repo.resolve("src/main/resources/" + ConfigLoader.DEFAULTS))) {
            Object yaml = KnownKeys.parse(file);
            if (yaml instanceof Map<?, ?> map) {
                map.remove(KnownKeys.ITEM_KEYS);
            }
            assertEquals(List.of(), known.unknownIn(yaml, file.toString()));
        }
    }

    @Test
    void aSyntaxErrorNamesTheFileAndLine() throws Exception {
        String message = refused("spillway:\n  broker: [redis\n", Map.of());
        assertTrue(message.startsWith(dir.resolve("ops.yaml") + " is not valid YAML: "), message);
        assertTrue(message.contains("line 3"), message);
    }

    @Test
    void hotReloadRefusesAnUnknownKeyOnceAndKeepsTheRunningSettings() throws Exception {
        Files.createDirectories(dir.resolve("config"));
        Path file = dir.resolve("config/application.yaml");
        Files.writeString(file, "spillway:\n  admission:\n    global-rate: 100\n");
        ConfigLoader loader = new ConfigLoader(dir, Map.of());
        List<SpillwaySettings> applied = new ArrayList<>();
        List<LogRecord> warnings = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger log = Logger.getLogger(ConfigWatcher.class.getName());
        log.addHandler(handler);
        try (ConfigWatcher watcher = new ConfigWatcher(loader, java.time.Duration.ofHours(1), applied::add)) {
            watcher.start(SettingsReader.read(loader.load()));
            Files.writeString(file, "spillway:\n  admission:\n    globl-rate: 5\n");
            watcher.checkOnce();
            watcher.checkOnce();
            assertEquals(List.of(), applied);
            assertEquals(1, warnings.size());
            assertTrue(warnings.getFirst().getMessage().contains(
                    "unknown key spillway.admission.globl-rate (did you mean spillway.admission.global-rate?)"),
                       warnings.getFirst().getMessage());

            Files.writeString(file, "spillway:\n  admission:\n    global-rate: 5\n");
            watcher.checkOnce();
            assertEquals(1, applied.size());
            assertEquals(5, applied.getFirst().admission().globalRate());
        } finally {
            log.removeHandler(handler);
        }
    }

    /** The real process: exit status 1 and one line on stderr naming the key; nothing served. */
    @Test
    void theProcessExitsWithOneLine() throws Exception {
        Files.createDirectories(dir.resolve("config"));
        Files.writeString(dir.resolve("config/application.yaml"), "spillway:\n  brokr: redis\n");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String classpath = Path.of("target/classes").toAbsolutePath() + File.pathSeparator
                + System.getProperty("java.class.path");
        Process process = new ProcessBuilder(java.toString(), "-cp", classpath, "io.spillway.Main")
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(dir.resolve("stderr.log").toFile())
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        try {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "still running");
        } finally {
            process.destroyForcibly();
        }
        String stderr = Files.readString(dir.resolve("stderr.log"), StandardCharsets.UTF_8);
        String stdout = Files.readString(dir.resolve("stdout.log"), StandardCharsets.UTF_8);
        assertEquals(1, process.exitValue(), stderr);
        assertEquals("spillway: " + dir.resolve("config/application.yaml")
                             + ": unknown key spillway.brokr (did you mean spillway.broker?)\n", stderr);
        assertFalse(stdout.contains("listening"), stdout);
    }

    private String refused(String yaml, Map<String, String> moreEnv) throws Exception {
        Files.writeString(dir.resolve("ops.yaml"), yaml);
        Map<String, String> env = new HashMap<>(moreEnv);
        env.put("SPILLWAY_CONFIG", "ops.yaml");
        return assertThrows(InvalidConfigException.class,
                            () -> SettingsReader.read(new ConfigLoader(dir, env).load()), yaml).getMessage();
    }
}
