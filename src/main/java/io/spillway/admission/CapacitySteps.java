package io.spillway.admission;

/**
 * The capacity factor quantized to 5 % steps: the slow-start bucket is reconfigured only when the
 * step changes (at most 20 times per ramp), not on every request.
 */
final class CapacitySteps {
    /** The step of factor 1.0; steps run 1 (5 %) .. 20 (100 %). */
    static final int FULL = 20;

    private CapacitySteps() {
    }

    /** Nearest step; NaN or anything >= 1 is full (fail open), anything <= 0 is the smallest step. */
    static int of(double factor) {
        if (!(factor < 1.0)) {
            return FULL;
        }
        long step = Math.round(factor * FULL);
        return (int) Math.max(1, Math.min(FULL, step));
    }

    static double factor(int step) {
        return step / (double) FULL;
    }

    /** {@code max(1, floor(value * step / 20))} without overflow. */
    static long scale(long value, int step) {
        long scaled = (value / FULL) * step + (value % FULL) * step / FULL;
        return Math.max(1, scaled);
    }

    static int scale(int value, int step) {
        return (int) scale((long) value, step);
    }
}
