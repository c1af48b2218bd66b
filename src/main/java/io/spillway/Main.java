package io.spillway;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.bucket4j.TimeMeter;
import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import io.helidon.metrics.api.Metrics;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServerConfig;
import io.spillway.admission.AdmissionController;
import io.spillway.admission.BacklogJanitor;
import io.spillway.admission.HelidonAdmissionMetrics;
import io.spillway.api.AdmissionFilter;
import io.spillway.api.ApiErrors;
import io.spillway.api.AppRegistry;
import io.spillway.api.ChannelsService;
import io.spillway.api.FleetAccess;
import io.spillway.api.HeadDeadline;
import io.spillway.api.JsonDirectHandler;
import io.spillway.api.PublishService;
import io.spillway.api.RequestAuthenticator;
import io.spillway.api.StreamService;
import io.spillway.broker.Broker;
import io.spillway.broker.MemoryBroker;
import io.spillway.broker.RedissonBroker;
import io.spillway.broker.SoketiFleet;
import io.spillway.broker.SoketiWireFormat;
import io.spillway.broker.WireFormat;
import io.spillway.config.AppSettings;
import io.spillway.config.ConfigLoader;
import io.spillway.config.ConfigWatcher;
import io.spillway.config.InvalidConfigException;
import io.spillway.config.SettingsReader;
import io.spillway.config.SpillwaySettings;
import io.spillway.config.StartupSummary;
import io.spillway.lifecycle.AdminListener;
import io.spillway.lifecycle.BrokerHealth;
import io.spillway.lifecycle.BrokerProbe;
import io.spillway.lifecycle.GuardedBroker;
import io.spillway.lifecycle.HealthChecks;
import io.spillway.lifecycle.Lifecycle;
import io.spillway.lifecycle.LifecycleMetrics;
import io.spillway.lifecycle.LifecycleSettings;
import io.spillway.lifecycle.LifecycleState;
import io.spillway.lifecycle.ListenerFailures;
import io.spillway.lifecycle.SlowStart;
import io.spillway.lifecycle.Startup;
import io.spillway.lifecycle.SyntheticTraffic;
import io.spillway.lifecycle.WarmUp;
import io.spillway.lifecycle.WarmupSettings;
import sun.misc.Signal;

