package io.spillway.bench.replay;

import java.util.List;

/** The YAML each gateway of the replay is started with (its {@code SPILLWAY_CONFIG}). */
final class FleetConfig {
    private FleetConfig() {
    }

    static String yaml(int port, int adminPort, String masterName, List<String> sentinels, ReplayPlan plan,
                       RetryingClients.App app) {
        StringBuilder y = new StringBuilder();
        y.append("server:\n  port: ").append(port).append("\n  host: 127.0.0.1\n")
                .append("  sockets:\n    - name: admin\n      port: ").append(adminPort)
                .append("\n      host: 127.0.0.1\n");
        y.append("spillway:\n  broker: redis\n");
        // the app's own rate is far above the load: each pod's global rate is the capacity under test
        y.append("  apps:\n    - {id: \"").append(app.id()).append("\", key: \"").append(app.key())
                .append("\", secret: \"").append(app.secret()).append("\", rate: 1000000, burst: 1000000}\n");
        y.append("  redis:\n    mode: sentinel\n    master-name: ").append(masterName).append("\n    nodes:\n");
        sentinels.forEach(s -> y.append("      - ").append(s).append('\n'));
        if (!plan.shippedAdmission()) {
            y.append("  admission:\n    enabled: true\n    global-rate: ").append(plan.gatewayRate())
                    .append("\n    global-burst: ").append(Math.max(10, plan.gatewayRate() / 5)).append('\n');
        }
        y.append("  warmup:\n    requests: ").append(plan.warmupRequests())
                .append("\n    slow-start: ").append(plan.slowStart()).append("s\n");
        // fast teardown at the end of the replay; the replay itself only ever kill -9s gateways
        y.append("  lifecycle:\n    drain-delay: 0s\n    grace-period: 3s\n");
        return y.toString();
    }
}
