package io.spillway.api;

import java.io.IOException;
import java.io.InputStream;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** Reads a request body within the size limit, refusing non-JSON bodies before reading them. */
final class BodyReader {
    private final int maxBytes;

    BodyReader(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    byte[] read(ServerRequest req, ServerResponse res) {
        requireJson(req);
        long declared = req.headers().contentLength().orElse(-1);
        if (declared > maxBytes) {
            // The rest of the body is not read: the connection cannot be reused, so close it.
            res.header(HeaderNames.CONNECTION, "close");
            throw tooLarge();
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] body = in.readNBytes(maxBytes + 1);
            if (body.length > maxBytes) {
                res.header(HeaderNames.CONNECTION, "close");
                throw tooLarge();
            }
            return body;
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read body: " + e.getMessage());
        }
    }

    private ApiException tooLarge() {
        return new ApiException(413, "request body is larger than " + maxBytes + " bytes");
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
