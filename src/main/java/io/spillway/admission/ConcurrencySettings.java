package io.spillway.admission;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The in-flight limit and the backlog in front of it. {@code algorithm} is {@code fixed} (the default: the limit is
 * {@code initial} for good), {@code gradient2} or {@code vegas} (Netflix concurrency-limits, fed windowed samples);
 * the limit stays within [{@code min}, {@code max}].
 *
 * <p>A request that finds every slot taken waits for one, newest first, in a backlog of at most {@code backlog}
 * requests (when it is full the oldest waiter is refused). It waits at most {@code maxWait} while the backlog has been
 * empty within the last {@link #STANDING_INTERVAL}, and at most {@code standingWait} once it has stood longer (CoDel's
 * rule: a queue that never drains is overload, not a burst). {@code backlog} 0 refuses at once.
 */
public record ConcurrencySettings(String algorithm, int initial, int min, int max, int backlog, Duration maxWait,
                                  Duration standingWait) {
    static final String GRADIENT2 = "gradient2";
    static final String VEGAS = "vegas";
    static final String FIXED = "fixed";
    /** How long the backlog must not have been empty before it counts as standing. */
    public static final Duration STANDING_INTERVAL = Duration.ofMillis(100);
    private static final Set<String> ALGORITHMS = Set.of(GRADIENT2, VEGAS, FIXED);
    private static final String KEY = "spillway.admission.concurrency.";

    public ConcurrencySettings {
        Objects.requireNonNull(algorithm, KEY + "algorithm");
        algorithm = algorithm.strip().toLowerCase(Locale.ROOT);
        if (!ALGORITHMS.contains(algorithm)) {
            throw new IllegalArgumentException(KEY + "algorithm must be one of fixed, gradient2, vegas, got '"
                    + algorithm + "'");
        }
        if (min < 1) {
            throw new IllegalArgumentException(KEY + "min must be >= 1, got " + min);
        }
        if (max < min) {
            throw new IllegalArgumentException(KEY + "max must be >= " + KEY + "min (" + min + "), got " + max);
        }
        if (initial < min || initial > max) {
            throw new IllegalArgumentException(KEY + "initial must be between min (" + min + ") and max (" + max
                    + "), got " + initial);
        }
        if (backlog < 0) {
            throw new IllegalArgumentException(KEY + "backlog must be >= 0, got " + backlog);
        }
        nonNegative(maxWait, "max-wait");
        nonNegative(standingWait, "standing-wait");
    }

    /** Without a backlog: a request that finds every slot taken is refused at once. */
    public ConcurrencySettings(String algorithm, int initial, int min, int max) {
        this(algorithm, initial, min, max, 0, Duration.ZERO, Duration.ZERO);
    }

    /**
     * The shipped defaults, chosen by measurement on one core (bin/bench pinned, NOTES-bench.md "Round 2"): 4096
     * slots, so a closed-loop flood of a thousand connections is all in flight (512 slots served 30-40 % less at
     * c=1024 than no admission: fewer messages in flight for the Redis pipeline to batch, and every parked request
     * costs a second park/unpark), and a backlog of as many again that waits up to a second for what exceeds them.
     */
    public static ConcurrencySettings defaults() {
        return new ConcurrencySettings(FIXED, 4096, 16, 8192, 4096, Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    /** The wait budget of a request arriving now. */
    long waitBudgetNanos(boolean standing) {
        return (standing ? standingWait : maxWait).toNanos();
    }

    private static void nonNegative(Duration d, String key) {
        Objects.requireNonNull(d, KEY + key);
        if (d.isNegative()) {
            throw new IllegalArgumentException(KEY + key + " must be >= 0, got " + d);
        }
    }
}
