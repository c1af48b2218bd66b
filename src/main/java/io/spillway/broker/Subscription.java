package io.spillway.broker;

/** A live subscription to one app channel; closing it stops delivery and frees what it holds. */
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
