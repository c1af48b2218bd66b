package io.spillway.testing.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks loopback ports that are bindable right now.
 *
 * <p>Ports come from a fixed range below the kernel's ephemeral range (32768+), so outgoing
 * connections of other processes cannot grab them between the check and redis binding them, and
 * randomly, so parallel builds on the same machine rarely collide. Callers still retry when the
 * server fails to bind (see {@link RedisNode}).
 */
public final class FreePorts {

    static final int LOW = 15000;
    static final int HIGH = 30000;
    private static final int ATTEMPTS = 200;

    private FreePorts() {
    }

    /** A port that is free on 127.0.0.1 at the time of the call. */
    public static int next() {
        for (int i = 0; i < ATTEMPTS; i++) {
            int candidate = ThreadLocalRandom.current().nextInt(LOW, HIGH);
            if (isFree(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free loopback port in [" + LOW + ", " + HIGH + ") after " + ATTEMPTS + " attempts");
    }

    /** Whether nothing listens on (or holds) the port on 127.0.0.1. */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
