package io.spillway.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import io.helidon.config.ConfigSources;
import io.spillway.admission.AdmissionSettings;
import io.spillway.admission.ConcurrencySettings;
import io.spillway.api.ApiLimits;
import io.spillway.api.ListenerSettings;
import io.spillway.api.StreamSettings;
import io.spillway.api.App;
import io.spillway.broker.RedisSettings;
import io.spillway.broker.ShardedPublish;
import io.spillway.broker.WireFormat;
import io.spillway.lifecycle.LifecycleSettings;
import io.spillway.lifecycle.WarmupSettings;

/**
 * Reads and validates the {@code spillway} tree into typed settings. Every problem becomes an
 * {@link InvalidConfigException} whose message names the key, so a bad value never half-starts the gateway.
 */
public final class SettingsReader {
    private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    private SettingsReader() {
    }

    public static SpillwaySettings read(Config root) {
        Config s = root.get("spillway");
        try {
            return new SpillwaySettings(
                    broker(s),
                    redis(s.get("redis")),
                    apps(s),
                    limits(s.get("limits")),
                    admission(s.get("admission")),
                    warmup(s.get("warmup")),
                    lifecycle(s.get("lifecycle")),
                    stream(s.get("stream")),
                    new ListenerSettings(duration(s, "listener.header-timeout",
                                                  ListenerSettings.DEFAULTS.headerTimeout())),
                    Optional.of(string(s, "apps-file", "")).filter(f -> !f.isBlank()).map(Path::of),
                    duration(s, "reload.interval", Duration.ofSeconds(1)));
        } catch (InvalidConfigException e) {
            throw e;
        } catch (IllegalArgumentException | ConfigException e) {
            throw new InvalidConfigException(e.getMessage(), e);
        }
    }

    private static SpillwaySettings.BrokerKind broker(Config s) {
        String broker = string(s, "broker", "memory");
        return switch (broker.toLowerCase(Locale.ROOT)) {
            case "memory" -> SpillwaySettings.BrokerKind.MEMORY;
            case "redis" -> SpillwaySettings.BrokerKind.REDIS;
            default -> throw new InvalidConfigException("spillway.broker: '" + broker + "' is not memory or redis");
        };
    }

    /** Only {@code spillway.redis} (given the {@code redis} node). */
    public static RedisSettings redis(Config r) {
        String mode = string(r, "mode", "single");
        RedisSettings.Mode parsed = switch (mode.toLowerCase(Locale.ROOT)) {
            case "single" -> RedisSettings.Mode.SINGLE;
            case "sentinel" -> RedisSettings.Mode.SENTINEL;
            case "cluster" -> RedisSettings.Mode.CLUSTER;
            default -> throw new InvalidConfigException("spillway.redis.mode: '" + mode
                                                                + "' is not single, sentinel or cluster");
        };
        return new RedisSettings(
                parsed,
                string(r, "address", "redis://127.0.0.1:6379"),
                string(r, "master-name", "mymaster"),
                r.get("nodes").asList(String.class).orElse(List.of()),
                string(r, "password", ""),
                string(r, "channel-prefix", "spillway:"),
                duration(r, "publish-timeout", Duration.ofSeconds(1)),
                duration(r, "response-timeout", Duration.ofMillis(400)),
                integer(r, "retry-attempts", 1),
                duration(r, "connect-timeout", Duration.ofSeconds(1)),
                integer(r, "min-idle", 4),
                integer(r, "pool-size", 16),
                duration(r, "scan-interval", Duration.ofMillis(500)),
                parsed(r, "sharded-publish", ShardedPublish.AUTO, ShardedPublish::parse, "auto, true or false"),
                duration(r, "retry-delay", Duration.ofMillis(50)),
                duration(r, "ping-interval", Duration.ofSeconds(1)),
                duration(r, "subscription-timeout", Duration.ofSeconds(2)),
                integer(r, "subscription-pool-size", 4),
                string(r, "client-name", "spillway"),
                parsed(r, "wire-format", WireFormat.Kind.SPILLWAY, WireFormat.Kind::parse, "spillway or soketi"),
                string(r, "soketi-prefix", ""),
                duration(r, "soketi-query-timeout", Duration.ofSeconds(2)),
                string(r, "sentinel-username", ""),
                string(r, "sentinel-password", ""),
                string(r, "internal-channel", WireFormat.DEFAULT_INTERNAL_CHANNEL));
    }

