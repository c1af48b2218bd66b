package io.spillway.testing.redis;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.pollinterval.IterativePollInterval;

/**
 * The suite's waits, on Awaitility: the shared CI box is slow and noisy, so fixtures never sleep a fixed time. The
 * condition is checked at once and then every 5, 10, 20 ... 100 ms, on the calling thread (fixtures' clients are
 * not shared across threads); a runtime exception thrown by a probe counts as "not yet" (a node that is still starting
 * refuses connections) and the last one becomes the cause of the timeout, an {@link AssertionError} naming what was
 * awaited, which callers may catch to add context.
 */
public final class Await {
    private static final Duration MAX_INTERVAL = Duration.ofMillis(100);

    private Await() {
    }

    /** Polls until {@code condition} holds; throws {@link AssertionError} naming {@code what} after {@code timeout}. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        value(what, timeout, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }

    /** Polls until {@code probe} yields a value and returns it. */
    public static <T> T value(String what, Duration timeout, Supplier<Optional<T>> probe) {
        try {
            return conditions(what, timeout).until(probe::get, Optional::isPresent).orElseThrow();
        } catch (ConditionTimeoutException e) {
            AssertionError error = new AssertionError("timed out after " + timeout + " waiting for " + what);
            error.initCause(e.getCause() != null ? e.getCause() : e);
            throw error;
        }
    }

    private static ConditionFactory conditions(String what, Duration timeout) {
        return Awaitility.await(what).atMost(timeout).pollInSameThread().pollDelay(Duration.ZERO)
                .pollInterval(IterativePollInterval.iterative(d -> min(d.multipliedBy(2), MAX_INTERVAL),
                                                              Duration.ofMillis(5)))
                .ignoreExceptionsInstanceOf(RuntimeException.class);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting", e);
        }
    }
}
