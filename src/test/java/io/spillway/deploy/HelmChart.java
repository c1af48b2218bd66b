package io.spillway.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import com.marcnuri.helm.jni.NativeLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Runs the real Helm (helm-java's bundled native library, in-process and offline) against
 * charts/spillway.
 */
final class HelmChart {

    static final Path DIR = Path.of("charts", "spillway");
    static final String RELEASE = "gw";
    /**
     * helm-java's bundled Helm reports Kubernetes v1.20 without a cluster (the CLI reports its
     * client-go version), below the chart's kubeVersion; render for a current cluster instead.
     */
    static final String KUBE_VERSION = "v1.31.0";

    private final Helm helm;

    HelmChart() {
        // helm-java falls back to downloading a platform jar when none is on the class path; a
        // test run must never do that, so insist on the bundled one.
        if (ServiceLoader.load(NativeLibrary.class).findFirst().isEmpty()) {
            throw new IllegalStateException("no helm-java native library for this platform on the test class path");
        }
        if (!Files.isRegularFile(DIR.resolve("Chart.yaml"))) {
            throw new IllegalStateException("chart not found at " + DIR.toAbsolutePath());
        }
        helm = new Helm(DIR);
    }

    LintResult lint() {
        return helm.lint().strict().call();
    }

    /** Renders with the chart's defaults, then the given values file (relative to the chart), then the sets. */
    Manifests template(String valuesFile, Map<String, Object> sets) {
        TemplateCommand cmd = helm.template().withName(RELEASE).withNamespace("spillway")
                .withKubeVersion(KUBE_VERSION);
        if (valuesFile != null) {
            cmd = cmd.withValuesFile(DIR.resolve(valuesFile));
        }
        for (var e : sets.entrySet()) {
            cmd = cmd.set(e.getKey(), e.getValue());
        }
        return Manifests.parse(cmd.call());
    }

    Manifests template(String valuesFile) {
        return template(valuesFile, Map.of());
    }
}
