package io.spillway.api;

/** Pusher's naming rules, checked char by char: these run for every channel of every request. */
final class ChannelNames {
    private static final String SERVER_TO_USER = "#server-to-user-";

    private ChannelNames() {
    }

    /** {@code ^[A-Za-z0-9_\-=@,.;]+$}, at most {@code maxLength}; a leading {@code #} only for {@code #server-to-user-}. */
    static boolean isValid(String channel, int maxLength) {
        int length = channel.length();
        if (length == 0 || length > maxLength) {
            return false;
        }
        int start = 0;
        if (channel.charAt(0) == '#') {
            if (!channel.startsWith(SERVER_TO_USER) || length == SERVER_TO_USER.length()) {
                return false;
            }
            start = 1;
        }
        for (int i = start; i < length; i++) {
            if (!allowed(channel.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** {@code ^\d+\.\d+$}. */
    static boolean isSocketId(String socketId) {
        int dot = socketId.indexOf('.');
        return dot > 0 && dot < socketId.length() - 1 && digits(socketId, 0, dot)
                && digits(socketId, dot + 1, socketId.length());
    }

    private static boolean digits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean allowed(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '-' || c == '=' || c == '@' || c == ',' || c == '.' || c == ';';
    }
}
