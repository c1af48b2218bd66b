package io.spillway.api;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The channel attributes Pusher's {@code info} parameter may ask for. */
public final class ChannelAttributes {

    public enum Attribute {
        /** Distinct users of a presence channel. */
        USER_COUNT,
        /** Connections subscribed to the channel. */
        SUBSCRIPTION_COUNT;

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private ChannelAttributes() {
    }

    /** {@code "user_count,subscription_count"}; anything else is a 400 naming {@code field}. */
    public static Set<Attribute> parse(String info, String field) {
        Set<Attribute> attributes = EnumSet.noneOf(Attribute.class);
        if (info == null) {
            return attributes;
        }
        for (String part : info.split(",", -1)) {
            String name = part.trim();
            if (name.isEmpty()) {
                continue;
            }
            switch (name) {
                case "user_count" -> attributes.add(Attribute.USER_COUNT);
                case "subscription_count" -> attributes.add(Attribute.SUBSCRIPTION_COUNT);
                default -> throw ApiException.badRequest(field + ": unknown attribute '" + abbreviate(name)
                                                                  + "' (known: user_count, subscription_count)");
            }
        }
        return attributes;
    }

    static boolean isPresence(String channel) {
        return channel.startsWith("presence-");
    }

    /** user_count exists only for presence channels (Pusher answers 400 otherwise). */
    static void requirePresenceForUserCount(Set<Attribute> attributes, boolean presence, String what) {
        if (attributes.contains(Attribute.USER_COUNT) && !presence) {
            throw ApiException.badRequest("user_count is only available for presence channels (" + what + ")");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
