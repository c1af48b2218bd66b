package io.spillway.lifecycle;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.health.checks.DeadlockHealthCheck;
import io.spillway.broker.Broker;

/**
 * The admin socket's health checks.
 * <ul>
 *   <li>live: only deadlock detection. Never Redis (an outage must not restart the fleet), never heap or disk
 *   thresholds (they would restart a pod for being busy);</li>
 *   <li>started: UP once the listeners are up, whether or not Redis is there;</li>
 *   <li>ready: {@link Lifecycle#isReady()}.</li>
 * </ul>
 */
public final class HealthChecks {
    private final Lifecycle lifecycle;
    private final BrokerHealth health;
    private final Broker broker;
    private final BooleanSupplier started;

    public HealthChecks(Lifecycle lifecycle, BrokerHealth health, Broker broker, BooleanSupplier started) {
        this.lifecycle = lifecycle;
        this.health = health;
        this.broker = broker;
        this.started = started;
    }

    public HealthCheck[] all() {
        return new HealthCheck[] {DeadlockHealthCheck.create(), readiness(), startup()};
    }

    private HealthCheck readiness() {
        return check("lifecycle", HealthCheckType.READINESS, () -> HealthCheckResponse.builder()
                .status(lifecycle.isReady())
                .detail("state", lifecycle.state().name())
                .detail("broker", broker.name())
                .detail("brokerConnected", broker.connected())
                .detail("brokerUp", health.up())
                .detail("circuitOpen", !health.circuitClosed())
                .build());
    }

    private HealthCheck startup() {
        return check("started", HealthCheckType.STARTUP, () -> HealthCheckResponse.builder()
                .status(started.getAsBoolean())
                .detail("state", lifecycle.state().name())
                .build());
    }

    private static HealthCheck check(String name, HealthCheckType type, Supplier<HealthCheckResponse> call) {
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
