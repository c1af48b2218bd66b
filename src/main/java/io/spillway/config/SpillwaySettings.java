package io.spillway.config;

import java.time.Duration;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.spillway.admission.AdmissionSettings;
import io.spillway.admission.AppQuota;
import io.spillway.api.ApiLimits;
import io.spillway.api.ListenerSettings;
import io.spillway.api.StreamSettings;
import io.spillway.broker.RedisSettings;
import io.spillway.lifecycle.LifecycleSettings;
import io.spillway.lifecycle.WarmupSettings;

/**
 * Everything the gateway is configured with, validated.
 *
 * @param admission       the admission limits (hot-reloaded)
 * @param stream          SSE watch streams: heartbeat and caps
 * @param listener        the public listener's own limits (the head deadline)
 * @param appsFile        the apps file (a mounted Secret), watched for hot reload too
 * @param reloadInterval  how often the config files are checked for changes
 */
public record SpillwaySettings(BrokerKind broker, RedisSettings redis, List<AppSettings> apps, ApiLimits limits,
                               AdmissionSettings admission, WarmupSettings warmup, LifecycleSettings lifecycle,
                               StreamSettings stream, ListenerSettings listener,
                               Optional<Path> appsFile, Duration reloadInterval) {

    public enum BrokerKind { MEMORY, REDIS }

    public SpillwaySettings {
        apps = List.copyOf(apps);
    }

    /** The apps' own rate limits; apps without one share the admission default and are left out. */
    public List<AppQuota> quotas() {
        return apps.stream()
                .filter(a -> a.rate() > 0)
                .map(a -> new AppQuota(a.app().id(), a.rate(), a.burst() > 0 ? a.burst() : a.rate()))
                .toList();
    }
}
