package io.spillway.bench;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.spillway.api.PusherSignature;

/**
 * Pusher-signed {@code POST /apps/{id}/events} requests spread round-robin over apps and channels, signed as a
 * Pusher server SDK would. Signatures are cached per (app, channel) for the current second: the gateway still
 * verifies every request, the generator just does not pay for HMAC/MD5 at every send.
 */
final class PublishRequests {
    /** One app the generator publishes as. */
    record BenchApp(String id, String key, String secret) {
    }

    /** What one send needs: path with signed query, and the body. */
    record Signed(String pathAndQuery, byte[] body) {
    }

    private record Cached(long second, Signed request) {
    }

    private final List<BenchApp> apps;
    private final int channels;
    private final byte[][] bodies;
    private final AtomicReferenceArray<Cached> cache;

    /**
     * @param dataBytes size of the event's {@code data} string (ASCII)
     */
    PublishRequests(List<BenchApp> apps, int channels, int dataBytes) {
        this.apps = List.copyOf(apps);
        this.channels = channels;
        String data = "x".repeat(dataBytes);
        this.bodies = new byte[channels][];
        for (int c = 0; c < channels; c++) {
            bodies[c] = ("{\"name\":\"bench\",\"channels\":[\"bench-" + c + "\"],\"data\":\"" + data + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
        }
        this.cache = new AtomicReferenceArray<>(apps.size() * channels);
    }

    /** The {@code n}-th request of a run. */
    Signed get(long n) {
        int slot = (int) (n % cache.length());
        long second = System.currentTimeMillis() / 1000;
        Cached cached = cache.get(slot);
        if (cached == null || cached.second() != second) {
            BenchApp app = apps.get(slot / channels);
            byte[] body = bodies[slot % channels];
            String path = "/apps/" + app.id() + "/events";
            String query = PusherSignature.signedQuery(app.key(), app.secret(), "POST", path, body, second);
            cached = new Cached(second, new Signed(path + "?" + query, body));
            cache.set(slot, cached);
        }
        return cached.request();
    }
}