    /** Only {@code spillway.admission}: hot reload reads it again on every change. */
    public static AdmissionSettings admission(Config a) {
        AdmissionSettings d = AdmissionSettings.defaults();
        Config c = a.get("concurrency");
        ConcurrencySettings dc = d.concurrency();
        return new AdmissionSettings(
                bool(a, "enabled", d.enabled()),
                longValue(a, "global-rate", d.globalRate()),
                longValue(a, "global-burst", d.globalBurst()),
                longValue(a, "default-app-rate", d.defaultAppRate()),
                longValue(a, "default-app-burst", d.defaultAppBurst()),
                new ConcurrencySettings(string(c, "algorithm", dc.algorithm()), integer(c, "initial", dc.initial()),
                                        integer(c, "min", dc.min()), integer(c, "max", dc.max()),
                                        integer(c, "backlog", dc.backlog()), duration(c, "max-wait", dc.maxWait()),
                                        duration(c, "standing-wait", dc.standingWait())),
                duration(a, "retry-after", d.retryAfter()));
    }

    private static WarmupSettings warmup(Config w) {
        WarmupSettings d = WarmupSettings.defaults();
        return new WarmupSettings(
                integer(w, "requests", d.requests()),
                duration(w, "slow-start", d.slowStart()),
                decimal(w, "slow-start-floor", d.floor()),
                decimal(w, "slow-start-aggression", d.aggression()));
    }

    private static LifecycleSettings lifecycle(Config l) {
        String policy = string(l, "broker-down-readiness", "stay-ready");
        LifecycleSettings.BrokerDownReadiness parsed = switch (policy.toLowerCase(Locale.ROOT)) {
            case "stay-ready" -> LifecycleSettings.BrokerDownReadiness.STAY_READY;
            case "unready" -> LifecycleSettings.BrokerDownReadiness.UNREADY;
            default -> throw new InvalidConfigException("spillway.lifecycle.broker-down-readiness: '" + policy
                                                                + "' is not stay-ready or unready");
        };
        return new LifecycleSettings(
                parsed,
                integer(l, "unready-after-failures", 3),
                integer(l, "ready-after-successes", 2),
                integer(l, "breaker-failures", 3),
                duration(l, "probe-interval", Duration.ofMillis(200)),
                duration(l, "drain-delay", Duration.ofSeconds(5)),
                duration(l, "grace-period", Duration.ofSeconds(20)));
    }

    private static StreamSettings stream(Config st) {
        StreamSettings d = StreamSettings.DEFAULTS;
        return new StreamSettings(duration(st, "heartbeat", d.heartbeat()),
                                  integer(st, "max-per-app", d.maxPerApp()),
                                  integer(st, "max-per-pod", d.maxPerPod()));
    }

    private static ApiLimits limits(Config l) {
        ApiLimits d = ApiLimits.DEFAULTS;
        return new ApiLimits(
                integer(l, "max-body-bytes", d.maxBodyBytes()),
                integer(l, "max-data-bytes", d.maxDataBytes()),
                integer(l, "max-channels", d.maxChannels()),
                integer(l, "max-batch", d.maxBatch()),
                integer(l, "max-name-length", d.maxNameLength()),
                duration(l, "timestamp-window", d.timestampWindow()),
                longValue(l, "discard-bytes", d.discardBytes()));
    }

