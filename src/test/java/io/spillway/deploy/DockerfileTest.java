package io.spillway.deploy;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the image promises the chart and operators, checked on the Dockerfile text (no Docker
 * engine here; bin/lint-dockerfile covers style). Where the chart relies on the image (uid, ports,
 * files the JVM writes), both sides are compared.
 */
class DockerfileTest {

    private static final Path DOCKERFILE = Path.of("Dockerfile");

    /** Instructions with continuation lines joined and comments dropped. */
    private static List<String> instructions() throws IOException {
        List<String> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(DOCKERFILE)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                continue;
            }
            boolean continues = trimmed.endsWith("\\");
            current.append(continues ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
            if (!continues) {
                result.add(current.toString().strip());
                current.setLength(0);
            }
        }
        return result;
    }

    private static List<String> finalStage() throws IOException {
        var all = instructions();
        int lastFrom = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).startsWith("FROM ")) {
                lastFrom = i;
            }
        }
        return all.subList(lastFrom, all.size());
    }

    @Test
    void buildsOnATemurinJdkAndRunsOnAPinnedJre() throws IOException {
        var froms = instructions().stream().filter(i -> i.startsWith("FROM ")).toList();
        assertThat(froms.size(), greaterThanOrEqualTo(2));
        for (String from : froms) {
            // An exact release tag: no `latest`, no floating major-only tag.
            assertMatches("FROM [a-z0-9./-]+:[0-9][^ ]*[0-9][^ ]* ?(AS [a-z-]+)?", from, "");
        }
        assertThat(froms.getFirst(), containsString("temurin-25"));
        assertMatches("FROM eclipse-temurin:25[^ ]*-jre[^ ]*", froms.getLast(), "");
    }

    @Test
    void runsAsTheNonRootUserTheChartExpects() throws IOException {
        var user = finalStage().stream().filter(i -> i.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
        String uid = user.substring("USER ".length()).split(":")[0];
        assertMatches("[1-9][0-9]*", uid, "numeric, so runAsNonRoot can verify it");

        var values = Manifests.map(Manifests.yaml().load(Files.readString(HelmChart.DIR.resolve("values.yaml"))));
        assertThat(Manifests.intAt(values, "podSecurityContext.runAsUser"), is(Integer.parseInt(uid)));
    }

    @Test
    void exposesThePublicAndAdminPortsTheChartProbes() throws IOException {
        assertThat(finalStage(), hasItem("EXPOSE 8080 9090"));
        var values = Manifests.map(Manifests.yaml().load(Files.readString(HelmChart.DIR.resolve("values.yaml"))));
        assertThat(Manifests.mapAt(values, "ports"), is(Map.of("http", 8080, "admin", 9090)));
    }

    @Test
    void entrypointIsExecFormJavaOnTheThinJar() throws IOException {
        var entrypoint = finalStage().stream().filter(i -> i.startsWith("ENTRYPOINT ")).reduce((a, b) -> b).orElseThrow();
        // Exec form: java is PID 1 and receives SIGTERM itself (the drain sequence depends on it).
        assertMatches("ENTRYPOINT \\[\"java\", .*\"-jar\", \"/app/spillway.jar\"\\]", entrypoint, "");
        assertThat(String.join("\n", finalStage()), containsString("target/libs ./libs"));
    }

    @Test
    void jvmFlagsSuitAReadOnlyContainer() throws IOException {
        var env = finalStage().stream().filter(i -> i.startsWith("ENV JDK_JAVA_OPTIONS=")).findFirst().orElseThrow();
        assertThat(env, containsString("-XX:MaxRAMPercentage="));
        assertThat(env, containsString("-XX:+UseSerialGC")); // chosen by bench measurement, not left to ergonomics
        assertThat(env, containsString("-XX:+ExitOnOutOfMemoryError"));
        // The only writable path in the pod is the /tmp emptyDir.
        assertThat(env, containsString("-XX:ErrorFile=/tmp/"));
        assertThat(env, not(containsString("-Xmx")));
    }

    /** One source of truth for the flags every start needs: the image, its AOT training and bin/spillway. */
    @Test
    void everyStartReadsTheSameJvmOptionsFile() throws IOException {
        Path options = Path.of("docker", "jvm.options");
        List<String> flags = Files.readAllLines(options).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertThat(flags, hasItem("--sun-misc-unsafe-memory-access=allow"));
        assertThat(flags, hasItem("--enable-native-access=ALL-UNNAMED"));
        String image = String.join("\n", finalStage());
        assertThat(image, containsString("COPY docker/jvm.options ./jvm.options"));
        assertThat(image, containsString("ENTRYPOINT [\"java\", \"@/app/jvm.options\""));
        for (String flag : flags) {
            assertThat("only in docker/jvm.options", image, not(containsString(flag)));
        }
        assertThat(Files.readString(Path.of("docker", "aot-train.sh")), containsString("@\"$options\""));
        // bin/spillway (and the pinned benchmark) start with what bin/jvm-flags prints: the same file
        assertThat(Files.readString(Path.of("bin", "jvm-flags")), containsString("@$PWD/docker/jvm.options"));
        assertThat(Files.readString(Path.of("bin", "spillway")), containsString("mapfile -t flags < <(bin/jvm-flags)"));
        assertThat(Files.readString(Path.of("bench", "pinned.sh")), containsString("shipped=$(bin/jvm-flags)"));
    }

    @Test
    void buildContextIsAnAllowList() throws IOException {
        var lines = Files.readAllLines(Path.of(".dockerignore")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertThat(lines.getFirst(), is("*"));
        assertThat(lines, hasItem("!pom.xml"));
        assertThat(lines, hasItem("!src/main/"));
        assertThat(lines, hasItem("!docker/"));
        assertThat(Files.isRegularFile(Path.of("docker", "aot-train.sh")), is(true));
    }

    private static void assertMatches(String regex, String actual, String why) {
        assertTrue(actual.matches(regex), () -> "'" + actual + "' does not match " + regex + (why.isEmpty() ? "" : " (" + why + ")"));
    }
}
