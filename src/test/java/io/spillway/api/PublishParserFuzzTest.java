package io.spillway.api;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spillway.broker.ChannelMessage;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any body: the parser returns messages that keep every SPEC limit, or refuses with a 400/413; nothing else
 * (no other exception, no message over a limit). In the suite this replays the seeds in
 * {@code PublishParserFuzzTestInputs/} (the bad-input matrix); {@code JAZZER_FUZZ=1} fuzzes for real.
 */
class PublishParserFuzzTest {
    private static final ApiLimits LIMITS = ApiLimits.DEFAULTS;
    private final PublishParser parser = new PublishParser(LIMITS);

    @FuzzTest(maxDuration = "60s")
    void anyBodyIsParsedWithinTheLimitsOrRefused(byte[] input) {
        // first byte: odd for /batch_events, even for /events; the rest is the body
        boolean batch = input.length > 0 && (input[0] & 1) == 1;
        byte[] body = input.length == 0 ? input : java.util.Arrays.copyOfRange(input, 1, input.length);
        List<ChannelMessage> messages;
        try {
            messages = batch ? parser.parseBatch("1001", body) : parser.parseEvent("1001", body);
        } catch (ApiException e) {
            assertTrue(e.status() == 400 || e.status() == 413, "status " + e.status() + ": " + e.getMessage());
            return;
        }
        assertTrue(!messages.isEmpty(), "an accepted body publishes something");
        assertTrue(messages.size() <= (batch ? LIMITS.maxBatch() : LIMITS.maxChannels()), "too many messages");
        Set<String> channels = new HashSet<>();
        for (ChannelMessage m : messages) {
            assertTrue(ChannelNames.isValid(m.channel(), LIMITS.maxNameLength()), "invalid channel " + m.channel());
            assertTrue(m.data().getBytes(StandardCharsets.UTF_8).length <= LIMITS.maxDataBytes(), "data too large");
            assertTrue(!m.event().isEmpty() && m.event().length() <= LIMITS.maxNameLength(), "event name");
            assertTrue(m.socketId() == null || ChannelNames.isSocketId(m.socketId()), "socket_id " + m.socketId());
            assertTrue(batch || channels.add(m.channel()), "channel twice in one event: " + m.channel());
        }
    }
}
