package io.spillway.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Every process the bench starts, killed when the bench ends however it ends (normal exit, exception, Ctrl-C:
 * the JVM runs shutdown hooks on SIGINT and SIGTERM).
 */
public final class Children implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();
    private final Thread hook = new Thread(this::killAll, "bench-cleanup");

    public Children() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    public synchronized Process track(Process process) {
        processes.add(process);
        return process;
    }

    private synchronized void killAll() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        processes.clear();
    }

    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running already
        }
    }
}
