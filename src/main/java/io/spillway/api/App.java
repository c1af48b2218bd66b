package io.spillway.api;

import java.util.Objects;

/**
 * A Pusher application: the id in the URL, the key clients send as {@code auth_key}, the secret they sign with.
 * The secret never appears in {@link #toString()} so it cannot leak into logs.
 */
public record App(String id, String key, String secret) {
    public App {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(secret, "secret");
    }

    @Override
    public String toString() {
        return "App[id=" + id + ", key=" + key + "]";
    }
}
