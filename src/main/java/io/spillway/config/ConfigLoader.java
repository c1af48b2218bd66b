package io.spillway.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.EnvironmentVariables;
import io.helidon.config.spi.ConfigSource;

/**
 * Builds the configuration in SPEC's precedence, lowest to highest: classpath defaults,
 * {@code config/application.yaml} in the working directory, the file named by {@code SPILLWAY_CONFIG},
 * environment variables.
 *
 * @param workingDir where {@code config/application.yaml} is looked up
 * @param env        the process environment (a parameter so tests can supply their own)
 * @param overrides  flat keys above everything else ({@code spillway.broker=redis}); empty for the real process
 */
@SuppressWarnings("removal") // EnvironmentVariables.expand is still the one implementation of Helidon's env mapping in 4.5
public record ConfigLoader(Path workingDir, Map<String, String> env, Map<String, String> overrides) {

    /** Environment variable naming the operator's YAML file. */
    public static final String CONFIG_ENV = "SPILLWAY_CONFIG";
    static final String DEFAULTS = "spillway-defaults.yaml";
    private static final String ENV_PREFIX = "SPILLWAY_";
    static final Path LOCAL_FILE = Path.of("config", "application.yaml");

    public ConfigLoader(Path workingDir, Map<String, String> env) {
        this(workingDir, env, Map.of());
    }

    public static ConfigLoader fromProcess() {
        return new ConfigLoader(Path.of("").toAbsolutePath(), System.getenv());
    }

    /** The files that feed the config, lowest precedence first; these are what hot reload watches. */
    public List<Path> files() {
        List<Path> files = new ArrayList<>(2);
        Path local = workingDir.resolve(LOCAL_FILE);
        if (Files.exists(local)) {
            files.add(local);
        }
        operatorFile().ifPresent(files::add);
        return files;
    }

    /**
     * Loads and fully reads every source now, so an unreadable file, a YAML syntax error or an unknown key fails
     * here (naming the file or variable) and not later.
     */
    public Config load() {
        operatorFile().ifPresent(ConfigLoader::requireReadable);
        requireKnownKeys();
        List<Supplier<? extends ConfigSource>> sources = new ArrayList<>();
        if (!overrides.isEmpty()) {
            sources.add(() -> ConfigSources.create(overrides).build());
        }
        // Helidon's documented mapping: SPILLWAY_ADMISSION_GLOBAL_dash_RATE -> spillway.admission.global-rate
        sources.add(() -> ConfigSources.create(EnvironmentVariables.expand(env)).build());
        List<Path> files = files();
        for (int i = files.size() - 1; i >= 0; i--) {
            Path file = files.get(i);
            requireReadable(file);
            sources.add(ConfigSources.file(file));
        }
        sources.add(ConfigSources.classpath(DEFAULTS));
        try {
            return Config.builder()
                    .disableEnvironmentVariablesSource()
                    .disableSystemPropertiesSource()
                    .sources(sources)
                    .build();
        } catch (RuntimeException e) {
            throw new InvalidConfigException("cannot read configuration: " + rootMessage(e), e);
        }
    }

    /**
     * Strict configuration: every key of the YAML files, of the {@code SPILLWAY_} environment variables and of
     * the overrides must be one the defaults file declares. Other environment variables (PATH, HOME, ...) are
     * not configuration, though Helidon maps them onto keys too.
     */
    private void requireKnownKeys() {
        KnownKeys known = KnownKeys.fromDefaults();
        List<String> problems = new ArrayList<>();
        for (Path file : files()) {
            requireReadable(file);
            problems.addAll(known.unknownIn(KnownKeys.parse(file), file.toString()));
        }
        env.forEach((name, value) -> {
            if (name.toUpperCase(Locale.ROOT).startsWith(ENV_PREFIX) && !name.equals(CONFIG_ENV)) {
                EnvironmentVariables.expand(Map.of(name, value)).keySet().stream()
                        .filter(key -> key.startsWith("spillway."))
                        .forEach(key -> known.unknownFlat(key, "environment variable " + name, false)
                                .ifPresent(problems::add));
            }
        });
        overrides.keySet().forEach(key -> known.unknownFlat(key, "override", true).ifPresent(problems::add));
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(String.join("; ", problems));
        }
    }

    private Optional<Path> operatorFile() {
        String named = env.get(CONFIG_ENV);
        if (named == null || named.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(workingDir.resolve(named));
    }

    private static void requireReadable(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new InvalidConfigException("config file " + file + " is missing or unreadable");
        }
    }

    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
