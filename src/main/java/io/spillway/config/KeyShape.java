package io.spillway.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which keys a part of the configuration may hold, as a YAML document shows them: a mapping's keys, each with
 * its own shape, and for a list the shape of its items (the union of the items the document has).
 *
 * @param children the keys of a mapping (empty for a value)
 * @param items    the shape of a list's items, or {@code null} when this is not a list
 */
record KeyShape(Map<String, KeyShape> children, KeyShape items) {
    static final KeyShape VALUE = new KeyShape(Map.of(), null);

    KeyShape {
        children = Map.copyOf(children);
    }

    /** The shape of a parsed YAML value (maps, lists and scalars as SnakeYAML gives them). */
    static KeyShape of(Object yaml) {
        if (yaml instanceof Map<?, ?> map) {
            Map<String, KeyShape> children = new LinkedHashMap<>();
            map.forEach((k, v) -> children.put(String.valueOf(k), of(v)));
            return new KeyShape(children, null);
        }
        if (yaml instanceof List<?> list) {
            return new KeyShape(Map.of(), list.stream().map(KeyShape::of).reduce(VALUE, KeyShape::merge));
        }
        return VALUE;
    }

    /** A list whose items may have exactly {@code keys}. */
    static KeyShape listOf(List<String> keys) {
        Map<String, KeyShape> children = new LinkedHashMap<>();
        keys.forEach(k -> children.put(k, VALUE));
        return new KeyShape(Map.of(), new KeyShape(children, null));
    }

    boolean isList() {
        return items != null;
    }

    KeyShape merge(KeyShape other) {
        Map<String, KeyShape> merged = new LinkedHashMap<>(children);
        other.children.forEach((k, v) -> merged.merge(k, v, KeyShape::merge));
        KeyShape mergedItems = items == null ? other.items : other.items == null ? items : items.merge(other.items);
        return new KeyShape(merged, mergedItems);
    }

    /** This shape with the child at {@code path} (dot-separated, existing mappings) merged with {@code shape}. */
    KeyShape with(List<String> path, KeyShape shape) {
        if (path.isEmpty()) {
            return merge(shape);
        }
        Map<String, KeyShape> next = new LinkedHashMap<>(children);
        next.put(path.getFirst(), children.getOrDefault(path.getFirst(), VALUE).with(path.subList(1, path.size()),
                                                                                     shape));
        return new KeyShape(next, items);
    }
}
