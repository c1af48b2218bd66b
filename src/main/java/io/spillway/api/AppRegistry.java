package io.spillway.api;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The configured apps by id; replaced as a whole on hot reload so a request sees one consistent set. */
public final class AppRegistry {
    private volatile Map<String, App> byId;

    public AppRegistry(Collection<App> apps) {
        replace(apps);
    }

    public Optional<App> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public Collection<App> all() {
        return byId.values();
    }

    public void replace(Collection<App> apps) {
        Map<String, App> next = new LinkedHashMap<>();
        for (App app : apps) {
            next.put(app.id(), app);
        }
        byId = Map.copyOf(next);
    }
}
