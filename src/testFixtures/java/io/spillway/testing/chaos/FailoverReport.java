package io.spillway.testing.chaos;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.spillway.testing.PublishLoad.Attempt;
import io.spillway.testing.redis.RedisSubscriber;

/**
 * What a chaos run measured: requests by status, the window in which the gateway answered 503 (first 503's start to
 * last 503's end), how long after the promotion publishing resumed, and acknowledged versus received messages.
 */
public final class FailoverReport {
    private static final Pattern DATA = Pattern.compile("\"data\":\"(m-\\d+)\"");

    private final String scenario;
    private final Timeline timeline;
    private final List<Attempt> attempts;
    private final Map<String, Set<Integer>> receivedOn;
    private final long faultAt;
    private final long promotedAt;

    /**
     * @param faultMark    the timeline mark of the fault (kill, pause)
     * @param promotedMark the timeline mark of the observed promotion
     */
    public FailoverReport(String scenario, Timeline timeline, List<Attempt> attempts,
                          Collection<RedisSubscriber.Message> deliveries, String faultMark, String promotedMark) {
        this.scenario = scenario;
        this.timeline = timeline;
        this.attempts = attempts.stream().sorted(Comparator.comparingLong(Attempt::startNanos)).toList();
        this.receivedOn = byData(deliveries);
        this.faultAt = timeline.at(faultMark);
        this.promotedAt = timeline.at(promotedMark);
    }

    /** Message data → ports of the nodes it was delivered through. */
    public static Map<String, Set<Integer>> byData(Collection<RedisSubscriber.Message> deliveries) {
        return deliveries.stream().map(m -> Map.entry(data(m.payload()), m.nodePort()))
                .filter(e -> !e.getKey().isEmpty())
                .collect(Collectors.groupingBy(Map.Entry::getKey,
                                               Collectors.mapping(Map.Entry::getValue, Collectors.toSet())));
    }

    /** The {@code m-<seq>} data of a wire payload, or empty. */
    public static String data(String payload) {
        Matcher m = DATA.matcher(payload);
        return m.find() ? m.group(1) : "";
    }

    public long requests() {
        return attempts.size();
    }

    public List<Attempt> acked() {
        return attempts.stream().filter(Attempt::acked).toList();
    }

    public long count(int status) {
        return attempts.stream().filter(a -> a.status() == status).count();
    }

    /** Statuses other than 2xx and 503 (0: no HTTP answer), with counts. */
    public Map<Integer, Long> unexpected() {
        return attempts.stream().filter(a -> !a.acked() && a.status() != 503)
                .collect(Collectors.groupingBy(Attempt::status, TreeMap::new, Collectors.counting()));
    }

    /** Acknowledged messages that no subscriber on any node received. */
    public List<Attempt> lost() {
        return acked().stream().filter(a -> !receivedOn.containsKey(a.data())).toList();
    }

    /** Acknowledged messages that started after {@code sinceNanos} yet did not arrive through node {@code port}. */
    public List<Attempt> missedOn(int port, long sinceNanos) {
        return acked().stream().filter(a -> a.startNanos() > sinceNanos)
                .filter(a -> !receivedOn.getOrDefault(a.data(), Set.of()).contains(port)).toList();
    }

    public long received() {
        return acked().stream().filter(a -> receivedOn.containsKey(a.data())).count();
    }

    /** First 503 start to last 503 end, in ms after the fault; empty when there was none. */
    public Optional<long[]> window503() {
        List<Attempt> shed = attempts.stream().filter(a -> a.status() == 503).toList();
        if (shed.isEmpty()) {
            return Optional.empty();
        }
        long first = shed.stream().mapToLong(Attempt::startNanos).min().orElseThrow();
        long last = shed.stream().mapToLong(Attempt::endNanos).max().orElseThrow();
        return Optional.of(new long[] {Timeline.millisBetween(faultAt, first), Timeline.millisBetween(faultAt, last)});
    }

    /** From the promotion to the first acknowledgement that completed after it, in ms. */
    public Optional<Long> resumeMillis() {
        return attempts.stream().filter(Attempt::acked).mapToLong(Attempt::endNanos).filter(end -> end > promotedAt)
                .min().stream().boxed().findFirst().map(end -> Timeline.millisBetween(promotedAt, end));
    }

    /** 503s whose request started after publishing had resumed (first ack after the promotion). */
    public List<Attempt> shedAfterResume() {
        long resumed = attempts.stream().filter(Attempt::acked).mapToLong(Attempt::endNanos)
                .filter(end -> end > promotedAt).min().orElse(Long.MAX_VALUE);
        return attempts.stream().filter(a -> a.status() == 503 && a.startNanos() > resumed).toList();
    }

    /** Acknowledgements completing between the fault and the promotion (only possible if the fault was harmless). */
    public long ackedDuringOutage() {
        return attempts.stream().filter(Attempt::acked)
                .filter(a -> a.endNanos() > faultAt && a.endNanos() < promotedAt).count();
    }

    /** 503s by the half second (after the fault) in which their request ended: where the window is dense. */
    public String sheddingHistogram() {
        TreeMap<Long, Long> buckets = attempts.stream().filter(a -> a.status() == 503)
                .collect(Collectors.groupingBy(a -> Math.floorDiv(Timeline.millisBetween(faultAt, a.endNanos()), 500),
                                               TreeMap::new, Collectors.counting()));
        return buckets.entrySet().stream().map(e -> e.getKey() * 500 + "ms:" + e.getValue())
                .collect(Collectors.joining(" ", "  503s per 500 ms after the fault: ", "\n"));
    }

    /** 503 reasons (the error text without volatile details) with counts. */
    public Map<String, Long> sheddingReasons() {
        return attempts.stream().filter(a -> a.status() == 503)
                .collect(Collectors.groupingBy(a -> a.body().replaceAll("[0-9a-f]{6,}|\\d+", "#"), TreeMap::new,
                                               Collectors.counting()));
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("=== chaos: ").append(scenario).append(" ===\n").append(timeline);
        out.append(String.format("  requests %d: 2xx %d, 503 %d, other %s%n",
                                 requests(), acked().size(), count(503), unexpected()));
        out.append(window503().map(w -> String.format("  503 window: %d ms .. %d ms after the fault (%d ms), %d answers%n",
                                                      w[0], w[1], w[1] - w[0], count(503)))
                           .orElse("  503 window: none\n"));
        out.append(sheddingHistogram());
        sheddingReasons().forEach((reason, n) -> out.append(String.format("    %5d x %s%n", n, reason)));
        out.append(String.format("  promotion observed %d ms after the fault; first ack %s ms after the promotion%n",
                                 Timeline.millisBetween(faultAt, promotedAt),
                                 resumeMillis().map(String::valueOf).orElse("never")));
        long outageCount = count(503) - shedAfterResume().size();
        out.append(String.format("  outage as clients saw it: fault .. first ack after the promotion = %s ms, %d 503s;"
                                         + " %d 503s later (requests started after publishing resumed)%n",
                                 resumeMillis().map(r -> String.valueOf(Timeline.millisBetween(faultAt, promotedAt) + r))
                                         .orElse("?"), outageCount, shedAfterResume().size()));
        out.append(String.format("  acked %d, received %d, lost %d%n", acked().size(), received(), lost().size()));
        return out.toString();
    }
}
