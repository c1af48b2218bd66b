package io.spillway.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Reads a request body within the size limit, refusing non-JSON bodies before reading them.
 *
 * <p>A body over the limit gets its 413 at once (from {@code Content-Length} before reading anything, or after
 * limit+1 bytes of a chunked body). Pusher SDKs send the whole body without waiting ({@code Expect} is not used),
 * and closing a socket with unread data makes the kernel send a reset, which can overtake the 413 at the client:
 * so after the answer is flushed, up to {@code discardBytes} more are read and dropped, and only then is the
 * connection closed. A declared body beyond that is not read at all: the connection is closed right away.
 */
final class BodyReader {
    private static final int DISCARD_CHUNK = 64 * 1024;

    private final int maxBytes;
    private final long discardBytes;

    BodyReader(int maxBytes, long discardBytes) {
        this.maxBytes = maxBytes;
        this.discardBytes = discardBytes;
    }

    /** The body, or empty when it was refused as too large (the 413 is then sent). */
    Optional<byte[]> read(ServerRequest req, ServerResponse res) {
        requireJson(req);
        long declared = req.headers().contentLength().orElse(-1);
        if (declared > maxBytes) {
            refuse(res);
            if (declared - maxBytes <= discardBytes) {
                try (InputStream in = req.content().inputStream()) {
                    drop(in);
                } catch (IOException | RuntimeException e) {
                    // the client went away: nothing more to answer
                }
            }
            return Optional.empty();
        }
        try (InputStream in = req.content().inputStream()) {
            // A declared length is read into an array of exactly that size: readNBytes(max) would stage every body
            // in a 16 KiB buffer first (allocated per request, and held while a slow body trickles in).
            byte[] body = declared >= 0 ? exactly(in, (int) declared) : in.readNBytes(maxBytes + 1);
            if (body.length > maxBytes) {
                refuse(res);
                drop(in);
                return Optional.empty();
            }
            return Optional.of(body);
        } catch (IOException | UncheckedIOException e) {
            throw ApiException.badRequest("cannot read body: " + e.getMessage());
        }
    }

    private static byte[] exactly(InputStream in, int length) throws IOException {
        byte[] body = new byte[length];
        if (in.readNBytes(body, 0, length) < length) {
            throw new IOException("the body ended after fewer bytes than its Content-Length");
        }
        return body;
    }

    private void refuse(ServerResponse res) {
        // The connection is not reused: the rest of its body may not be read.
        res.header(HeaderNames.CONNECTION, "close");
        JsonErrors.send(res, 413, "request body is larger than " + maxBytes + " bytes", 0);
    }

    /** Reads and drops the rest of the body, at most {@code discardBytes}; a client that goes away ends it. */
    private void drop(InputStream in) {
        byte[] sink = new byte[DISCARD_CHUNK];
        long left = discardBytes;
        try {
            for (int n; left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) >= 0; ) {
                left -= n;
            }
        } catch (IOException | RuntimeException e) {
            // the client went away or the body ended badly: nothing more to answer
        }
    }

    private static void requireJson(ServerRequest req) {
        var contentType = req.headers().contentType();
        if (contentType.isEmpty()) {
            return;
        }
        HttpMediaType type = contentType.get();
        String subtype = type.mediaType().subtype();
        boolean json = type.test(MediaTypes.APPLICATION_JSON) || subtype.endsWith("+json");
        if (!json) {
            throw new ApiException(415, "Content-Type must be application/json, got " + type.mediaType().text());
        }
    }
}
