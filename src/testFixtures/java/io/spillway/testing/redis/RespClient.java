package io.spillway.testing.redis;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Minimal RESP2 client for tests: one blocking socket, no pooling, no pipelining magic.
 *
 * <p>Reply mapping: simple string and bulk string → {@link String} (UTF-8), nil → {@code null},
 * integer → {@link Long}, array → {@link List}, error → {@link RespError} (a value inside arrays;
 * {@link #command} throws {@link RespErrorException} for a top-level error).
 * Deliberately independent of Redisson so fixture behaviour never depends on the code under test.
 */
public final class RespClient implements AutoCloseable {

    /** An error reply ({@code -ERR ...}, {@code -MOVED ...}). */
    public record RespError(String message) {
        /** First word of the message, e.g. {@code MOVED}, {@code ERR}, {@code LOADING}. */
        public String code() {
            int space = message.indexOf(' ');
            return space < 0 ? message : message.substring(0, space);
        }
    }

    /** Thrown by {@link #command} when Redis answers with an error. */
    public static final class RespErrorException extends RuntimeException {
        private final RespError error;

        RespErrorException(RespError error) {
            super(error.message());
            this.error = error;
        }

        public RespError error() {
            return error;
        }
    }

    /** Generous default: the test machine is a shared, loaded 2-core box. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RespClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects with the given connect and read timeout ({@code Duration.ZERO} read timeout = block forever). */
    public static RespClient connect(String host, int port, Duration connectTimeout, Duration readTimeout) {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
            socket.connect(new InetSocketAddress(host, port), Math.toIntExact(connectTimeout.toMillis()));
            return new RespClient(socket);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException("cannot connect to " + host + ":" + port, e);
        }
    }

    public static RespClient connect(int port) {
        return connect("127.0.0.1", port, DEFAULT_TIMEOUT, DEFAULT_TIMEOUT);
    }

    public static RespClient connect(int port, Duration timeout) {
        return connect("127.0.0.1", port, timeout, timeout);
    }

    /** Sends one command and returns its reply; error replies are thrown as {@link RespErrorException}. */
    public Object command(String... args) {
        send(args);
        Object reply = read();
        if (reply instanceof RespError error) {
            throw new RespErrorException(error);
        }
        return reply;
    }

    /** A flat {@code [k1, v1, k2, v2, ...]} reply (e.g. {@code SENTINEL replicas}) as an ordered map. */
    public static Map<String, String> asMap(Object flatArray) {
        List<?> items = (List<?>) flatArray;
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < items.size(); i += 2) {
            map.put(String.valueOf(items.get(i)), String.valueOf(items.get(i + 1)));
        }
        return map;
    }

    /** Writes a command without reading anything (subscriptions, pipelining). */
    public void send(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        writeAscii(buf, "*" + args.length + "\r\n");
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            writeAscii(buf, "$" + bytes.length + "\r\n");
            buf.writeBytes(bytes);
            writeAscii(buf, "\r\n");
        }
        try {
            out.write(buf.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("write to " + endpoint() + " failed", e);
        }
    }

    /** Reads the next reply or push frame; errors are returned as {@link RespError} values. */
    public Object read() {
        try {
            return readValue();
        } catch (SocketTimeoutException e) {
            throw new UncheckedIOException("no reply from " + endpoint() + " within the read timeout", e);
        } catch (IOException e) {
            throw new UncheckedIOException("read from " + endpoint() + " failed", e);
        }
    }

    /** Changes the read timeout; {@code Duration.ZERO} blocks forever (subscriber sockets). */
    public void readTimeout(Duration timeout) {
        try {
            socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private Object readValue() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new IOException("connection closed by " + endpoint());
        }
        String line = readLine();
        return switch (type) {
            case '+' -> line;
            case '-' -> new RespError(line);
            case ':' -> Long.parseLong(line);
            case '$' -> readBulk(Integer.parseInt(line));
            case '*' -> readArray(Integer.parseInt(line));
            default -> throw new IOException("unexpected RESP type '" + (char) type + "' from " + endpoint());
        };
    }

    private String readBulk(int length) throws IOException {
        if (length < 0) {
            return null;
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
            throw new IOException("connection closed mid-reply by " + endpoint());
        }
        readLine(); // trailing CRLF
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private List<Object> readArray(int size) throws IOException {
        if (size < 0) {
            return null;
        }
        List<Object> items = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            items.add(readValue());
        }
        return items;
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed mid-reply by " + endpoint());
            }
            if (b == '\r') {
                int lf = in.read();
                if (lf != '\n') {
                    throw new IOException("malformed line ending from " + endpoint());
                }
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(b);
        }
    }

    private String endpoint() {
        return "127.0.0.1:" + socket.getPort();
    }

    private static void writeAscii(ByteArrayOutputStream buf, String s) {
        buf.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing useful to do with a failed close in a test fixture
        }
    }
}
