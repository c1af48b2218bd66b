package io.spillway.bench.replay;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.spillway.api.PusherSignature;

/**
 * The publishers: an open-loop stream of new publishes (each due at its own time whatever the servers do), each
 * retried like a Pusher SDK user with a retry wrapper would: after {@code Retry-After} plus jitter when the answer
 * carries one (429, a gateway's 503), else exponential backoff with jitter (connection trouble, HAProxy's own
 * 502/503/504), at most {@code maxAttempts} tries. At most {@code maxInFlight} publishes are outstanding, waiting
 * retries included; a new publish beyond that is dropped, not queued. Every publish carries a unique id in
 * {@code data} so deliveries can be matched to acknowledgements.
 */
final class RetryingClients {
    /** Retry and client bounds. */
    record Policy(int maxAttempts, Duration baseBackoff, Duration maxBackoff, double retryAfterJitter,
                  int maxInFlight, Duration timeout) {
    }

    /** The app the clients publish as. */
    record App(String id, String key, String secret) {
    }

    private static final HeaderName SERVER = HeaderNames.create(Haproxy.SERVER_HEADER);

    private final WebClient client;
    private final App app;
    private final Policy policy;
    private final LoadRecord record;
    private final ReplayClock clock;
    private final String tag;
    private final Semaphore slots;
    private final Set<Long> acked = ConcurrentHashMap.newKeySet();
    private volatile long issued;
    private final Map<String, List<Long>> answers = new ConcurrentHashMap<>();
    private final Queue<Long> okTimes = new ConcurrentLinkedQueue<>();

    private enum Verdict { OK, RETRY_AFTER, BACKOFF, GIVE_UP }

    private record Answer(Verdict verdict, long retryAfterSeconds) {
    }

    RetryingClients(String baseUri, App app, Policy policy, LoadRecord record, ReplayClock clock, String tag) {
        this.client = WebClient.builder()
                .baseUri(baseUri)
                .connectTimeout(Duration.ofSeconds(1))
                .readTimeout(policy.timeout())
                .connectionCacheSize(Math.min(policy.maxInFlight(), 512))
                .followRedirects(false)
                .build();
        this.app = app;
        this.policy = policy;
        this.record = record;
        this.clock = clock;
        this.tag = tag;
        this.slots = new Semaphore(policy.maxInFlight());
    }

    /** The {@code data} of publish {@code seq}: unique across runs sharing a Redis ({@code tag} differs). */
    String data(long seq) {
        return tag + "-" + seq;
    }

    String tag() {
        return tag;
    }

    /** Publishes acknowledged with a 2xx (by sequence number). */
    Set<Long> acked() {
        return acked;
    }

    long issued() {
        return issued;
    }

    /**
     * Issues {@code rate} new publishes per second for seconds {@code [0, seconds)} of the clock (blocking);
     * their retries go on afterwards, see {@link #awaitQuiet}.
     */
    void run(double rate, int seconds) {
        long zero = clock.zeroNanos();
        long n = 0;
        for (int s = 0; s < seconds; s++) {
            long perSecond = Math.round(rate);
            for (long k = 0; k < perSecond; k++) {
                long due = zero + TimeUnit.SECONDS.toNanos(s) + (long) (k * 1e9 / rate);
                parkUntil(due);
                record.add(LoadRecord.Kind.OFFERED, s);
                if (!slots.tryAcquire()) {
                    record.add(LoadRecord.Kind.DROPPED, s);
                    continue;
                }
                long seq = n++;
                issued = n;
                Thread.startVirtualThread(() -> {
                    try {
                        publish(seq, due);
                    } finally {
                        slots.release();
                    }
                });
            }
        }
    }

    /** Waits until no publish is outstanding (every one acknowledged or given up); false on timeout. */
    boolean awaitQuiet(Duration timeout) throws InterruptedException {
        if (slots.tryAcquire(policy.maxInFlight(), timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            slots.release(policy.maxInFlight());
            return true;
        }
        return false;
    }

    int outstanding() {
        return policy.maxInFlight() - slots.availablePermits();
    }

    private void publish(long seq, long firstDue) {
        byte[] body = ("{\"name\":\"replay\",\"channel\":\"replay-" + (seq % 8) + "\",\"data\":\"" + data(seq) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        long due = firstDue;
        for (int attempt = 1; ; attempt++) {
            parkUntil(due);
            Answer answer = attempt(body, due, attempt);
            if (answer.verdict() == Verdict.OK) {
                acked.add(seq);
                record.publishLatency(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - firstDue));
                return;
            }
            if (answer.verdict() == Verdict.GIVE_UP || attempt >= policy.maxAttempts()) {
                record.add(LoadRecord.Kind.GAVE_UP, second(System.nanoTime()));
                return;
            }
            due = System.nanoTime() + backoff(answer, attempt);
        }
    }

    private long backoff(Answer answer, int attempt) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (answer.verdict() == Verdict.RETRY_AFTER) {
            // the server said when: never earlier, spread over a jitter window so retries do not come back in step
            double seconds = answer.retryAfterSeconds() * (1 + policy.retryAfterJitter() * random.nextDouble());
            return (long) (seconds * 1e9);
        }
        long cap = Math.min(policy.maxBackoff().toNanos(), policy.baseBackoff().toNanos() << Math.min(attempt - 1, 20));
        return cap / 2 + (long) (random.nextDouble() * cap / 2); // "equal jitter"
    }

