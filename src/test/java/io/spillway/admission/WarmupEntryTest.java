package io.spillway.admission;

import java.util.List;

import io.spillway.admission.Fixtures.Harness;
import org.junit.jupiter.api.Test;

import static io.spillway.admission.Fixtures.fixed;
import static io.spillway.admission.Fixtures.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WarmupEntryTest {

    @Test
    void warmupPassesTheGateAnEmptyBucketAndAFullLimitWithoutSpendingTheClientsRate() {
        // one token and one slot: fewer than a warm-up of any size needs
        Harness h = Harness.of(settings(1, 1, fixed(1)));
        AdmissionController c = h.controller();
        h.gate().refuse(RejectReason.WARMING);
        assertEquals(RejectReason.WARMING, c.enter().reason());

        AdmissionDecision held = c.enterWarmup();
        for (int i = 0; i < 5; i++) {
            AdmissionDecision d = c.enterWarmup();
            assertTrue(d.admitted(), "warm-up request " + i);
            assertEquals(2, c.inflight(), "warm-up slots are counted, over the limit too");
            d.permit().onSuccess();
        }
        held.permit().onSuccess();

        assertEquals(0, c.inflight());
        assertEquals(1, c.globalTokens(), "warm-up spent none of the clients' tokens");
        assertEquals(6, h.metrics().latencies.size(), "warm-up latencies are measured");
        assertEquals(List.of("warming/null"), h.metrics().rejected, "only the client's request was refused");
    }
}
