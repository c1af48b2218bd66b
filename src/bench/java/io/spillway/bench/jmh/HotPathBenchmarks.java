package io.spillway.bench.jmh;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.bucket4j.TimeMeter;
import io.helidon.common.parameters.Parameters;
import io.spillway.admission.AdmissionController;
import io.spillway.admission.AdmissionDecision;
import io.spillway.admission.AdmissionMetrics;
import io.spillway.admission.AdmissionSettings;
import io.spillway.admission.AppQuota;
import io.spillway.admission.CapacityFactor;
import io.spillway.admission.TrafficGate;
import io.spillway.api.ApiLimits;
import io.spillway.api.App;
import io.spillway.api.PublishParser;
import io.spillway.api.PusherSignature;
import io.spillway.api.RequestAuthenticator;
import io.spillway.broker.ChannelMessage;
import io.spillway.broker.SpillwayWireFormat;
import io.spillway.broker.WireFormat;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The per-request CPU of the publish path, piece by piece: signature check, body parse, wire payload, and the
 * admission decision (admitted and refused). Run with {@code bin/bench jmh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HotPathBenchmarks {
    private static final long NOW = 1_700_000_000L;
    private static final String PATH = "/apps/1001/events";

    private final App app = new App("1001", "bench-key", "bench-secret");
    private final byte[] body = ("{\"name\":\"bench\",\"channels\":[\"bench-1\"],\"data\":\"" + "x".repeat(100) + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    private final byte[] batch = ("{\"batch\":[" + String.join(",", java.util.Collections.nCopies(10,
            "{\"name\":\"bench\",\"channel\":\"bench-1\",\"data\":\"" + "x".repeat(100) + "\"}")) + "]}")
            .getBytes(StandardCharsets.UTF_8);
    private final RequestAuthenticator auth = new RequestAuthenticator(
            Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC), Duration.ofSeconds(600));
    private final PublishParser parser = new PublishParser(ApiLimits.DEFAULTS);
    private final WireFormat wire = new SpillwayWireFormat("spillway:");
    private final ChannelMessage message = new ChannelMessage("1001", "bench-1", "bench", "x".repeat(100), null);
    private Parameters query;
    private AdmissionController open;
    private AdmissionController refusing;

    @Setup
    public void setup() {
        Map<String, String> q = new LinkedHashMap<>();
        for (String pair : PusherSignature.signedQuery(app.key(), app.secret(), "POST", PATH, body, NOW).split("&")) {
            int eq = pair.indexOf('=');
            q.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        query = Parameters.createSingleValueMap("query", q);
        AdmissionSettings defaults = AdmissionSettings.defaults();
        open = controller(new AdmissionSettings(true, 1_000_000_000L, 1_000_000_000L, 1_000_000_000L,
                                                1_000_000_000L, defaults.concurrency(), Duration.ofSeconds(1)));
        // a global bucket of one token that refills once a second: after the first call, every call is a 429
        refusing = controller(new AdmissionSettings(true, 1, 1, 1_000_000_000L, 1_000_000_000L,
                                                    defaults.concurrency(), Duration.ofSeconds(1)));
    }

    private AdmissionController controller(AdmissionSettings settings) {
        return new AdmissionController(settings, List.of(new AppQuota("1001", settings.defaultAppRate(),
                                                                      settings.defaultAppBurst())),
                                       CapacityFactor.full(), TrafficGate.open(), TimeMeter.SYSTEM_NANOTIME,
                                       AdmissionMetrics.NOOP);
    }

    /** body_md5, HMAC-SHA256 of the canonical query, constant-time compare. */
    @Benchmark
    public App verifySignature() {
        auth.verify(app, "POST", PATH, query, body);
        return app;
    }

    /**
     * The digests as the authenticator computed them before keyed prototypes (provider lookup and key setup per
     * request), for a before/after in one run.
     */
    @Benchmark
    public boolean digestsFreshPerRequest() {
        Map<String, String> params = new LinkedHashMap<>();
        query.names().forEach(n -> params.put(n, query.get(n)));
        String given = params.remove("auth_signature");
        return sameHex(PusherSignature.bodyMd5(body), params.get("body_md5"))
                && sameHex(PusherSignature.sign(app.secret(), "POST", PATH, params), given);
    }

    /** The old comparison: both hex strings as bytes, the given one lowercased first. */
    private static boolean sameHex(String expected, String given) {
        return java.security.MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                given.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    @Benchmark
    public List<ChannelMessage> parseEvent() {
        return parser.parseEvent("1001", body);
    }

    @Benchmark
    public List<ChannelMessage> parseBatchOf10() {
        return parser.parseBatch("1001", batch);
    }

    @Benchmark
    public String wirePayload() {
        return wire.payload(message);
    }

    /** enter + charge one message + end the permit: what an admitted request pays. */
    @Benchmark
    public AdmissionDecision admissionAdmitted() {
        AdmissionDecision entered = open.enter();
        AdmissionDecision charged = open.charge("1001", 1);
        entered.permit().onSuccess();
        return charged;
    }

    /** What a request refused by the global rate pays (the 429 path before the body is read). */
    @Benchmark
    public AdmissionDecision admissionRefused() {
        return refusing.enter();
    }
}
