package io.spillway.deploy;

import static io.spillway.deploy.Manifests.at;
import static io.spillway.deploy.Manifests.intAt;
import static io.spillway.deploy.Manifests.listAt;
import static io.spillway.deploy.Manifests.map;
import static io.spillway.deploy.Manifests.mapAt;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart rendered by the real Helm with its defaults and with the two example values files:
 * the properties that keep pods alive through Redis outages, load and rollouts are asserted on
 * the manifests Kubernetes would receive.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HelmChartTest {

    private static final String DEFAULTS = "defaults";
    private static final String SENTINEL = "ci/sentinel-values.yaml";
    private static final String CLUSTER = "ci/cluster-values.yaml";

    private HelmChart chart;
    private final Map<String, Manifests> rendered = new HashMap<>();

    @BeforeAll
    void render() {
        chart = new HelmChart();
        rendered.put(DEFAULTS, chart.template(null));
        rendered.put(SENTINEL, chart.template(SENTINEL));
        rendered.put(CLUSTER, chart.template(CLUSTER));
    }

    Stream<String> variants() {
        return Stream.of(DEFAULTS, SENTINEL, CLUSTER);
    }

    @Test
    void lintPassesStrict() {
        var result = chart.lint();
        assertThat(String.join("\n", result.getMessages()), result.isFailed(), is(false));
    }

    /** Strict configuration: every key the chart renders, and every variable it sets, is one the gateway knows. */
    @ParameterizedTest
    @MethodSource("variants")
    void theGatewayAcceptsTheRenderedConfigAndEnvironment(String variant) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("spillway-chart");
        java.nio.file.Path file = dir.resolve("spillway.yaml");
        java.nio.file.Files.writeString(file, (String) mapAt(configMap(rendered.get(variant)), "data").get("spillway.yaml"));
        Map<String, String> env = new HashMap<>();
        for (Object e : listAt(podSpec(rendered.get(variant)), "containers[0].env")) {
            String name = String.valueOf(at(e, "name"));
            env.put(name, e instanceof Map<?, ?> m && m.containsKey("value") ? String.valueOf(m.get("value")) : "from-the-secret");
        }
        env.put("SPILLWAY_CONFIG", file.toString());
        assertThat(env, hasKey("SPILLWAY_REDIS_SENTINEL_dash_PASSWORD"));
        new io.spillway.config.ConfigLoader(dir, env).load(); // throws on an unknown key
    }

    @ParameterizedTest
    @MethodSource("variants")
    void rendersEveryWorkload(String variant) {
        var m = rendered.get(variant);
        m.one("Deployment");
        m.one("HorizontalPodAutoscaler");
        m.one("PodDisruptionBudget");
        assertThat(m.all("Service").size(), is(2));
        assertThat(m.all("ConfigMap").stream().filter(c -> !isDashboard(c)).count(), is(1L));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void probesHitTheLifecycleEndpointsOnTheAdminPort(String variant) {
        var container = container(rendered.get(variant));
        int adminPort = containerPort(container, "admin");
        assertThat(adminPort, is(9090));
        assertThat(containerPort(container, "http"), is(8080));

        assertThat(at(container, "startupProbe.httpGet.path"), is("/observe/health/started"));
        assertThat(at(container, "readinessProbe.httpGet.path"), is("/observe/health/ready"));
        assertThat(at(container, "livenessProbe.httpGet.path"), is("/observe/health/live"));
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            assertThat(probe, at(container, probe + ".httpGet.port"), is("admin"));
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void livenessToleratesABusyPod(String variant) {
        var container = container(rendered.get(variant));
        // A restart needs a full minute of unanswered checks; each check may take seconds (GC, throttling).
        int tolerated = intAt(container, "livenessProbe.periodSeconds") * intAt(container, "livenessProbe.failureThreshold");
        assertThat(tolerated, greaterThanOrEqualTo(60));
        assertThat(intAt(container, "livenessProbe.timeoutSeconds"), greaterThanOrEqualTo(5));
        // Startup allows far more than a normal start (~2 s) before the kubelet gives up.
        int startBudget = intAt(container, "startupProbe.periodSeconds") * intAt(container, "startupProbe.failureThreshold");
        assertThat(startBudget, greaterThanOrEqualTo(60));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void shutdownOutlastsPreStopDrainAndGrace(String variant) {
        var m = rendered.get(variant);
        var podSpec = podSpec(m);
        var lifecycle = mapAt(configFile(m), "spillway.lifecycle");
        long drainDelay = seconds(lifecycle.get("drain-delay"));
        long gracePeriod = seconds(lifecycle.get("grace-period"));
        int preStop = preStopSleepSeconds(container(m));

        assertThat(preStop, greaterThan(0));
        assertThat(drainDelay, is(5L));
        assertThat(gracePeriod, is(20L));
        assertThat(intAt(podSpec, "terminationGracePeriodSeconds"), greaterThan((int) (preStop + drainDelay + gracePeriod)));
    }

    @Test
    void movingTheAdminPortMovesTheSocketTheProbesAndTheMetricsService() {
        var m = chart.template(null, Map.of("ports.admin", 9191));
        assertThat(containerPort(container(m), "admin"), is(9191));
        var sockets = listAt(configFile(m), "server.sockets");
        assertThat(map(sockets.getFirst()).get("name"), is("admin"));
        assertThat(intAt(sockets.getFirst(), "port"), is(9191));
        // Default port: the built-in socket list is left alone (a rendered list would replace it whole).
        assertThat(mapAt(configFile(rendered.get(DEFAULTS)), "server"), not(hasKey("sockets")));
    }

    @Test
    void refusesAGracePeriodThatWouldKillInFlightPublishes() {
        var e = assertThrows(IllegalStateException.class,
                () -> chart.template(null, Map.of("shutdown.terminationGracePeriodSeconds", 30)));
        assertThat(e.getMessage(), containsString("terminationGracePeriodSeconds"));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void rollsOutWithoutLosingCapacity(String variant) {
        var deployment = rendered.get(variant).one("Deployment");
        assertThat(at(deployment, "spec.strategy.type"), is("RollingUpdate"));
        assertThat(intAt(deployment, "spec.strategy.rollingUpdate.maxUnavailable"), is(0));
        assertThat(intAt(deployment, "spec.strategy.rollingUpdate.maxSurge"), greaterThanOrEqualTo(1));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void credentialsNeverReachAConfigMap(String variant) {
        var m = rendered.get(variant);
        var values = valuesOf(variant);
        for (var configMap : m.all("ConfigMap")) {
            String data = String.valueOf(configMap.get("data"));
            for (String secret : values) {
                assertThat("ConfigMap " + at(configMap, "metadata.name"), data, not(containsString(secret)));
            }
        }
        var spillway = mapAt(configFile(m), "spillway");
        assertThat(listAt(spillway, "apps"), is(empty()));
        assertThat(mapAt(spillway, "redis"), not(hasKey("password")));
        assertThat((String) spillway.get("apps-file"), startsWith(mountPath(container(m), "secrets") + "/"));
    }

    @Test
    void renderedSecretCarriesTheAppsFileAndRedisPassword() {
        var secret = rendered.get(SENTINEL).one("Secret");
        var stringData = mapAt(secret, "stringData");
        var appsFile = map(Manifests.yaml().load((String) stringData.get("apps.yaml")));
        var app = map(listAt(appsFile, "apps").getFirst());
        assertThat(app.get("id"), is("1001"));
        assertThat(app.get("secret"), is("ci-app-secret-do-not-use"));
        assertThat(stringData.get("redis-password"), is("ci-redis-password"));

        var env = listAt(container(rendered.get(SENTINEL)), "env");
        var password = env.stream().map(Manifests::map).filter(e -> "SPILLWAY_REDIS_PASSWORD".equals(e.get("name")))
                .findFirst().orElseThrow();
        assertThat(at(password, "valueFrom.secretKeyRef.name"), is(at(secret, "metadata.name")));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void configAndSecretAreMountedAsDirectoriesSoUpdatesArrive(String variant) {
        var m = rendered.get(variant);
        var container = container(m);
        for (Object mount : listAt(container, "volumeMounts")) {
            assertThat("subPath mounts never update", map(mount), not(hasKey("subPath")));
        }
        String configFile = envValue(container, "SPILLWAY_CONFIG");
        assertThat(configFile, startsWith(mountPath(container, "config") + "/"));
        var configMapName = at(podSpec(m), "volumes[0].configMap.name");
        assertThat(configMapName, is(at(configMap(m), "metadata.name")));
        assertThat(((Map<?, ?>) at(configMap(m), "data")).containsKey(configFile.substring(configFile.lastIndexOf('/') + 1)), is(true));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void onlySecretChangesRestartPods(String variant) {
        var metadata = mapAt(rendered.get(variant).one("Deployment"), "spec.template.metadata");
        Map<String, Object> annotations = metadata.containsKey("annotations") ? mapAt(metadata, "annotations") : Map.of();
        assertThat(annotations.keySet(), everyItem(not(containsString("config"))));
        boolean chartOwnsSecret = rendered.get(variant).has("Secret");
        assertThat(annotations.containsKey("checksum/secret"), is(chartOwnsSecret));
    }

    @Test
    void existingSecretIsUsedInsteadOfRenderingOne() {
        var m = rendered.get(CLUSTER);
        assertThat(m.has("Secret"), is(false));
        assertThat(at(podSpec(m), "volumes[1].secret.secretName"), is("spillway-credentials"));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void runsLockedDown(String variant) {
        var m = rendered.get(variant);
        var podSpec = podSpec(m);
        var container = container(m);
        assertThat(at(podSpec, "securityContext.runAsNonRoot"), is(true));
        assertThat(intAt(podSpec, "securityContext.runAsUser"), greaterThan(0));
        assertThat(at(container, "securityContext.readOnlyRootFilesystem"), is(true));
        assertThat(at(container, "securityContext.allowPrivilegeEscalation"), is(false));
        assertThat(listAt(container, "securityContext.capabilities.drop"), hasItem("ALL"));
        assertThat(mountPath(container, "tmp"), is("/tmp"));
        var tmp = listAt(podSpec, "volumes").stream().map(Manifests::map)
                .filter(v -> "tmp".equals(v.get("name"))).findFirst().orElseThrow();
        assertThat(tmp, hasKey("emptyDir"));
        assertThat(at(podSpec, "enableServiceLinks"), is(false));
        assertThat(mapAt(container, "resources.limits"), hasKey("memory"));
        assertThat(mapAt(container, "resources.requests"), hasKey("cpu"));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void autoscalerAddsPodsGraduallyAndRemovesThemSlowly(String variant) {
        var hpa = rendered.get(variant).one("HorizontalPodAutoscaler");
        assertThat(at(hpa, "apiVersion"), is("autoscaling/v2"));
        assertThat(at(hpa, "spec.scaleTargetRef.name"), is(at(rendered.get(variant).one("Deployment"), "metadata.name")));
        var scaleUp = mapAt(hpa, "spec.behavior.scaleUp");
        assertThat(scaleUp.get("selectPolicy"), not(is("Disabled")));
        var policies = listAt(scaleUp, "policies");
        assertThat(policies, not(empty()));
        for (Object p : policies) {
            var policy = map(p);
            // Kubernetes' default adds up to 4 pods or 100% every 15 s; this must be far gentler.
            assertThat(policy.get("type"), is("Pods"));
            double podsPerMinute = intAt(policy, "value") * 60.0 / intAt(policy, "periodSeconds");
            assertThat(podsPerMinute, lessThanOrEqualTo(2.0));
        }
        assertThat(intAt(hpa, "spec.behavior.scaleDown.stabilizationWindowSeconds"), greaterThanOrEqualTo(60));
        // The Deployment leaves the replica count to the autoscaler.
        assertThat(mapAt(rendered.get(variant).one("Deployment"), "spec"), not(hasKey("replicas")));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void disruptionBudgetCoversThePods(String variant) {
        var m = rendered.get(variant);
        var pdb = m.one("PodDisruptionBudget");
        assertThat(at(pdb, "apiVersion"), is("policy/v1"));
        assertThat(at(pdb, "spec.selector.matchLabels"), is(at(m.one("Deployment"), "spec.selector.matchLabels")));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void publicServiceNeverExposesTheAdminPort(String variant) {
        var services = rendered.get(variant).all("Service");
        var publicPorts = services.stream().filter(s -> !String.valueOf(at(s, "metadata.name")).endsWith("-metrics"))
                .flatMap(s -> listAt(s, "spec.ports").stream()).map(p -> map(p).get("targetPort")).toList();
        var metricsPorts = services.stream().filter(s -> String.valueOf(at(s, "metadata.name")).endsWith("-metrics"))
                .flatMap(s -> listAt(s, "spec.ports").stream()).map(p -> map(p).get("targetPort")).toList();
        assertThat(publicPorts, is(List.of("http")));
        assertThat(metricsPorts, is(List.of("admin")));
    }

    @Test
    void sentinelValuesReachTheConfigFile() {
        var redis = mapAt(configFile(rendered.get(SENTINEL)), "spillway.redis");
        assertThat(redis.get("mode"), is("sentinel"));
        assertThat(redis.get("master-name"), is("mymaster"));
        assertThat(listAt(redis, "nodes").size(), is(3));
        var cluster = mapAt(configFile(rendered.get(CLUSTER)), "spillway.redis");
        assertThat(cluster.get("mode"), is("cluster"));
        assertThat(intAt(configFile(rendered.get(CLUSTER)), "spillway.admission.global-rate"), is(30000));
        assertThat(preStopSleepSeconds(container(rendered.get(CLUSTER))), is(5));
    }

    @Test
    void monitoringAndNetworkPolicyRenderWhenEnabled() {
        var m = rendered.get(SENTINEL);
        var monitor = m.one("ServiceMonitor");
        assertThat(at(monitor, "spec.endpoints[0].path"), is("/observe/metrics"));
        assertThat(at(monitor, "spec.endpoints[0].port"), is("admin"));
        var policy = m.one("NetworkPolicy");
        assertThat(listAt(policy, "spec.policyTypes"), is(List.of("Ingress", "Egress")));
        assertThat(rendered.get(DEFAULTS).has("ServiceMonitor"), is(false));
        assertThat(rendered.get(DEFAULTS).has("NetworkPolicy"), is(false));
    }

    @Test
    void dashboardShowsEveryGatewayMetric() {
        var dashboard = rendered.get(SENTINEL).all("ConfigMap").stream().filter(HelmChartTest::isDashboard)
                .findFirst().orElseThrow();
        assertThat(at(dashboard, "metadata.labels.grafana_dashboard"), is("1"));
        String json = (String) mapAt(dashboard, "data").get("spillway.json");
        // JSON is YAML: parse it to be sure it is well formed.
        var parsed = map(Manifests.yaml().load(json));
        assertThat(listAt(parsed, "panels").size(), greaterThanOrEqualTo(6));
        for (String metric : List.of("spillway_admission_admitted_total", "spillway_admission_rejected_total",
                "spillway_concurrency_limit", "spillway_inflight", "spillway_publish_seconds",
                "spillway_capacity_factor", "spillway_ready", "spillway_lifecycle_state")) {
            assertThat(json, containsString(metric));
        }
        assertThat(json, containsString("by (reason)"));
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("replicaCount", "two", "replicaCount"),
                Arguments.of("replicaCoutn", 3, "replicaCoutn"),
                Arguments.of("config.redis.password", "in-a-configmap", "password"),
                Arguments.of("config.apps-file", "/elsewhere.yaml", "apps-file"),
                Arguments.of("config.lifecycle.drain-delay", "3s", "drain-delay"),
                Arguments.of("config.redis.mode", "sentinel-ish", "mode"),
                Arguments.of("config.redis.address", "127.0.0.1:6379", "address"),
                Arguments.of("updateStrategy.maxUnavailable", 1, "maxUnavailable"),
                Arguments.of("securityContext.allowPrivilegeEscalation", true, "allowPrivilegeEscalation"),
                Arguments.of("podSecurityContext.runAsNonRoot", false, "runAsNonRoot"),
                Arguments.of("probes.liveness.failureThreshold", 0, "failureThreshold"),
                Arguments.of("config.lifecycle.broker-down-readiness", "maybe", "broker-down-readiness"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void schemaRejectsBadValuesAtInstallTime(String key, Object value, String named) {
        var e = assertThrows(IllegalStateException.class, () -> chart.template(null, Map.of(key, value)));
        assertThat(e.getMessage(), containsString("schema"));
        assertThat(e.getMessage(), containsString(named));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sentinel", "cluster"})
    void schemaRequiresNodesForSentinelAndCluster(String mode) {
        var e = assertThrows(IllegalStateException.class,
                () -> chart.template(null, Map.of("config.redis.mode", mode)));
        assertThat(e.getMessage(), containsString("nodes"));
    }

    // ---------------------------------------------------------------------------------------

    private static boolean isDashboard(Map<String, Object> configMap) {
        return String.valueOf(at(configMap, "metadata.name")).endsWith("-dashboard");
    }

    private static Map<String, Object> configMap(Manifests m) {
        return m.all("ConfigMap").stream().filter(c -> !isDashboard(c)).findFirst().orElseThrow();
    }

    private static Map<String, Object> configFile(Manifests m) {
        var data = mapAt(configMap(m), "data");
        return map(Manifests.yaml().load((String) data.get("spillway.yaml")));
    }

    private static Map<String, Object> podSpec(Manifests m) {
        return mapAt(m.one("Deployment"), "spec.template.spec");
    }

    private static Map<String, Object> container(Manifests m) {
        return map(listAt(podSpec(m), "containers").getFirst());
    }

    private static int containerPort(Map<String, Object> container, String name) {
        return listAt(container, "ports").stream().map(Manifests::map).filter(p -> name.equals(p.get("name")))
                .map(p -> intAt(p, "containerPort")).findFirst().orElseThrow();
    }

    private static String mountPath(Map<String, Object> container, String volume) {
        return listAt(container, "volumeMounts").stream().map(Manifests::map).filter(v -> volume.equals(v.get("name")))
                .map(v -> (String) v.get("mountPath")).findFirst().orElseThrow();
    }

    private static String envValue(Map<String, Object> container, String name) {
        return listAt(container, "env").stream().map(Manifests::map).filter(e -> name.equals(e.get("name")))
                .map(e -> (String) e.get("value")).filter(Objects::nonNull).findFirst().orElseThrow();
    }

    private static int preStopSleepSeconds(Map<String, Object> container) {
        var preStop = mapAt(container, "lifecycle.preStop");
        if (preStop.containsKey("sleep")) {
            return intAt(preStop, "sleep.seconds");
        }
        var command = listAt(preStop, "exec.command");
        assertThat(command.getFirst(), is("sleep"));
        return Integer.parseInt((String) command.get(1));
    }

    /** "5s", "2m", "500ms" as whole seconds (rounded up). */
    private static long seconds(Object duration) {
        String text = String.valueOf(duration);
        Duration d = text.endsWith("ms") ? Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)))
                : Duration.parse("PT" + text.toUpperCase());
        return (d.toMillis() + 999) / 1000;
    }

    /** Credentials the given values file puts into the chart; none may appear in a ConfigMap. */
    private static List<String> valuesOf(String variant) {
        return SENTINEL.equals(variant) ? List.of("ci-app-secret-do-not-use", "ci-app-key", "ci-redis-password") : List.of();
    }
}
