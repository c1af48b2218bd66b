package io.spillway.bench;

import java.util.Collection;

/**
 * The refusal cost rho = gateway CPU per refused request / gateway CPU per 2xx, from one pod's steps: its CPU per
 * second is fitted as {@code a * 2xx/s + b * refused/s} (least squares, no intercept), so rho = b / a. It needs
 * steps with different shares of refusals; otherwise it is undetermined and says so.
 */
final class Rho {
    private Rho() {
    }

    static String describe(Collection<Bench.StepResult> steps) {
        double sxx = 0, sxy = 0, syy = 0, sxc = 0, syc = 0;
        int n = 0;
        for (Bench.StepResult r : steps) {
            ResourceSampler.Usage gw = r.usage().get("gateway");
            if (gw == null || Double.isNaN(gw.cpuPercent())) {
                continue;
            }
            double ok = r.goodput();
            double refused = r.window().rejections();
            double cpu = gw.cpuPercent() / 100.0;
            sxx += ok * ok;
            sxy += ok * refused;
            syy += refused * refused;
            sxc += ok * cpu;
            syc += refused * cpu;
            n++;
        }
        double det = sxx * syy - sxy * sxy;
        if (n < 2 || syy == 0 || det <= 1e-9 * sxx * syy) {
            return "undetermined: "
                   + (syy == 0 ? "no step refused anything" : "the steps' refusal shares do not differ");
        }
        double a = (sxc * syy - syc * sxy) / det;
        double b = (syc * sxx - sxc * sxy) / det;
        if (a <= 0 || b < 0) {
            // CPU per 2xx moved between the steps (batching, a warming JIT, a saturated core) more than the refusals
            // explain: no cost can be read off these steps
            return String.format("undetermined: the fit is not physical (%.1f us per 2xx, %.1f us per refusal, "
                                 + "%d steps)", a * 1e6, b * 1e6, n);
        }
        return String.format("%.2f (%.1f us per 2xx, %.1f us per refusal, fitted over %d steps)", b / a, a * 1e6,
                             b * 1e6, n);
    }
}
