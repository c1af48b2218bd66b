package io.spillway.bench;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Starts one request and reports its answer exactly once, on any thread. The open-loop generator sends through
 * this, so a client can be asynchronous (Netty: no thread per request) or blocking on a virtual thread.
 */
interface RequestSender extends AutoCloseable {

    /**
     * The answer: a status (0 with {@code error} set when there was none), a sampled non-2xx body, and the
     * {@code Retry-After} seconds it carried (-1 when none, or when the client cannot see headers).
     */
    @FunctionalInterface
    interface Completion {
        void completed(int status, String body, int retryAfterSeconds, Throwable error);
    }

    void send(PublishRequests.Signed request, Completion done);

    @Override
    void close();

    /** Whether to read the body of this non-2xx answer: one in 200, enough to name the reasons. */
    static boolean sampleBody() {
        return ThreadLocalRandom.current().nextInt(200) == 0;
    }

    static RequestSender create(String kind, String host, int port, int connections, java.time.Duration timeout) {
        if (kind.equals("netty")) {
            return new NettySender(host, port, timeout);
        }
        return new Blocking(Transport.create(kind, "http://" + host + ":" + port, connections, timeout));
    }

    /** A blocking {@link Transport} driven by one virtual thread per request. */
    final class Blocking implements RequestSender {
        private final Transport transport;

        Blocking(Transport transport) {
            this.transport = transport;
        }

        @Override
        public void send(PublishRequests.Signed request, Completion done) {
            Thread.startVirtualThread(() -> {
                Transport.Answer answer;
                try {
                    answer = transport.post(request.pathAndQuery(), request.body(), RequestSender::sampleBody);
                } catch (Exception e) {
                    done.completed(0, null, -1, e);
                    return;
                }
                done.completed(answer.status(), answer.body(), -1, null);
            });
        }

        @Override
        public void close() {
            transport.close();
        }
    }
}
