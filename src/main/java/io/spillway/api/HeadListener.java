package io.spillway.api;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * HTTP/1 receive listener that reports each request's head to {@link HeadDeadline}, then forwards everything to the
 * listener Helidon had configured (its debug logging), so installing it changes nothing else.
 */
final class HeadListener implements Http1ConnectionListener {
    private final HeadDeadline deadline;
    private final Http1ConnectionListener next;

    HeadListener(HeadDeadline deadline, Http1ConnectionListener next) {
        this.deadline = deadline;
        this.next = next;
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        deadline.started(ctx);
        next.prologue(ctx, prologue);
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        if (!deadline.completed(ctx)) {
            // completed just as the sweeper answered it 408: never route it as well
            throw new CloseConnectionException("request head past its deadline");
        }
        next.headers(ctx, headers);
    }

    @Override
    public void status(ConnectionContext ctx, Status status) {
        next.status(ctx, status);
    }

    @Override
    public void data(ConnectionContext ctx, BufferData data) {
        next.data(ctx, data);
    }

    @Override
    public void data(ConnectionContext ctx, byte[] data, int position, int length) {
        next.data(ctx, data, position, length);
    }
}
