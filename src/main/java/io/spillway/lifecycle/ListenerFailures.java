package io.spillway.lifecycle;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * While the web server starts, takes Helidon's "Failed to start listener" records (a stack trace each) out of the
 * log and remembers which port failed and why, so startup can say it in one line. With {@code verbose} (log level
 * FINE) the records are logged as well.
 */
public final class ListenerFailures implements AutoCloseable {
    /** Logs the failing listeners of {@code WebServer.start()}. */
    static final String HELIDON_LOGGER = "io.helidon.webserver.LoomServer";
    private static final Pattern FAILED = Pattern.compile("Failed to start listener: .*:(\\d+)$");

    /** One listener that could not start: its port and the root cause's message. */
    public record Failure(int port, String reason) {
    }

    private final Logger logger = Logger.getLogger(HELIDON_LOGGER); // held: a logger's filter lives as long as it
    private final Filter previous;
    private final List<Failure> failures = new CopyOnWriteArrayList<>();

    public ListenerFailures(boolean verbose) {
        previous = logger.getFilter();
        SimpleFormatter formatter = new SimpleFormatter();
        logger.setFilter(record -> {
            Matcher m = FAILED.matcher(formatter.formatMessage(record));
            if (m.find()) {
                failures.add(new Failure(Integer.parseInt(m.group(1)), rootMessage(record.getThrown())));
                return verbose;
            }
            // "failed to start, shutting down" and the like: the one line startup prints says it
            return verbose || record.getLevel().intValue() < Level.SEVERE.intValue();
        });
    }

    public List<Failure> failures() {
        return List.copyOf(failures);
    }

    private static String rootMessage(Throwable thrown) {
        if (thrown == null) {
            return "failed";
        }
        Throwable t = thrown;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public void close() {
        logger.setFilter(previous);
    }
}
