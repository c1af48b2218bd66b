package io.spillway.admission;

import java.time.Duration;

/**
 * Refuses backlog waiters whose wait budget has run out, every {@code period}, from one platform thread: one timer for
 * the whole backlog instead of a timed park per waiting request.
 */
public final class BacklogJanitor implements AutoCloseable {
    private final Thread thread;

    public BacklogJanitor(AdmissionController admission, Duration period) {
        long millis = Math.max(1, period.toMillis());
        this.thread = Thread.ofPlatform().daemon().name("admission-backlog-janitor").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    return;
                }
                admission.expireWaiters();
            }
        });
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
