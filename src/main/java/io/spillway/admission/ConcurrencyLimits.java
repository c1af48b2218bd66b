package io.spillway.admission;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.FixedLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;

/** Builds the Netflix concurrency-limits algorithm named by the settings. */
final class ConcurrencyLimits {
    private ConcurrencyLimits() {
    }

    static Limit create(ConcurrencySettings settings) {
        return switch (settings.algorithm()) {
            case ConcurrencySettings.GRADIENT2 -> Gradient2Limit.newBuilder()
                    .initialLimit(settings.initial())
                    .minLimit(settings.min())
                    .maxConcurrency(settings.max())
                    .build();
            // Vegas has no minimum of its own: ConcurrencyLimiter clamps its answer to [min, max]
            case ConcurrencySettings.VEGAS -> VegasLimit.newBuilder()
                    .initialLimit(settings.initial())
                    .maxConcurrency(settings.max())
                    .build();
            case ConcurrencySettings.FIXED -> FixedLimit.of(settings.initial());
            default -> throw new IllegalArgumentException("unknown concurrency algorithm " + settings.algorithm());
        };
    }
}
