package io.spillway.lifecycle;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.health.checks.DeadlockHealthCheck;
import io.spillway.broker.Broker;

/**
 * The admin socket's health checks. Liveness never looks at Redis: a Redis outage must not restart pods.
 * Of Helidon's built-in checks only deadlock detection is kept; heap and disk thresholds would restart a pod
 * for being busy.
 */
public final class HealthChecks {
    private final Broker broker;

    public HealthChecks(Broker broker) {
        this.broker = broker;
    }

    public HealthCheck[] all() {
        return new HealthCheck[] {DeadlockHealthCheck.create(), readiness(), started()};
    }

    private HealthCheck readiness() {
        return check("broker", HealthCheckType.READINESS,
                     () -> HealthCheckResponse.builder().status(broker.connected()).detail("broker", broker.name())
                             .build());
    }

    private HealthCheck started() {
        return check("started", HealthCheckType.STARTUP, () -> HealthCheckResponse.builder().status(true).build());
    }

    private static HealthCheck check(String name, HealthCheckType type,
                                     java.util.function.Supplier<HealthCheckResponse> call) {
        return new HealthCheck() {
            @Override
            public HealthCheckType type() {
                return type;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public HealthCheckResponse call() {
                return call.get();
            }
        };
    }
}