/** Wires the gateway: configuration, broker, lifecycle, admission, the public API and the admin socket. */
public final class Main {
    private static final Logger LOG = Logger.getLogger(Main.class.getName());
    private static final String FLEET_NEEDED = "channel queries are answered by a soketi fleet: they need "
            + "spillway.broker: redis and spillway.redis.wire-format: soketi";
    /** Held: JUL keeps loggers weakly, and a collected logger forgets the level spillway.log-level set on it. */
    private static final Logger SPILLWAY_LOG = Logger.getLogger("io.spillway");

    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        RunningGateway gateway;
        try {
            gateway = start(ConfigLoader.fromProcess());
        } catch (InvalidConfigException | StartupException e) {
            // One line, whatever the underlying parser said.
            failed(e.getMessage(), e);
            return;
        } catch (RuntimeException e) {
            failed("cannot start: " + ConfigLoader.rootMessage(e), e);
            return;
        } catch (LinkageError e) {
            // a runtime without a module the gateway needs (e.g. a jlink'ed JRE without jdk.httpserver): exit, never
            // run half-started with the listeners that did come up
            failed("cannot start: " + e + " (is the Java runtime missing a module?)", e);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "spillway-shutdown"));
        // SIGTERM drains (readiness down, serve, finish, stop) and then exits 0; other signals just stop.
        // Not a JDK shutdown hook: hooks run concurrently (the close hook above would stop the listeners mid-drain),
        // JUL's own hook resets logging as shutdown begins (the drain would log nothing), SIGINT would drain too, and
        // the exit status after SIGTERM is 143 unless a hook halts the VM, not the 0 DrainTest expects.
        // sun.misc.Signal (module jdk.unsupported) is the JDK's only way to handle a signal without starting shutdown.
        Signal.handle(new Signal("TERM"), signal -> Thread.ofPlatform().name("spillway-drain").start(() -> {
            gateway.drain();
            System.exit(0);
        }));
    }

    /** One line on stderr and exit 1; the stack trace only when spillway.log-level is FINE or finer. */
    private static void failed(String message, Throwable e) {
        System.err.println("spillway: " + message.replaceAll("\\s*\\R\\s*", "; "));
        if (LOG.isLoggable(Level.FINE)) {
            e.printStackTrace();
        }
        System.exit(1);
    }

    /** Builds and starts everything; throws instead of running half-started. */
    public static RunningGateway start(ConfigLoader loader) {
        Config config = loader.load();
        config.get("spillway.log-level").asString().ifPresent(Main::logLevel);
        SpillwaySettings settings = SettingsReader.read(config);
        List<AutoCloseable> resources = new ArrayList<>();
        AppRegistry apps = new AppRegistry(settings.apps().stream().map(AppSettings::app).toList(), true);
        WireFormat wire = WireFormat.of(settings.redis());
        Broker raw = broker(settings, wire);
        resources.add(raw);

        LifecycleSettings lc = settings.lifecycle();
        WarmupSettings warmup = settings.warmup();
        BrokerHealth health = new BrokerHealth(lc.breakerFailures(), lc.unreadyAfterFailures(),
                                               lc.readyAfterSuccesses());
        Broker broker = new GuardedBroker(raw, health);
        Lifecycle lifecycle = new Lifecycle(health, new SlowStart(warmup.slowStart(), warmup.floor(),
                                                                  warmup.aggression()),
                                            lc.brokerDownReadiness(), System::nanoTime);
        HelidonAdmissionMetrics admissionMetrics = HelidonAdmissionMetrics.create();
        resources.add(admissionMetrics);
        AdmissionController admission = new AdmissionController(settings.admission(), settings.quotas(), lifecycle,
                                                                lifecycle, TimeMeter.SYSTEM_NANOTIME,
                                                                admissionMetrics);
        resources.add(new BacklogJanitor(admission, Duration.ofMillis(5)));
        LifecycleMetrics lifecycleMetrics = new LifecycleMetrics(Metrics.globalRegistry());
        lifecycleMetrics.bind(lifecycle, health);
        resources.add(lifecycleMetrics);

        RequestAuthenticator auth = new RequestAuthenticator(Clock.systemUTC(), settings.limits().timestampWindow());
        long retryAfter = Math.max(1, (settings.admission().retryAfter().toMillis() + 999) / 1000);
        FleetAccess fleet = fleet(settings, raw, wire, retryAfter);
        PublishService publish = new PublishService(apps, auth, settings.limits(), broker, admission, retryAfter,
                                                    fleet);
        ChannelsService channels = new ChannelsService(apps, auth, settings.limits(), fleet, admission,
                                                       FLEET_NEEDED);
        StreamService stream = new StreamService(apps, auth, broker, settings.stream(), lifecycle,
                                                 () -> lifecycle.state() == LifecycleState.DRAINING,
                                                 Metrics.globalRegistry());
        resources.add(stream);
        AtomicBoolean started = new AtomicBoolean();
        HealthChecks checks = new HealthChecks(lifecycle, health, broker, started::get);

        ListenerFailures bindFailures = new ListenerFailures(LOG.isLoggable(Level.FINE));
        WebServerConfig.Builder listener = publicListener(config);
        if (settings.listener().headerDeadline()) {
            HeadDeadline heads = new HeadDeadline(settings.listener().headerTimeout());
            resources.add(heads);
            heads.install(listener, config.get("server.protocols.http_1_1"));
        }
        WebServer server = listener
                .routing(routing -> routing(routing, new AdmissionFilter(admission, apps), publish, stream,
                                            channels))
                .build();
        try (bindFailures) {
            server.start();
        }
        if (!server.isRunning() || server.port() < 0) {
            closeAll(resources);
            throw new StartupException(cannotListen(config.get("server.port").asString().orElse("8080"),
                                                    "public, server.port", bindFailures.failures()));
        }
        AdminListener admin;
        try {
            admin = AdminListener.start(adminHost(config), adminPort(config), List.of(checks.all()),
                                        Metrics.globalRegistry());
        } catch (IOException | RuntimeException e) {
            server.stop();
            closeAll(resources);
            throw new StartupException("cannot listen on port " + adminPort(config)
                                               + " (admin, server.sockets[admin].port): " + e.getMessage());
        }
        resources.add(admin);
        RunningGateway gateway = new RunningGateway(server, admin, lifecycle, admission, lc, resources);
        started.set(true);
        LOG.info(StartupSummary.line(version(), settings, config, loader.files(), server.port(),
                                     gateway.adminPort()));
        if (settings.apps().isEmpty()) {
            LOG.warning("no app configured: every publish is answered 404 unknown app; set spillway.apps or "
                                + "spillway.apps-file (a mounted Secret)");
        }

        BrokerProbe probe = new BrokerProbe(raw, health, lc.probeInterval());
        resources.add(probe);
        probe.start();
        Startup startup = new Startup(raw, lifecycle, new WarmUp(raw, new SyntheticTraffic(
                apps.warmupApp().orElseThrow(), server::port), warmup.requests()), lifecycleMetrics);
        resources.add(startup);
        startup.start();
        ConfigWatcher watcher = new ConfigWatcher(loader, settings.reloadInterval(), next -> {
            admission.reconfigure(next.admission(), next.quotas()); // validates quotas: first, so a refusal changes nothing
            apps.replace(next.apps().stream().map(AppSettings::app).toList());
        });
        resources.add(watcher);
        watcher.start(settings);
        return gateway;
    }

    /** Every public route; {@link AdmissionFilter} must match each of them (publishes and channel queries). */
    static void routing(HttpRouting.Builder routing, AdmissionFilter admission, PublishService publish,
                        StreamService stream, ChannelsService channels) {
        ApiErrors.register(routing);
        routing.addFilter(admission)
                .register("/apps", publish, stream, channels)
                .any(ApiErrors::notFound);
    }

    /** The soketi fleet's channel queries need its wire format and Redis; otherwise those endpoints answer 501. */
    private static FleetAccess fleet(SpillwaySettings settings, Broker raw, WireFormat wire, long retryAfter) {
        if (raw instanceof RedissonBroker redis && wire instanceof SoketiWireFormat soketi) {
            Duration timeout = settings.redis().soketiQueryTimeout();
            return new FleetAccess(Optional.of(SoketiFleet.over(redis, soketi, timeout)),
                                   timeout.plusMillis(250), retryAfter);
        }
        return FleetAccess.NONE;
    }

    private static Broker broker(SpillwaySettings settings, WireFormat wire) {
        if (settings.broker() == SpillwaySettings.BrokerKind.MEMORY) {
            return new MemoryBroker(wire);
        }
        RedissonBroker redis = new RedissonBroker(settings.redis(), wire);
        redis.start();
        return redis;
    }

    private static void logLevel(String level) {
        try {
            Level parsed = Level.parse(level.trim().toUpperCase(Locale.ROOT));
            SPILLWAY_LOG.setLevel(parsed);
            for (var handler : Logger.getLogger("").getHandlers()) {
                if (parsed.intValue() < handler.getLevel().intValue()) {
                    handler.setLevel(parsed);
                }
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("spillway.log-level: '" + level + "' is not a level (INFO, FINE, ...)");
        }
    }

    /** The public listener's failure, with the reason Helidon logged (and would have printed as a stack trace). */
    private static String cannotListen(String port, String which, List<ListenerFailures.Failure> failures) {
        String reason = failures.stream().map(ListenerFailures.Failure::reason).findFirst()
                .orElse("already in use or not permitted");
        return "cannot listen on port " + port + " (" + which + "): " + reason;
    }

    /**
     * Helidon serves the public listener only: the {@code admin} socket of {@code server.sockets} is served by
     * {@link AdminListener} on platform threads, so probes answer whatever the public listener carries.
     */
    private static WebServerConfig.Builder publicListener(Config config) {
        WebServerConfig.Builder builder = WebServer.builder()
                .config(config.get("server"))
                .shutdownHook(false)
                .featuresDiscoverServices(false)
                .directHandlers(JsonDirectHandler.all());
        Map<String, ListenerConfig> sockets = new LinkedHashMap<>(builder.sockets());
        sockets.remove(RunningGateway.ADMIN_SOCKET);
        return builder.sockets(sockets);
    }

    private static Config adminSocket(Config config) {
        for (Config socket : config.get("server.sockets").asNodeList().orElse(List.of())) {
            if (RunningGateway.ADMIN_SOCKET.equals(socket.get("name").asString().orElse(""))) {
                return socket;
            }
        }
        return config.get("server.sockets.admin-missing");
    }

    private static int adminPort(Config config) {
        return adminSocket(config).get("port").asInt().orElse(9090);
    }

    private static String adminHost(Config config) {
        return adminSocket(config).get("host").asString().orElse(config.get("server.host").asString().orElse("0.0.0.0"));
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.log(Level.FINE, "closing after a failed start", e);
            }
        }
    }

    /** The jar's Implementation-Version; {@code dev} when run from classes. */
    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