    private Answer attempt(byte[] body, long due, int attempt) {
        long sent = System.nanoTime();
        int sentSecond = second(sent);
        if (attempt == 1 && sent - due > TimeUnit.MILLISECONDS.toNanos(LoadRecord.LATE_MILLIS)) {
            record.add(LoadRecord.Kind.LATE, second(due));
        }
        record.add(LoadRecord.Kind.SENT, sentSecond);
        if (attempt > 1) {
            record.add(LoadRecord.Kind.RETRIES, sentSecond);
        }
        String path = "/apps/" + app.id() + "/events";
        String query = PusherSignature.signedQuery(app.key(), app.secret(), "POST", path, body,
                                                   Instant.now().getEpochSecond());
        HttpClientRequest request = client.post(path).header(HeaderValues.CONTENT_TYPE_JSON);
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            request.queryParam(pair.substring(0, eq), pair.substring(eq + 1));
        }
        int status;
        String server;
        long retryAfter;
        try (HttpClientResponse response = request.submit(body)) {
            response.entity().consume();
            status = response.status().code();
            server = response.headers().first(SERVER).orElse(null);
            retryAfter = response.headers().first(HeaderNames.RETRY_AFTER).map(RetryingClients::seconds).orElse(-1L);
        } catch (RuntimeException e) {
            record.add(LoadRecord.Kind.CONN_ERROR, second(System.nanoTime()));
            record.error(e.getClass().getSimpleName() + ": " + e.getMessage());
            return new Answer(Verdict.BACKOFF, -1);
        }
        long done = System.nanoTime();
        int s = second(done);
        if (server != null) {
            List<Long> times = answers.computeIfAbsent(server, k -> new ArrayList<>());
            synchronized (times) {
                times.add(done);
            }
        }
        if (status / 100 == 2) {
            record.add(LoadRecord.Kind.OK, s);
            record.okLatency(server, s, TimeUnit.NANOSECONDS.toMicros(done - due));
            okTimes.add(done);
            serverCount(server, LoadRecord.ServerKind.OK, s);
            return new Answer(Verdict.OK, -1);
        }
        boolean fromGateway = server != null;
        if (status == 429) {
            record.add(LoadRecord.Kind.R429, s);
            serverCount(server, LoadRecord.ServerKind.R429, s);
        } else if (status == 503 && fromGateway) {
            record.add(LoadRecord.Kind.R503, s);
            serverCount(server, LoadRecord.ServerKind.R503, s);
        } else if (status == 503) {
            record.add(LoadRecord.Kind.LB503, s);
        } else if (!fromGateway && (status == 502 || status == 504)) {
            record.add(LoadRecord.Kind.LB5XX, s);
        } else {
            record.add(LoadRecord.Kind.OTHER, s);
            serverCount(server, LoadRecord.ServerKind.OTHER, s);
            record.error("HTTP " + status + (fromGateway ? " from " + server : " from haproxy"));
            if (status / 100 == 4) {
                return new Answer(Verdict.GIVE_UP, -1); // a client error does not get better by retrying
            }
        }
        return retryAfter > 0 ? new Answer(Verdict.RETRY_AFTER, retryAfter) : new Answer(Verdict.BACKOFF, -1);
    }

    private void serverCount(String server, LoadRecord.ServerKind kind, int second) {
        if (server != null) {
            record.addServer(server, kind, second);
        }
    }

    private static long seconds(String retryAfter) {
        try {
            return Long.parseLong(retryAfter.trim());
        } catch (NumberFormatException e) {
            return -1; // an HTTP date: not what Spillway sends
        }
    }

    private int second(long nanos) {
        return (int) Math.floorDiv(nanos - clock.zeroNanos(), 1_000_000_000L);
    }

    private static void parkUntil(long nanos) {
        for (long wait = nanos - System.nanoTime(); wait > 0; wait = nanos - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
    }

    /** When every 2xx arrived (nanoTime), in no particular order. */
    List<Long> okTimes() {
        return List.copyOf(okTimes);
    }

    /** When each gateway answered anything (nanoTime), by server name. */
    Map<String, List<Long>> answerTimes() {
        Map<String, List<Long>> out = new TreeMap<>();
        answers.forEach((server, times) -> {
            synchronized (times) {
                out.put(server, List.copyOf(times));
            }
        });
        return out;
    }
}
