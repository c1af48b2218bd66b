package io.spillway.api;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Pusher's request signature: lowercase hex HMAC-SHA256 over {@code METHOD\nPATH\nQUERY}, where QUERY is every
 * parameter but {@code auth_signature}, keys lowercased and sorted, joined {@code k=v&...} without escaping.
 * Used both to verify requests and, by clients such as the warm-up and the benchmark, to sign them.
 */
public final class PusherSignature {
    private static final HexFormat HEX = HexFormat.of();

    private PusherSignature() {
    }

    public static String bodyMd5(byte[] body) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("MD5").digest(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 is required by the JDK", e);
        }
    }

    /** The string the signature covers; {@code params} must not contain {@code auth_signature}. */
    public static String stringToSign(String method, String path, Map<String, String> params) {
        TreeMap<String, String> sorted = new TreeMap<>();
        params.forEach((k, v) -> sorted.put(k.toLowerCase(Locale.ROOT), v));
        String[] keys = sorted.keySet().toArray(new String[0]);
        String[] values = sorted.values().toArray(new String[0]);
        return new String(stringToSignBytes(method, path, keys, values, keys.length), StandardCharsets.UTF_8);
    }

    /**
     * {@code METHOD\nPATH\nk=v&k=v...} as UTF-8 from the first {@code n} parameters, keys already lowercased and
     * sorted: the one spelling of the string to sign, straight into bytes for the request path.
     */
    static byte[] stringToSignBytes(String method, String path, String[] keys, String[] values, int n) {
        int length = method.length() + 1 + path.length() + 1 + Math.max(0, n - 1);
        boolean ascii = isAscii(method) && isAscii(path);
        for (int i = 0; i < n; i++) {
            length += keys[i].length() + 1 + values[i].length();
            ascii &= isAscii(keys[i]) && isAscii(values[i]);
        }
        if (!ascii) {
            StringBuilder sb = new StringBuilder(length).append(method).append('\n').append(path).append('\n');
            for (int i = 0; i < n; i++) {
                sb.append(i == 0 ? "" : "&").append(keys[i]).append('=').append(values[i]);
            }
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }
        byte[] out = new byte[length];
        int at = put(out, 0, method);
        out[at++] = '\n';
        at = put(out, at, path);
        out[at++] = '\n';
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                out[at++] = '&';
            }
            at = put(out, at, keys[i]);
            out[at++] = '=';
            at = put(out, at, values[i]);
        }
        return out;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Copies an ASCII string's characters as bytes; the index after them. */
    private static int put(byte[] out, int at, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            out[at + i] = (byte) ascii.charAt(i);
        }
        return at + ascii.length();
    }

    public static String sign(String secret, String method, String path, Map<String, String> params) {
        return hmacHex(secret, stringToSign(method, path, params));
    }

    public static String hmacHex(String secret, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HEX.formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by the JDK", e);
        }
    }

    /**
     * A complete signed query string for a request, as a Pusher server SDK would send it.
     *
     * @param body the raw body; {@code body_md5} is included when it is not empty
     */
    public static String signedQuery(String key, String secret, String method, String path, byte[] body,
                                     long epochSeconds) {
        StringBuilder sb = new StringBuilder(160);
        signedParams(key, secret, method, path, body, epochSeconds)
                .forEach((k, v) -> sb.append(sb.isEmpty() ? "" : "&").append(k).append('=').append(v));
        return sb.toString();
    }

    /** The query parameters of a signed request, {@code auth_signature} last. */
    public static Map<String, String> signedParams(String key, String secret, String method, String path,
                                                   byte[] body, long epochSeconds) {
        TreeMap<String, String> params = new TreeMap<>();
        params.put("auth_key", key);
        params.put("auth_timestamp", Long.toString(epochSeconds));
        params.put("auth_version", "1.0");
        if (body.length > 0) {
            params.put("body_md5", bodyMd5(body));
        }
        String signature = sign(secret, method, path, params);
        Map<String, String> all = new LinkedHashMap<>(params);
        all.put("auth_signature", signature);
        return all;
    }
}
