package io.spillway;

import java.time.Clock;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.spillway.api.ApiErrors;
import io.spillway.api.AppRegistry;
import io.spillway.api.PublishService;
import io.spillway.api.RequestAuthenticator;
import io.spillway.api.StreamService;
import io.spillway.broker.Broker;
import io.spillway.broker.MemoryBroker;
import io.spillway.broker.RedissonBroker;
import io.spillway.broker.WireFormat;
import io.spillway.config.AppSettings;
import io.spillway.config.ConfigLoader;
import io.spillway.config.InvalidConfigException;
import io.spillway.config.SettingsReader;
import io.spillway.config.SpillwaySettings;
import io.spillway.lifecycle.HealthChecks;

/** Wires the gateway: configuration, broker, the public API on the default socket, health and metrics on admin. */
public final class Main {
    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        RunningGateway gateway;
        try {
            Config config = ConfigLoader.fromProcess().load();
            config.get("spillway.log-level").asString().ifPresent(Main::logLevel);
            gateway = start(config);
        } catch (InvalidConfigException | StartupException e) {
            // One line, whatever the underlying parser said.
            System.err.println("spillway: " + e.getMessage().replaceAll("\\s*\\R\\s*", "; "));
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "spillway-shutdown"));
        LOG.info(() -> "Spillway ready to serve on :" + gateway.publicPort() + ", admin on :" + gateway.adminPort());
    }

    private static void logLevel(String level) {
        try {
            Level parsed = Level.parse(level.trim().toUpperCase(java.util.Locale.ROOT));
            Logger.getLogger("io.spillway").setLevel(parsed);
            for (var handler : Logger.getLogger("").getHandlers()) {
                handler.setLevel(parsed.intValue() < handler.getLevel().intValue() ? parsed : handler.getLevel());
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("spillway.log-level: '" + level + "' is not a level (INFO, FINE, ...)");
        }
    }

    /** Builds and starts everything from {@code config}; throws instead of running half-started. */
    public static RunningGateway start(Config config) {
        SpillwaySettings settings = SettingsReader.read(config);
        AppRegistry apps = new AppRegistry(settings.apps().stream().map(AppSettings::app).toList());
        WireFormat wire = new WireFormat(settings.redis().channelPrefix());
        Broker broker = broker(settings, wire);
        RequestAuthenticator auth = new RequestAuthenticator(Clock.systemUTC(), settings.limits().timestampWindow());
        PublishService publish = new PublishService(apps, auth, settings.limits(), broker, 1);
        StreamService stream = new StreamService(apps, auth, broker, settings.streamHeartbeat(), () -> false);
        HealthChecks health = new HealthChecks(broker);

        WebServer server = WebServer.builder()
                .config(config.get("server"))
                .shutdownHook(false)
                .featuresDiscoverServices(false)
                .addFeature(ObserveFeature.builder()
                                    .sockets(List.of(RunningGateway.ADMIN_SOCKET))
                                    .addObserver(HealthObserver.builder()
                                                         .useSystemServices(false)
                                                         .details(true)
                                                         .addChecks(health.all())
                                                         .build())
                                    .addObserver(MetricsObserver.create())
                                    .build())
                .routing(routing -> routing(routing, publish, stream))
                .build()
                .start();
        RunningGateway gateway = new RunningGateway(server, broker);
        if (!server.isRunning() || server.port() < 0 || server.port(RunningGateway.ADMIN_SOCKET) < 0) {
            gateway.close();
            throw new StartupException("cannot listen on port " + config.get("server.port").asInt().orElse(8080)
                                               + " (public) or " + adminPort(config)
                                               + " (admin): already in use or not permitted");
        }
        return gateway;
    }

    static void routing(HttpRouting.Builder routing, PublishService publish, StreamService stream) {
        ApiErrors.register(routing);
        routing.register("/apps", publish, stream)
                .any(ApiErrors::notFound);
    }

    private static Broker broker(SpillwaySettings settings, WireFormat wire) {
        if (settings.broker() == SpillwaySettings.BrokerKind.MEMORY) {
            return new MemoryBroker(wire);
        }
        RedissonBroker redis = new RedissonBroker(settings.redis(), wire);
        redis.start();
        return redis;
    }

    private static String adminPort(Config config) {
        for (Config socket : config.get("server.sockets").asNodeList().orElse(List.of())) {
            if (RunningGateway.ADMIN_SOCKET.equals(socket.get("name").asString().orElse(""))) {
                return socket.get("port").asString().orElse("?");
            }
        }
        return "?";
    }
}
