package io.spillway.api;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The configured apps by id, replaced as a whole on hot reload so a request sees one consistent set; plus the
 * pod's internal warm-up app, whose credentials are random per process and which no reload removes.
 */
public final class AppRegistry {
    /** App id of the pod's own warm-up traffic; configured ids cannot start with '_'. */
    public static final String WARMUP_ID = io.spillway.broker.WireFormat.INTERNAL_APP_ID;

    private final App warmup;
    private volatile Map<String, App> byId;

    public AppRegistry(Collection<App> apps, boolean withWarmupApp) {
        this.warmup = withWarmupApp ? randomWarmupApp() : null;
        replace(apps);
    }

    public Optional<App> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public Optional<App> warmupApp() {
        return Optional.ofNullable(warmup);
    }

    public boolean isWarmup(App app) {
        return app == warmup;
    }

    public void replace(Collection<App> apps) {
        Map<String, App> next = new LinkedHashMap<>();
        for (App app : apps) {
            next.put(app.id(), app);
        }
        if (warmup != null) {
            next.put(warmup.id(), warmup);
        }
        byId = Map.copyOf(next);
    }

    private static App randomWarmupApp() {
        SecureRandom random = new SecureRandom();
        byte[] key = new byte[10];
        byte[] secret = new byte[20];
        random.nextBytes(key);
        random.nextBytes(secret);
        HexFormat hex = HexFormat.of();
        return new App(WARMUP_ID, "warmup-" + hex.formatHex(key), hex.formatHex(secret));
    }
}
