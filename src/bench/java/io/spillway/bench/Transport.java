package io.spillway.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;

/** A blocking HTTP/1.1 client the generator calls from one virtual thread per request. */
interface Transport extends AutoCloseable {

    /** Status code, and the body when it was asked for (else null). */
    record Answer(int status, String body) {
    }

    /**
     * Sends a request; throws for connection trouble. The body of a non-2xx answer is read when
     * {@code wantErrorBody} says so (sampling: reading every rejection's body would cost the generator CPU).
     */
    Answer post(String pathAndQuery, byte[] body, java.util.function.BooleanSupplier wantErrorBody)
            throws IOException;

    int get(String pathAndQuery) throws IOException;

    @Override
    default void close() {
    }

    static Transport create(String kind, String baseUri, int connections, Duration timeout) {
        return switch (kind) {
            case "helidon" -> new Helidon(baseUri, connections, timeout);
            case "jdk" -> new Jdk(baseUri, timeout);
            default -> throw new IllegalArgumentException("unknown transport " + kind + " (helidon | jdk)");
        };
    }

    /** Helidon's WebClient: keep-alive connections cached up to the generator's in-flight cap. */
    final class Helidon implements Transport {
        private final WebClient client;

        Helidon(String baseUri, int connections, Duration timeout) {
            this.client = WebClient.builder()
                    .baseUri(baseUri)
                    .connectTimeout(Duration.ofSeconds(2))
                    .readTimeout(timeout)
                    .connectionCacheSize(connections)
                    .followRedirects(false)
                    .build();
        }

        @Override
        public Answer post(String pathAndQuery, byte[] body, java.util.function.BooleanSupplier wantErrorBody) {
            int q = pathAndQuery.indexOf('?');
            var request = client.post(q < 0 ? pathAndQuery : pathAndQuery.substring(0, q))
                    .header(HeaderValues.CONTENT_TYPE_JSON);
            if (q >= 0) {
                // uri(String) would treat "?" as part of the path; the signed values need no escaping
                for (String pair : pathAndQuery.substring(q + 1).split("&")) {
                    int eq = pair.indexOf('=');
                    request.queryParam(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
            try (HttpClientResponse response = request.submit(body)) {
                int status = response.status().code();
                if (status / 100 != 2 && wantErrorBody.getAsBoolean()) {
                    return new Answer(status, response.entity().as(String.class));
                }
                response.entity().consume();
                return new Answer(status, null);
            }
        }

        @Override
        public int get(String pathAndQuery) {
            try (HttpClientResponse response = client.get().uri(pathAndQuery).request()) {
                response.entity().consume();
                return response.status().code();
            }
        }
    }

    /** {@code java.net.http}, for comparison. */
    final class Jdk implements Transport {
        private final HttpClient client;
        private final String base;
        private final Duration timeout;

        Jdk(String baseUri, Duration timeout) {
            this.client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
            this.base = baseUri;
            this.timeout = timeout;
        }

        @Override
        public Answer post(String pathAndQuery, byte[] body, java.util.function.BooleanSupplier wantErrorBody)
                throws IOException {
            try {
                HttpResponse<String> r = client.send(
                        HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(timeout)
                                .header(HeaderNames.CONTENT_TYPE.defaultCase(), "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                return new Answer(r.statusCode(), r.statusCode() / 100 == 2 ? null : r.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }

        @Override
        public int get(String pathAndQuery) throws IOException {
            return send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET());
        }

        private int send(HttpRequest.Builder request) throws IOException {
            try {
                return client.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
