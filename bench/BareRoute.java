import java.util.LinkedHashMap;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.spillway.config.ConfigLoader;

/**
 * The floor the publish path is measured against (bench/pinned.sh subject {@code bare}): the same Helidon server,
 * started from the same configuration as the gateway (its public listener's limits and options), with one route that
 * reads the publish body and answers {@code {}} as a publish does, and nothing else: no authentication, admission,
 * JSON parsing, metrics or broker. Run from the built jar (its manifest puts Helidon on the class path):
 * {@code java -cp target/spillway.jar bench/BareRoute.java}.
 */
public final class BareRoute {
    private BareRoute() {
    }

    public static void main(String[] args) {
        Config config = ConfigLoader.fromProcess().load();
        WebServerConfig.Builder builder = WebServer.builder()
                .config(config.get("server"))
                .featuresDiscoverServices(false);
        Map<String, ListenerConfig> sockets = new LinkedHashMap<>(builder.sockets());
        sockets.remove("admin");
        WebServer server = builder.sockets(sockets)
                .routing(routing -> routing
                        .post("/apps/{app}/events", (req, res) -> {
                            req.content().as(byte[].class); // read, as a publish reads it
                            res.header(HeaderNames.CONTENT_TYPE, "application/json").send("{}");
                        })
                        .get("/observe/health/ready", (req, res) -> res.send("ready")))
                .build()
                .start();
        System.out.println("bare route on port " + server.port());
    }
}
