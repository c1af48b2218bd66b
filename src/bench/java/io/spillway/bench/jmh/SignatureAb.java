package io.spillway.bench.jmh;

import java.util.ArrayList;
import java.util.List;

/**
 * Before/after of the signature check on a machine whose neighbours make JMH's sequential runs incomparable:
 * both variants run in alternating 100 ms slices for a few seconds, so drift hits both alike; prints the median
 * nanoseconds per check of each. {@code bin/bench jmh-ab} runs it.
 */
public final class SignatureAb {
    private SignatureAb() {
    }

    public static void main(String[] args) {
        HotPathBenchmarks b = new HotPathBenchmarks();
        b.setup();
        Runnable before = b::digestsFreshPerRequest;
        Runnable after = b::verifySignature;
        slices(before, 20);
        slices(after, 20);
        List<Double> a = new ArrayList<>();
        List<Double> c = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            a.add(nanosPerOp(before));
            c.add(nanosPerOp(after));
        }
        System.out.printf("signature check, median of 60 alternating 100 ms slices: fresh digests %.0f ns, "
                                  + "keyed prototypes (RequestAuthenticator.verify) %.0f ns%n", median(a), median(c));
    }

    private static void slices(Runnable r, int n) {
        for (int i = 0; i < n; i++) {
            nanosPerOp(r);
        }
    }

    private static double nanosPerOp(Runnable r) {
        long start = System.nanoTime();
        long end = start + 100_000_000L;
        long ops = 0;
        long now;
        do {
            for (int i = 0; i < 64; i++) {
                r.run();
            }
            ops += 64;
            now = System.nanoTime();
        } while (now < end);
        return (now - start) / (double) ops;
    }

    private static double median(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        return s.get(s.size() / 2);
    }
}
