package io.spillway;

import io.helidon.webserver.WebServer;
import io.spillway.broker.Broker;

/** A started gateway: its listeners and what must be closed when it stops. */
public record RunningGateway(WebServer server, Broker broker) implements AutoCloseable {
    public static final String ADMIN_SOCKET = "admin";

    public int publicPort() {
        return server.port();
    }

    public int adminPort() {
        return server.port(ADMIN_SOCKET);
    }

    @Override
    public void close() {
        if (server.isRunning()) {
            server.stop();
        }
        broker.close();
    }
}
