package io.spillway.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import io.helidon.config.Config;
import io.spillway.broker.RedisSettings;

/**
 * The one line the gateway logs once it listens: enough to tell it runs as intended (which broker, which files,
 * how many apps, which admission limits). Never a password or a secret.
 */
public final class StartupSummary {
    private StartupSummary() {
    }

    public static String line(String version, SpillwaySettings settings, Config config, List<Path> files,
                              int publicPort, int adminPort) {
        List<String> read = new java.util.ArrayList<>();
        read.add("built-in defaults");
        files.forEach(f -> read.add(f.toString()));
        settings.appsFile().ifPresent(f -> read.add(f + " (apps)"));
        return "Spillway " + version + " started: public :" + publicPort + ", admin :" + adminPort
                + "; broker " + broker(settings)
                + "; config " + String.join(", ", read)
                + "; " + settings.apps().size() + (settings.apps().size() == 1 ? " app" : " apps")
                + "; admission " + leaves(config.get("spillway.admission"));
    }

    private static String broker(SpillwaySettings settings) {
        if (settings.broker() == SpillwaySettings.BrokerKind.MEMORY) {
            return "memory (in this process only: nothing reaches Redis)";
        }
        RedisSettings r = settings.redis();
        String mode = r.mode().name().toLowerCase(Locale.ROOT);
        return switch (r.mode()) {
            case SINGLE -> "redis single " + r.address();
            case SENTINEL -> "redis sentinel master '" + r.masterName() + "' via " + String.join(",", r.nodes())
                    + (r.sentinelPassword().isEmpty() ? "" : " (sentinel AUTH)");
            case CLUSTER -> "redis " + mode + " seeds " + String.join(",", r.nodes());
        } + ", channel prefix '" + r.channelPrefix() + "'";
    }

    /** {@code a=1 b.c=2}: every value set under {@code node}, whatever keys it has now. */
    private static String leaves(Config node) {
        String prefix = node.key().toString() + ".";
        return node.traverse()
                .filter(Config::isLeaf)
                .map(c -> c.key().toString().substring(prefix.length()) + "=" + c.asString().orElse(""))
                .sorted()
                .collect(Collectors.joining(" "));
    }
}
