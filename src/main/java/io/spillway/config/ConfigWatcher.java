package io.spillway.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Hot reload: every {@code interval} it hashes the content of the config files (following symlinks, so a
 * Kubernetes ConfigMap update, which swaps a symlink, is seen like an edit) and, on a change, reads the whole
 * configuration again and hands the validated settings to the listener. An invalid file is refused with one log
 * line and the running settings stay.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConfigWatcher.class.getName());

    private final ConfigLoader loader;
    private final Duration interval;
    private final Consumer<SpillwaySettings> onChange;
    private volatile boolean stopped;
    private Thread thread;
    private byte[] lastDigest;
    private SpillwaySettings current;

    public ConfigWatcher(ConfigLoader loader, Duration interval, Consumer<SpillwaySettings> onChange) {
        this.loader = loader;
        this.interval = interval;
        this.onChange = onChange;
    }

    /** Starts polling; {@code running} are the settings the gateway started with. */
    public synchronized void start(SpillwaySettings running) {
        current = running;
        lastDigest = digest(watched(running));
        thread = Thread.ofVirtual().name("config-watcher").start(this::loop);
    }

    private void loop() {
        while (!stopped) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            checkOnce();
        }
    }

    /** One poll: reload when the content of a watched file changed. */
    void checkOnce() {
        List<Path> files = watched(current);
        byte[] digest = digest(files);
        if (Arrays.equals(digest, lastDigest)) {
            return;
        }
        // Remembered even when refused, so a bad file is reported once, not every interval.
        lastDigest = digest;
        try {
            SpillwaySettings next = SettingsReader.read(loader.load());
            onChange.accept(next);
            current = next;
            lastDigest = digest(watched(next));
            LOG.info(() -> "configuration reloaded from " + files);
        } catch (InvalidConfigException | IllegalArgumentException e) {
            LOG.warning("configuration change refused, keeping the running settings: "
                                + e.getMessage().replaceAll("\\s*\\R\\s*", "; "));
        }
    }

    private List<Path> watched(SpillwaySettings settings) {
        List<Path> files = new ArrayList<>(loader.files());
        settings.appsFile().ifPresent(files::add);
        return files;
    }

    private static byte[] digest(List<Path> files) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path file : files) {
                sha.update(file.toString().getBytes());
                try {
                    sha.update(Files.readAllBytes(file));
                } catch (IOException e) {
                    sha.update((byte) 0); // missing now: a change too, and reading it again will say why
                }
            }
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
