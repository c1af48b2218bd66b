package io.spillway.api;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.helidon.common.parameters.Parameters;

/**
 * Checks a request's Pusher authentication: key, timestamp window, {@code body_md5} and signature.
 * Every failure is a 401 whose message says which part failed, never what the right value would be.
 */
public final class RequestAuthenticator {
    private final Clock clock;
    private final long windowSeconds;
    private final SignatureKeys keys = new SignatureKeys();

    public RequestAuthenticator(Clock clock, Duration window) {
        this.clock = clock;
        this.windowSeconds = window.toSeconds();
    }

    public void verify(App app, String method, String path, Parameters query, byte[] body) {
        Map<String, String> signed = new HashMap<>();
        String signature = null;
        for (String name : query.names()) {
            List<String> values = query.all(name);
            if (values.size() != 1) {
                throw ApiException.unauthorized("query parameter '" + name + "' must appear exactly once");
            }
            if (name.equals("auth_signature")) {
                signature = values.getFirst();
            } else {
                signed.put(name, values.getFirst());
            }
        }
        String key = require(signed, "auth_key");
        String timestamp = require(signed, "auth_timestamp");
        String version = require(signed, "auth_version");
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
        checkBody(signed.get("body_md5"), body);
        String expected = keys.sign(app.secret(), method, path, signed);
        if (!PusherSignature.matches(expected, signature)) {
            throw ApiException.unauthorized("invalid signature");
        }
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
        if (!PusherSignature.matches(keys.bodyMd5(body), bodyMd5)) {
            throw ApiException.unauthorized("body_md5 does not match the body");
        }
    }

    private static String require(Map<String, String> params, String name) {
        String value = params.get(name);
        if (value == null || value.isEmpty()) {
            throw ApiException.unauthorized("missing " + name);
        }
        return value;
    }
}
