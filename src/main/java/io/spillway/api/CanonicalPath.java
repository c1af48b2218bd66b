package io.spillway.api;

import java.util.Optional;

/**
 * The one spelling of a request path the gateway serves. Helidon routes on the decoded, normalised path while
 * admission and the Pusher signature see the raw one; refusing every raw path that normalisation would change
 * makes the three agree, so no spelling of {@code /apps/{id}/events} can route to the handler and miss a gate.
 *
 * <p>Refused: an empty segment ({@code //}), a {@code .} or {@code ..} segment, a matrix parameter ({@code ;}),
 * a trailing slash, a backslash, a malformed {@code %} escape and an escape of a character that needs none
 * (unreserved characters and {@code /}, e.g. {@code %65vents}). Escapes a path needs, such as {@code %23} for the
 * {@code #} of a {@code #server-to-user-} channel, stay allowed.
 */
public final class CanonicalPath {
    private CanonicalPath() {
    }

    /** Why {@code rawPath} is not canonical, or empty when it is. Allocates nothing for a canonical path. */
    public static Optional<String> problem(String rawPath) {
        int length = rawPath.length();
        if (length == 0 || rawPath.charAt(0) != '/') {
            return Optional.of("path must start with '/'");
        }
        if (length == 1) {
            return Optional.empty();
        }
        if (rawPath.charAt(length - 1) == '/') {
            return Optional.of("trailing '/'");
        }
        int segmentStart = 1;
        for (int i = 1; i <= length; i++) {
            char c = i < length ? rawPath.charAt(i) : '/';
            switch (c) {
                case '/' -> {
                    Optional<String> segment = segment(rawPath, segmentStart, i);
                    if (segment.isPresent()) {
                        return segment;
                    }
                    segmentStart = i + 1;
                }
                case ';' -> {
                    return Optional.of("matrix parameter (';')");
                }
                case '\\' -> {
                    return Optional.of("backslash");
                }
                case '%' -> {
                    Optional<String> escape = escape(rawPath, i);
                    if (escape.isPresent()) {
                        return escape;
                    }
                    i += 2;
                }
                default -> {
                    // an ordinary character
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> segment(String path, int from, int to) {
        int length = to - from;
        if (length == 0) {
            return Optional.of("empty segment ('//')");
        }
        if (path.charAt(from) == '.' && (length == 1 || length == 2 && path.charAt(from + 1) == '.')) {
            return Optional.of("'.' or '..' segment");
        }
        return Optional.empty();
    }

    private static Optional<String> escape(String path, int at) {
        if (at + 2 >= path.length()) {
            return Optional.of("malformed '%' escape");
        }
        int high = Character.digit(path.charAt(at + 1), 16);
        int low = Character.digit(path.charAt(at + 2), 16);
        if (high < 0 || low < 0) {
            return Optional.of("malformed '%' escape");
        }
        char decoded = (char) (high * 16 + low);
        if (decoded == '/' || unreserved(decoded)) {
            return Optional.of("'" + path.substring(at, at + 3) + "' escapes '" + decoded
                                       + "', which must be sent as is");
        }
        return Optional.empty();
    }

    /** RFC 3986 unreserved characters: a normaliser decodes their escapes, so a canonical path has none. */
    private static boolean unreserved(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '-' || c == '.' || c == '_' || c == '~';
    }
}
