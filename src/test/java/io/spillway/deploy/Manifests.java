package io.spillway.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The documents of one `helm template` run, with just enough navigation for assertions. */
record Manifests(List<Map<String, Object>> docs) {

    static Manifests parse(String rendered) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : yaml().loadAll(rendered)) {
            if (doc != null) {
                docs.add(map(doc));
            }
        }
        return new Manifests(List.copyOf(docs));
    }

    static Yaml yaml() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }

    List<Map<String, Object>> all(String kind) {
        return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    /** The only document of this kind; fails when there are none or several. */
    Map<String, Object> one(String kind) {
        var found = all(kind);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind + ", found " + found.size());
        }
        return found.getFirst();
    }

    boolean has(String kind) {
        return !all(kind).isEmpty();
    }

    /** Walks a dotted path of map keys; `[n]` after a key picks a list element. */
    static Object at(Object node, String path) {
        Object current = node;
        for (String part : path.split("\\.")) {
            int bracket = part.indexOf('[');
            String key = bracket < 0 ? part : part.substring(0, bracket);
            if (!(current instanceof Map<?, ?> m) || !m.containsKey(key)) {
                throw new AssertionError("no '" + key + "' on the way to " + path);
            }
            current = m.get(key);
            if (bracket >= 0) {
                int index = Integer.parseInt(part.substring(bracket + 1, part.length() - 1));
                current = ((List<?>) current).get(index);
            }
        }
        return current;
    }

    static Map<String, Object> mapAt(Object node, String path) {
        return map(at(node, path));
    }

    @SuppressWarnings("unchecked")
    static List<Object> listAt(Object node, String path) {
        return (List<Object>) at(node, path);
    }

    static int intAt(Object node, String path) {
        return ((Number) at(node, path)).intValue();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node) {
        if (!(node instanceof Map<?, ?>)) {
            throw new AssertionError("not a mapping: " + node);
        }
        return (Map<String, Object>) node;
    }
}
