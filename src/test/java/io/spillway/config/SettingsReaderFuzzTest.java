package io.spillway.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

/**
 * Any values for the {@code spillway} keys: the reader returns settings or refuses with an
 * {@link InvalidConfigException} (one line naming the key), never another exception, so a bad value can only
 * stop the process with a clear message.
 */
class SettingsReaderFuzzTest {
    private static final List<String> KEYS = List.of(
            "broker", "limits.max-body-bytes", "limits.max-data-bytes", "limits.max-channels", "limits.max-batch",
            "limits.max-name-length", "limits.timestamp-window", "limits.discard-bytes", "redis.mode",
            "redis.address", "redis.publish-timeout", "redis.pool-size", "redis.sharded-publish",
            "redis.nodes.0", "stream.heartbeat", "stream.max-per-app", "stream.max-per-pod",
            "admission.enabled", "admission.global-rate", "admission.global-burst", "admission.retry-after",
            "admission.concurrency.algorithm", "admission.concurrency.min", "admission.concurrency.max",
            "warmup.requests", "warmup.slow-start", "warmup.slow-start-floor", "warmup.slow-start-aggression",
            "lifecycle.broker-down-readiness", "lifecycle.breaker-failures", "lifecycle.probe-interval",
            "lifecycle.drain-delay", "reload.interval", "apps.0.id", "apps.0.key", "apps.0.secret", "apps.0.rate",
            "apps.0.burst", "apps.1.id");

    @FuzzTest(maxDuration = "60s")
    void anyValueIsReadOrRefusedClearly(FuzzedDataProvider data) {
        Map<String, String> values = new HashMap<>();
        values.put("spillway.apps.0.id", "1001");
        values.put("spillway.apps.0.key", "k");
        values.put("spillway.apps.0.secret", "s");
        int n = data.consumeInt(1, 6);
        for (int i = 0; i < n; i++) {
            values.put("spillway." + data.pickValue(KEYS), data.consumeString(40));
        }
        Config config = Config.just(ConfigSources.create(values));
        try {
            SettingsReader.read(config);
        } catch (InvalidConfigException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError("a refusal without a message for " + values, e);
            }
        }
    }
}
