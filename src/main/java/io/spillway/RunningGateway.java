package io.spillway;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.webserver.WebServer;
import io.spillway.admission.AdmissionController;
import io.spillway.lifecycle.AdminListener;
import io.spillway.lifecycle.Drain;
import io.spillway.lifecycle.Lifecycle;
import io.spillway.lifecycle.LifecycleSettings;

/**
 * A started gateway: its listeners, its lifecycle, and what must be closed when it stops (in reverse order of
 * creation, after the listeners).
 */
public final class RunningGateway implements AutoCloseable {
    public static final String ADMIN_SOCKET = "admin";
    private static final Logger LOG = Logger.getLogger(RunningGateway.class.getName());

    private final WebServer server;
    private final AdminListener admin;
    private final Lifecycle lifecycle;
    private final AdmissionController admission;
    private final LifecycleSettings settings;
    private final List<AutoCloseable> resources;
    private final AtomicBoolean closed = new AtomicBoolean();

    RunningGateway(WebServer server, AdminListener admin, Lifecycle lifecycle, AdmissionController admission,
                   LifecycleSettings settings, List<AutoCloseable> resources) {
        this.server = server;
        this.admin = admin;
        this.lifecycle = lifecycle;
        this.admission = admission;
        this.settings = settings;
        this.resources = resources;
    }

    public int publicPort() {
        return server.port();
    }

    public int adminPort() {
        return admin.port();
    }

    public Lifecycle lifecycle() {
        return lifecycle;
    }

    public AdmissionController admission() {
        return admission;
    }

    /** SIGTERM's graceful shutdown: see {@link Drain}. Returns once stopped. */
    public void drain() {
        new Drain(lifecycle, settings.drainDelay(), settings.gracePeriod(), admission::inflight, this::close).run();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (server.isRunning()) {
            server.stop();
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "closing " + resources.get(i), e);
            }
        }
    }
}
