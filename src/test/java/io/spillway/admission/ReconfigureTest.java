package io.spillway.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.spillway.admission.Fixtures.Harness;
import org.junit.jupiter.api.Test;

import static io.spillway.admission.Fixtures.PLENTY;
import static io.spillway.admission.Fixtures.fixed;
import static io.spillway.admission.Fixtures.settings;
import static io.spillway.admission.Fixtures.withDefaultApp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReconfigureTest {

    @Test
    void raisingTheGlobalRateGrantsTheExtraBurstAtOnceAndLoweringCapsIt() {
        Harness h = Harness.of(settings(10, 10));
        assertEquals(10, h.admittedOf(10));
        assertFalse(h.enterAndRelease().admitted());

        h.controller().reconfigure(settings(20, 20), List.of());
        assertEquals(10, h.admittedOf(20), "ADDITIVE: the 10 tokens of extra burst, no more");

        h.clock().advanceMillis(500); // 20/s
        assertEquals(10, h.admittedOf(20), "the new rate refills");

        h.clock().advanceMillis(10_000);
        h.controller().reconfigure(settings(1, 5), List.of());
        assertEquals(5, h.controller().globalTokens(), "tokens capped at the lower burst");
        assertEquals(5, h.admittedOf(10));
        h.clock().advanceMillis(1000);
        assertEquals(1, h.admittedOf(10), "the lower rate refills");
    }

    @Test
    void appQuotasChangeWhileUnchangedAppsKeepTheirTokens() {
        AdmissionSettings s = withDefaultApp(settings(PLENTY, PLENTY), 7, 7);
        Harness h = Harness.of(s, new AppQuota("a", 10, 10), new AppQuota("b", 10, 10), new AppQuota("c", 10, 10));
        AdmissionController c = h.controller();
        assertTrue(c.charge("a", 7).admitted());
        assertTrue(c.charge("b", 4).admitted());
        assertTrue(c.charge("c", 10).admitted());

        c.reconfigure(s, List.of(new AppQuota("a", 10, 10), new AppQuota("b", 20, 20)));

        assertEquals(3, c.appTokens("a"), "unchanged app keeps its state");
        assertEquals(16, c.appTokens("b"), "raised burst granted on top of what was left");
        assertEquals(20, c.charge("b", 1).limit());
        AdmissionDecision removed = c.charge("c", 1);
        assertEquals(7, removed.limit(), "a removed app lost its quota and bucket");
        assertEquals(6, removed.remaining(), "its old, empty bucket is gone");

        c.reconfigure(s, List.of(new AppQuota("a", 10, 10), new AppQuota("b", 1, 2)));
        assertEquals(2, c.appTokens("b"), "lowered burst caps the tokens");
        assertEquals(3, c.appTokens("a"));
        h.clock().advanceMillis(1000);
        assertEquals(2, c.appTokens("b"));
    }

    @Test
    void changingTheDefaultRateReconfiguresAppsThatUseIt() {
        AdmissionSettings s = withDefaultApp(settings(PLENTY, PLENTY), 5, 5);
        Harness h = Harness.of(s);
        AdmissionController c = h.controller();
        assertTrue(c.charge("x", 5).admitted());

        c.reconfigure(s, List.of());
        assertEquals(0, c.appTokens("x"), "same default: state kept");

        c.reconfigure(withDefaultApp(s, 8, 8), List.of());
        assertEquals(3, c.appTokens("x"));
        assertEquals(8, c.charge("x", 1).limit());
    }

    @Test
    void permitsHandedOutBeforeAReloadStayValid() {
        Harness h = Harness.of(settings(PLENTY, PLENTY, fixed(2)));
        AdmissionController c = h.controller();
        Permit first = c.enter().permit();
        Permit second = c.enter().permit();
        assertFalse(c.enter().admitted());

        c.reconfigure(settings(PLENTY, PLENTY, fixed(3)), List.of());
        assertEquals(3, c.concurrencyLimit());
        Permit third = c.enter().permit();
        assertEquals(RejectReason.CONCURRENCY, c.enter().reason(), "in-flight permits still count after the reload");

        first.onSuccess();
        second.onDropped();
        third.onIgnore();
        assertEquals(0, c.inflight());
        assertTrue(c.enter().admitted());
    }

    @Test
    void aReloadKeepsTheLearnedLimitUnlessConcurrencySettingsChange() {
        ConcurrencySettings gradient = new ConcurrencySettings("gradient2", 10, 2, 100);
        Harness h = Harness.of(settings(PLENTY, PLENTY, gradient));
        AdmissionController c = h.controller();
        for (int i = 0; i < 5; i++) {
            List<Permit> held = new ArrayList<>();
            for (int j = c.concurrencyLimit(); j > 0; j--) {
                held.add(c.enter().permit());
            }
            h.clock().advanceMillis(5);
            held.forEach(Permit::onSuccess);
        }
        int learned = c.concurrencyLimit();
        assertTrue(learned > 10, "learned " + learned);

        c.reconfigure(settings(5, 5, gradient), List.of());
        assertEquals(learned, c.concurrencyLimit());

        c.reconfigure(settings(5, 5, new ConcurrencySettings("gradient2", 10, 2, 50)), List.of());
        assertEquals(10, c.concurrencyLimit());
    }

    @Test
    void aReloadCanFlipTheRetryAfter() {
        Harness h = Harness.of(settings(PLENTY, PLENTY));
        h.gate().refuse(RejectReason.WARMING);
        assertEquals(3, h.controller().enter().retryAfterSeconds());

        AdmissionSettings s = settings(PLENTY, PLENTY);
        h.controller().reconfigure(new AdmissionSettings(true, s.globalRate(), s.globalBurst(), s.defaultAppRate(),
                s.defaultAppBurst(), s.concurrency(), Duration.ofMillis(1500)), List.of());
        assertEquals(2, h.controller().enter().retryAfterSeconds(), "1.5 s rounds up");
    }

    @Test
    void duplicateAppIdsAreRefusedAndLeaveTheOldConfiguration() {
        Harness h = Harness.of(settings(PLENTY, PLENTY), new AppQuota("a", 10, 10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> h.controller().reconfigure(settings(PLENTY, PLENTY),
                        List.of(new AppQuota("a", 1, 1), new AppQuota("a", 2, 2))));
        assertTrue(e.getMessage().contains("spillway.apps"), e.getMessage());
        assertEquals(10, h.controller().charge("a", 1).limit());
    }
}
