package io.spillway.lifecycle;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

import io.spillway.api.App;
import io.spillway.api.PusherSignature;

/**
 * Signed publishes to the pod's own public listener, byte for byte what a Pusher SDK sends, so that JIT, pools, auth,
 * parsing, admission and publishing are all warm before the first real request.
 *
 * <p>Written as plain HTTP/1.1 on a few keep-alive sockets rather than with an HTTP client: at start every class is
 * cold, and a client library's own code (Helidon's WebClient cost as much CPU per request as the server did) would
 * compete with the server for the one core and the JIT's queue while warming nothing the pod later runs.
 */
public final class SyntheticTraffic {
    private static final int PARALLEL = 4;
    private static final int TIMEOUT_MILLIS = 5_000;

    private final App app;
    private final IntSupplier publicPort;

    /**
     * @param app        the internal warm-up app (never counted as app traffic)
     * @param publicPort the public listener's port, known once the server has started
     */
    public SyntheticTraffic(App app, IntSupplier publicPort) {
        this.app = app;
        this.publicPort = publicPort;
    }

    /** Sends {@code count} publishes over a few connections; throws unless every one was answered 200. */
    public void send(int count) throws InterruptedException {
        if (count == 0) {
            return;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger lastFailure = new AtomicInteger();
        List<Thread> workers = new ArrayList<>(PARALLEL);
        for (int w = 0; w < PARALLEL; w++) {
            workers.add(Thread.ofVirtual().name("warmup-" + w).start(() -> {
                Connection connection = null;
                try {
                    for (int i; (i = next.getAndIncrement()) < count; ) {
                        int status;
                        try {
                            connection = connection == null ? new Connection(publicPort.getAsInt()) : connection;
                            status = connection.exchange(request(i));
                            if (connection.closed) {
                                connection.close();
                                connection = null;
                            }
                        } catch (IOException e) {
                            status = -1;
                            if (connection != null) {
                                connection.close();
                                connection = null;
                            }
                        }
                        if (status != 200) {
                            failures.incrementAndGet();
                            lastFailure.set(status);
                        }
                    }
                } finally {
                    if (connection != null) {
                        connection.close();
                    }
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " of " + count + " warm-up publishes failed (last status "
                                                    + lastFailure.get() + ")");
        }
    }

    /** Every fourth one a batch, as SDKs send both. */
    private byte[] request(int i) {
        boolean batch = i % 4 == 3;
        String path = "/apps/" + app.id() + (batch ? "/batch_events" : "/events");
        String body = batch
                ? "{\"batch\":[{\"name\":\"warmup\",\"channel\":\"hot-path\",\"data\":\"{\\\"i\\\":" + i + "}\"}]}"
                : "{\"name\":\"warmup\",\"channels\":[\"hot-path\"],\"data\":\"{\\\"i\\\":" + i + "}\"}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Map<String, String> params = PusherSignature.signedParams(app.key(), app.secret(), "POST", path, bytes,
                                                                  System.currentTimeMillis() / 1000);
        String query = params.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        String head = "POST " + path + "?" + query + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + bytes.length + "\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[headBytes.length + bytes.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(bytes, 0, all, headBytes.length, bytes.length);
        return all;
    }

    /** One keep-alive connection: a request out, its status line, headers and Content-Length body in. */
    private static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private boolean closed;

        Connection(int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream());
            out = new BufferedOutputStream(socket.getOutputStream());
        }

        /** The response's status code; {@link #closed} tells whether the server ended the connection. */
        int exchange(byte[] request) throws IOException {
            out.write(request);
            out.flush();
            String status = line();
            if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
                throw new IOException("not an HTTP/1.1 status line: " + status);
            }
            long length = 0;
            for (String header = line(); !header.isEmpty(); header = line()) {
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring(15).trim());
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    closed = true;
                } else if (lower.startsWith("transfer-encoding:")) {
                    closed = true; // not sent by the publish API; read nothing more from this connection
                }
            }
            in.skipNBytes(length);
            return Integer.parseInt(status.substring(9, 12));
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            for (int b; (b = in.read()) != '\n'; ) {
                if (b < 0) {
                    throw new IOException("connection closed mid-response");
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // nothing left to do with it
            }
        }
    }
}
