package io.spillway.broker;

/**
 * What the broker says about one request's messages: every message acknowledged, or why not.
 * One immutable value, so the HTTP layer and admission read the same verdict.
 *
 * @param outcome      the verdict
 * @param acknowledged messages the broker acknowledged (all of them only when {@link Outcome#ACKED})
 * @param detail       human-readable reason when not acknowledged, else empty
 */
public record PublishResult(Outcome outcome, int acknowledged, String detail) {

    public enum Outcome {
        /** The broker acknowledged every message. */
        ACKED,
        /** Not attempted: the broker is not connected or its circuit is open. */
        UNAVAILABLE,
        /** Attempted but not acknowledged within the deadline: some messages may still be delivered. */
        TIMEOUT,
        /** Attempted and refused by the broker. */
        FAILED
    }

    public static PublishResult acked(int count) {
        return new PublishResult(Outcome.ACKED, count, "");
    }

    public static PublishResult unavailable(String detail) {
        return new PublishResult(Outcome.UNAVAILABLE, 0, detail);
    }

    public boolean ok() {
        return outcome == Outcome.ACKED;
    }

    /** Whether the broker itself was at fault (slow or down), as opposed to nothing being tried. */
    public boolean brokerFault() {
        return outcome == Outcome.TIMEOUT || outcome == Outcome.FAILED;
    }
}
