package io.spillway.bench.replay;

import java.util.ArrayList;
import java.util.List;

/** Every process the replay starts, SIGKILLed when it ends however it ends (exception, Ctrl-C, JVM exit). */
final class Reaper implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();
    private final Thread hook = new Thread(this::killAll, "replay-reaper");

    Reaper() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    synchronized Process track(Process process) {
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