    /** {@code spillway.apps}, overlaid by the apps of {@code spillway.apps-file} (a mounted Secret) by id. */
    static List<AppSettings> apps(Config s) {
        Map<String, AppSettings> byId = new LinkedHashMap<>();
        appList(s.get("apps"), "spillway.apps").forEach(a -> byId.put(a.app().id(), a));
        String file = string(s, "apps-file", "");
        if (!file.isBlank()) {
            appsFromFile(Path.of(file)).forEach(a -> byId.put(a.app().id(), a));
        }
        Set<String> keys = new HashSet<>();
        for (AppSettings a : byId.values()) {
            if (!keys.add(a.app().key())) {
                throw new InvalidConfigException("spillway.apps: key '" + a.app().key() + "' is used by two apps");
            }
        }
        return List.copyOf(byId.values());
    }

    private static List<AppSettings> appsFromFile(Path file) {
        if (!Files.isReadable(file)) {
            throw new InvalidConfigException("spillway.apps-file: " + file + " is missing or unreadable");
        }
        List<String> unknown = KnownKeys.fromDefaults().unknownInAppsFile(KnownKeys.parse(file), file.toString());
        if (!unknown.isEmpty()) {
            throw new InvalidConfigException(String.join("; ", unknown));
        }
        Config fileConfig = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(ConfigSources.file(file))
                .build();
        return appList(fileConfig.get("apps"), file + ": apps");
    }

    private static List<AppSettings> appList(Config list, String where) {
        if (!list.exists()) {
            return List.of();
        }
        List<Config> nodes = list.asNodeList().orElse(List.of());
        List<AppSettings> apps = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            Config a = nodes.get(i);
            String at = where + "[" + i + "]";
            String id = required(a, "id", at);
            if (!APP_ID.matcher(id).matches()) {
                throw new InvalidConfigException(at + ".id: '" + id
                        + "' must be 1-64 of A-Z a-z 0-9 _ - and start with a letter or digit");
            }
            App app = new App(id, required(a, "key", at), required(a, "secret", at));
            long rate = longValue(a, "rate", 0);
            long burst = longValue(a, "burst", 0);
            if (rate < 0 || burst < 0) {
                throw new InvalidConfigException(at + ": rate and burst must be >= 0");
            }
            apps.add(new AppSettings(app, rate, burst));
        }
        return apps;
    }

    private static String required(Config c, String key, String at) {
        String value = c.get(key).asString().orElse("");
        if (value.isBlank()) {
            throw new InvalidConfigException(at + "." + key + " is required");
        }
        return value;
    }

    static String string(Config c, String key, String fallback) {
        return c.get(key).asString().orElse(fallback);
    }

    static int integer(Config c, String key, int fallback) {
        return (int) number(c, key, fallback, Integer.MAX_VALUE);
    }

    static long longValue(Config c, String key, long fallback) {
        return number(c, key, fallback, Long.MAX_VALUE);
    }

    static double decimal(Config c, String key, double fallback) {
        return parsed(c, key, fallback, Double::parseDouble, "a number");
    }

    static boolean bool(Config c, String key, boolean fallback) {
        return parsed(c, key, fallback, v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException();
        }, "true or false");
    }

    static Duration duration(Config c, String key, Duration fallback) {
        return c.get(key).asString().map(v -> Durations.parse(c.get(key).key().toString(), v)).orElse(fallback);
    }

    private static long number(Config c, String key, long fallback, long max) {
        long value = parsed(c, key, fallback, Long::parseLong, "a whole number");
        if (value > max) {
            throw new InvalidConfigException(c.get(key).key() + ": " + value + " is too large");
        }
        return value;
    }

    private static <T> T parsed(Config c, String key, T fallback, Function<String, T> parse, String what) {
        Config node = c.get(key);
        var text = node.asString();
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            return parse.apply(text.get().trim());
        } catch (RuntimeException e) {
            throw new InvalidConfigException(node.key() + ": '" + text.get() + "' is not " + what);
        }
    }
}
