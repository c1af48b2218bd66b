package io.spillway.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.apache.commons.text.similarity.LevenshteinDistance;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Strict configuration: the keys an operator may write are exactly those of {@code spillway-defaults.yaml} (every
 * setting has its default there), plus the item keys its {@code item-keys} section gives list-valued settings. A key
 * added to the defaults file is known at once. Under {@code server} only near misses of the keys Spillway sets are
 * refused (a typo); Helidon's other listener keys pass through to Helidon.
 */
final class KnownKeys {
    /** The defaults file's section naming the item keys of list-valued settings; not a setting itself. */
    static final String ITEM_KEYS = "item-keys";
    private static final String PASS_THROUGH_ROOT = "server";
    private static final LevenshteinDistance DISTANCE = LevenshteinDistance.getDefaultInstance();

    private final KeyShape root;

    private KnownKeys(KeyShape root) {
        this.root = root;
    }

    static KnownKeys fromDefaults() {
        try (InputStream in = KnownKeys.class.getClassLoader().getResourceAsStream(ConfigLoader.DEFAULTS)) {
            if (in == null) {
                throw new IllegalStateException(ConfigLoader.DEFAULTS + " is not on the classpath");
            }
            return of(yaml().load(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The known keys of a defaults document. */
    static KnownKeys of(Object defaults) {
        KeyShape all = KeyShape.of(defaults);
        KeyShape settings = new KeyShape(all.children().entrySet().stream()
                                                 .filter(e -> !e.getKey().equals(ITEM_KEYS))
                                                 .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)),
                                         null);
        if (defaults instanceof Map<?, ?> map) {
            settings = withItemKeys(settings, new ArrayList<>(), map.get(ITEM_KEYS));
        }
        return new KnownKeys(settings);
    }

    /** {@code item-keys} mirrors the settings tree; each list in it gives the item keys of the setting there. */
    private static KeyShape withItemKeys(KeyShape settings, List<String> path, Object itemKeys) {
        if (itemKeys instanceof Map<?, ?> map) {
            for (var e : map.entrySet()) {
                path.add(String.valueOf(e.getKey()));
                settings = withItemKeys(settings, path, e.getValue());
                path.removeLast();
            }
        } else if (itemKeys instanceof List<?> keys) {
            settings = settings.with(List.copyOf(path), KeyShape.listOf(keys.stream().map(String::valueOf).toList()));
        }
        return settings;
    }

    /** Parses one YAML file, naming the file when it is not valid YAML. */
    static Object parse(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return yaml().load(reader);
        } catch (MarkedYAMLException e) {
            Mark at = e.getProblemMark();
            throw new InvalidConfigException(file + " is not valid YAML: " + e.getProblem()
                                                     + (at == null ? "" : " at line " + (at.getLine() + 1)
                                                             + ", column " + (at.getColumn() + 1)), e);
        } catch (YAMLException e) {
            throw new InvalidConfigException(file + " is not valid YAML: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new InvalidConfigException("config file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The unknown keys of one configuration document, each as one message. */
    List<String> unknownIn(Object document, String where) {
        List<String> problems = new ArrayList<>();
        walk(document, root, "", false, where, problems);
        return problems;
    }

    /** The unknown keys of an apps file ({@code apps:} at its top, items as in {@code spillway.apps}). */
    List<String> unknownInAppsFile(Object document, String where) {
        KeyShape apps = root.children().getOrDefault("spillway", KeyShape.VALUE).children()
                .getOrDefault("apps", KeyShape.VALUE);
        List<String> problems = new ArrayList<>();
        walk(document, new KeyShape(Map.of("apps", apps), null), "", false, where, problems);
        return problems;
    }

    /**
     * The unknown key among flat, dot-separated keys ({@code spillway.apps.0.burst}), or empty. With
     * {@code strictTop} false a key that is not near any known top-level setting is let through: it is then some
     * other program's variable that happens to share the prefix, not a typo.
     */
    Optional<String> unknownFlat(String key, String where, boolean strictTop) {
        KeyShape shape = root;
        StringBuilder at = new StringBuilder();
        String[] parts = key.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (shape.isList() && part.chars().allMatch(Character::isDigit)) {
                at.append('[').append(part).append(']');
                shape = shape.items();
                continue;
            }
            String path = at.isEmpty() ? part : at + "." + part;
            KeyShape child = shape.children().get(part);
            if (child == null) {
                boolean lenient = parts[0].equals(PASS_THROUGH_ROOT) || (!strictTop && i <= 1);
                return problem(where, path, part, shape, lenient);
            }
            at.setLength(0);
            at.append(path);
            shape = child;
        }
        return Optional.empty();
    }

    private void walk(Object value, KeyShape shape, String path, boolean lenient, String where,
                      List<String> problems) {
        if (value instanceof Map<?, ?> map) {
            for (var e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                String at = path.isEmpty() ? key : path + "." + key;
                KeyShape child = shape.children().get(key);
                if (child == null) {
                    problem(where, at, key, shape, lenient).ifPresent(problems::add);
                } else {
                    walk(e.getValue(), child, at, lenient || at.equals(PASS_THROUGH_ROOT), where, problems);
                }
            }
        } else if (value instanceof List<?> list && shape.isList()) {
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), shape.items(), path + "[" + i + "]", lenient, where, problems);
            }
        }
    }

    private static Optional<String> problem(String where, String path, String key, KeyShape parent,
                                            boolean lenient) {
        Optional<String> nearest = parent.children().keySet().stream()
                .min(Comparator.comparingInt((String k) -> DISTANCE.apply(k, key)).thenComparing(k -> k));
        boolean near = nearest.filter(n -> DISTANCE.apply(n, key) <= Math.max(2, key.length() / 3)).isPresent();
        if (lenient && !near) {
            return Optional.empty();
        }
        String parentPath = path.substring(0, Math.max(0, path.length() - key.length() - 1));
        String hint;
        if (near) {
            hint = "did you mean " + (parentPath.isEmpty() ? "" : parentPath + ".") + nearest.get() + "?";
        } else if (parent.children().isEmpty()) {
            hint = parentPath + " takes a value, not keys";
        } else {
            hint = "known keys" + (parentPath.isEmpty() ? "" : " of " + parentPath) + ": "
                    + String.join(", ", parent.children().keySet().stream().sorted().toList());
        }
        return Optional.of(where + ": unknown key " + path + " (" + hint + ")");
    }

    private static Yaml yaml() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }
}
