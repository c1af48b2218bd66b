package io.spillway.testing.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** POSIX signals for child processes; Java only offers TERM and KILL, chaos tests need STOP and CONT. */
public final class Processes {

    private Processes() {
    }

    /** Sends {@code signal} (e.g. {@code STOP}, {@code CONT}, {@code TERM}) to the process. */
    public static void signal(ProcessHandle process, String signal) {
        ProcessBuilder kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        try {
            Process p = kill.start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " hung");
            }
            if (p.exitValue() != 0 && process.isAlive()) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " exited " + p.exitValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILLs the process (a stopped process dies too) and waits until the kernel has reaped it. */
    public static void killAndWait(Process process, Duration timeout) {
        process.destroyForcibly();
        awaitExit(process, timeout);
    }

    /** Waits for exit; fails loudly rather than leaving a test to run against a zombie. */
    public static void awaitExit(Process process, Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("process " + process.pid() + " did not exit within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
