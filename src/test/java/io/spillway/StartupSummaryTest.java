package io.spillway;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.spillway.config.ConfigLoader;
import io.spillway.testing.GatewayHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one line an operator reads at startup, and the warning when no app is configured. */
class StartupSummaryTest {
    @TempDir
    Path dir;

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger mainLog = Logger.getLogger(Main.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void capture() {
        mainLog.addHandler(capture);
    }

    @AfterEach
    void release() {
        mainLog.removeHandler(capture);
    }

    @Test
    void oneLineSaysBrokerAppsAndAdmission() {
        try (GatewayHarness gateway = GatewayHarness.start(Map.of("spillway.admission.global-rate", "1234"))) {
            List<String> started = messages("Spillway ");
            assertEquals(1, started.size(), records.toString());
            String line = started.getFirst();
            assertTrue(line.contains("started: public :" + gateway.gateway().publicPort() + ", admin :"
                                             + gateway.gateway().adminPort()), line);
            assertTrue(line.contains("; broker memory "), line);
            assertTrue(line.contains("; config built-in defaults;"), line);
            assertTrue(line.contains("; 1 app;"), line);
            assertTrue(line.contains("global-rate=1234"), line);
            assertTrue(line.contains("enabled=true"), line);
            assertEquals(List.of(), messages("no app configured"));
        }
    }

    @Test
    void noAppIsAWarning() {
        Map<String, String> overrides = Map.of("server.port", "0", "server.host", "127.0.0.1",
                                               "server.sockets.0.name", "admin", "server.sockets.0.port", "0",
                                               "server.sockets.0.host", "127.0.0.1", "spillway.warmup.requests", "1",
                                               "spillway.warmup.slow-start", "0s");
        try (RunningGateway gateway = Main.start(new ConfigLoader(dir, Map.of(), overrides))) {
            assertTrue(messages("Spillway ").getFirst().contains("; 0 apps;"), records.toString());
            assertEquals(1, records.stream().filter(r -> r.getLevel() == java.util.logging.Level.WARNING
                    && r.getMessage().startsWith("no app configured")).count(), records.toString());
        }
    }

    private List<String> messages(String prefix) {
        return records.stream().map(LogRecord::getMessage).filter(m -> m.startsWith(prefix)).toList();
    }
}
