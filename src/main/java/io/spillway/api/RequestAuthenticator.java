package io.spillway.api;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.helidon.common.parameters.Parameters;

/**
 * Checks a request's Pusher authentication: key, timestamp window, {@code body_md5} and signature.
 * Every failure is a 401 whose message says which part failed, never what the right value would be.
 * The string to sign is built straight into bytes and the digests are compared with the request's hex as bytes:
 * no maps, strings or hex strings per request (it runs for every publish).
 */
public final class RequestAuthenticator {
    private static final String SIGNATURE = "auth_signature";

    private final Clock clock;
    private final long windowSeconds;
    private final SignatureKeys keys = new SignatureKeys();

    public RequestAuthenticator(Clock clock, Duration window) {
        this.clock = clock;
        this.windowSeconds = window.toSeconds();
    }

    public void verify(App app, String method, String path, Parameters query, byte[] body) {
        Set<String> names = query.names();
        // the signed parameters, keys lowercased, in the order the signature covers them (sorted by key)
        String[] signedKeys = new String[names.size()];
        String[] signedValues = new String[names.size()];
        int n = 0;
        String signature = null;
        String key = null;
        String timestamp = null;
        String version = null;
        String bodyMd5 = null;
        for (String name : names) {
            List<String> values = query.all(name);
            if (values.size() != 1) {
                throw ApiException.unauthorized("query parameter '" + name + "' must appear exactly once");
            }
            String value = values.getFirst();
            switch (name) {
                case SIGNATURE -> {
                    signature = value;
                    continue;
                }
                case "auth_key" -> key = value;
                case "auth_timestamp" -> timestamp = value;
                case "auth_version" -> version = value;
                case "body_md5" -> bodyMd5 = value;
                default -> {
                    // an extra parameter is signed like the others
                }
            }
            n = insertSorted(signedKeys, signedValues, n, name.toLowerCase(Locale.ROOT), value, name);
        }
        require(key, "auth_key");
        require(timestamp, "auth_timestamp");
        require(version, "auth_version");
        if (signature == null || signature.isEmpty()) {
            throw ApiException.unauthorized("missing auth_signature");
        }
        if (!key.equals(app.key())) {
            throw ApiException.unauthorized("unknown auth_key for app " + app.id());
        }
        if (!version.equals("1.0")) {
            throw ApiException.unauthorized("auth_version must be 1.0");
        }
        checkTimestamp(timestamp);
        checkBody(bodyMd5, body);
        byte[] signed = PusherSignature.stringToSignBytes(method, path, signedKeys, signedValues, n);
        if (!keys.signatureMatches(app.secret(), signed, signature)) {
            throw ApiException.unauthorized("invalid signature");
        }
    }

    /**
     * Inserts a parameter into the first {@code n} sorted entries; the new count. Two names that differ only in
     * case would sign as one key: refused, as a repeated parameter is.
     */
    private static int insertSorted(String[] keys, String[] values, int n, String key, String value, String name) {
        int i = n;
        while (i > 0) {
            int c = keys[i - 1].compareTo(key);
            if (c == 0) {
                throw ApiException.unauthorized("query parameter '" + name + "' must appear exactly once");
            }
            if (c < 0) {
                break;
            }
            keys[i] = keys[i - 1];
            values[i] = values[i - 1];
            i--;
        }
        keys[i] = key;
        values[i] = value;
        return n + 1;
    }

    private void checkTimestamp(String timestamp) {
        long ts;
        try {
            ts = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            throw ApiException.unauthorized("auth_timestamp must be Unix seconds");
        }
        long skew = Math.abs(clock.instant().getEpochSecond() - ts);
        if (skew > windowSeconds) {
            throw ApiException.unauthorized("auth_timestamp is " + skew + " s away from server time (allowed: "
                                                    + windowSeconds + " s); check the client's clock");
        }
    }

    private void checkBody(String bodyMd5, byte[] body) {
        if (body.length == 0) {
            return;
        }
        if (bodyMd5 == null) {
            throw ApiException.unauthorized("missing body_md5 for a request with a body");
        }
        if (!keys.bodyMd5Matches(body, bodyMd5)) {
            throw ApiException.unauthorized("body_md5 does not match the body");
        }
    }

    private static void require(String value, String name) {
        if (value == null || value.isEmpty()) {
            throw ApiException.unauthorized("missing " + name);
        }
    }
}
