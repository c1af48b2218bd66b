package io.spillway.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Closed-loop peak throughput with wrk (/usr/bin/wrk): a C client cheap enough to leave the shared cores to the
 * gateway. One signed request is replayed; its timestamp stays inside the gateway's window for the short run.
 */
final class Wrk {
    /** wrk's verdict: requests per second, how many were not 2xx/3xx, and its (closed-loop) p99. */
    record Result(double requestsPerSecond, long non2xx, long socketErrors, double p99Millis) {
    }

    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern SOCKET = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern P99 = Pattern.compile("\\s99%\\s+([0-9.]+)(us|ms|s)");

    private Wrk() {
    }

    static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/wrk"));
    }

    static Result run(Path work, String baseUri, PublishRequests.Signed request, int connections, int seconds)
            throws IOException, InterruptedException {
        Path script = work.resolve("wrk-publish.lua");
        String body = new String(request.body(), StandardCharsets.UTF_8).replace("\\", "\\\\").replace("'", "\\'");
        Files.writeString(script, "wrk.method = 'POST'\nwrk.body = '" + body + "'\n"
                + "wrk.headers['Content-Type'] = 'application/json'\n"
                + "request = function() return wrk.format(nil, '" + request.pathAndQuery() + "') end\n");
        Process p = new ProcessBuilder("/usr/bin/wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "--latency",
                                       "-s", script.toString(), baseUri)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Files.writeString(work.resolve("wrk.log"), out + "\n", java.nio.file.StandardOpenOption.CREATE,
                          java.nio.file.StandardOpenOption.APPEND);
        Matcher rps = RPS.matcher(out);
        if (!rps.find()) {
            throw new IOException("wrk printed no Requests/sec: " + out);
        }
        Matcher non = NON2XX.matcher(out);
        long socket = 0;
        Matcher se = SOCKET.matcher(out);
        if (se.find()) {
            for (int g = 1; g <= 4; g++) {
                socket += Long.parseLong(se.group(g));
            }
        }
        Matcher p99 = P99.matcher(out);
        double p99ms = Double.NaN;
        if (p99.find()) {
            double v = Double.parseDouble(p99.group(1));
            p99ms = switch (p99.group(2)) {
                case "us" -> v / 1000;
                case "s" -> v * 1000;
                default -> v;
            };
        }
        return new Result(Double.parseDouble(rps.group(1)), non.find() ? Long.parseLong(non.group(1)) : 0, socket,
                          p99ms);
    }
}
