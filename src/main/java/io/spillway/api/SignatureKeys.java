package io.spillway.api;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@link PusherSignature}'s digests for the request path, checked against the hex a request carries without a
 * provider lookup, a key schedule or a hex string per request: keyed HMAC-SHA256 instances per app secret and MD5
 * instances, each used by one request at a time and handed back (neither is thread-safe; a pool rather than a
 * thread-local, because every connection has a virtual thread of its own). Measured: cloned prototypes instead of a
 * provider lookup per request, 3646 -> 2419 ns per check (bin/bench jmh-ab); pools and byte-wise comparison
 * instead of clones and hex strings, 2432 -> 760 B allocated per check (JMH -prof gc; NOTES-bench.md, round 6).
 */
final class SignatureKeys {
    /** More distinct secrets than this (hot reloads that rotate secrets) just start the cache over. */
    private static final int MAX_SECRETS = 1024;
    /**
     * Idle instances kept per secret. A check never blocks, so no more run at once than the pod has carriers (one or
     * two here); the pool only grows to that.
     */
    private static final int POOL_SIZE = 4;

    private final Map<String, Queue<Mac>> macs = new ConcurrentHashMap<>();
    private final Queue<MessageDigest> md5s = new ConcurrentLinkedQueue<>();

    /** Whether {@code givenHex} (either case) is the MD5 of {@code body}; constant time for a hex of the right length. */
    boolean bodyMd5Matches(byte[] body, String givenHex) {
        MessageDigest md5 = md5s.poll();
        if (md5 == null) {
            md5 = newMd5();
        }
        byte[] digest = md5.digest(body); // digest() leaves it reset for the next request
        giveBack(md5s, md5);
        return hexEquals(digest, givenHex);
    }

    /** Whether {@code givenHex} (either case) is the HMAC-SHA256 of {@code data} under {@code secret}. */
    boolean signatureMatches(String secret, byte[] data, String givenHex) {
        if (macs.size() > MAX_SECRETS) {
            macs.clear();
        }
        Queue<Mac> pool = macs.computeIfAbsent(secret, s -> new ConcurrentLinkedQueue<>());
        Mac mac = pool.poll();
        if (mac == null) {
            mac = keyed(secret);
        }
        byte[] digest = mac.doFinal(data); // doFinal() leaves it reset, keyed the same
        giveBack(pool, mac);
        return hexEquals(digest, givenHex);
    }

    /** Keeps a reset instance for the next request unless the pool already holds enough. */
    private static <T> void giveBack(Queue<T> pool, T instance) {
        if (pool.size() < POOL_SIZE) {
            pool.offer(instance);
        }
    }

    /**
     * Whether {@code hex} spells {@code bytes} in hexadecimal, either case: every digit is looked at whatever the
     * first difference, so the time says nothing about where a forged value goes wrong.
     */
    static boolean hexEquals(byte[] bytes, String hex) {
        if (hex.length() != 2 * bytes.length) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < bytes.length; i++) {
            int hi = digit(hex.charAt(2 * i));
            int lo = digit(hex.charAt(2 * i + 1));
            diff |= (hi | lo) >>> 31;      // a non-hex character
            diff |= ((hi << 4) | lo) ^ (bytes[i] & 0xff);
        }
        return diff == 0;
    }

    /** The value of a hex digit (either case), or -1. */
    private static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 is required by the JDK", e);
        }
    }

    private static Mac keyed(String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by the JDK", e);
        }
    }
}
