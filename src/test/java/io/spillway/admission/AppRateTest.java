package io.spillway.admission;

import java.util.List;

import io.spillway.admission.Fixtures.Harness;
import org.junit.jupiter.api.Test;

import static io.spillway.admission.Fixtures.PLENTY;
import static io.spillway.admission.Fixtures.settings;
import static io.spillway.admission.Fixtures.withDefaultApp;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AppRateTest {
    private static final AppQuota A = new AppQuota("a", 5, 10);
    private static final AppQuota B = new AppQuota("b", 5, 10);

    @Test
    void eachMessageCostsOneToken() {
        Harness h = Harness.of(settings(PLENTY, PLENTY), A);
        AdmissionController c = h.controller();

        AdmissionDecision four = c.charge("a", 4); // e.g. one event to four channels
        assertAll(
                () -> assertTrue(four.admitted()),
                () -> assertEquals(5, four.limit()),
                () -> assertEquals(6, four.remaining()),
                () -> assertNull(four.permit()));
        assertEquals(0, c.charge("a", 6).remaining());

        AdmissionDecision over = c.charge("a", 1);
        assertAll(
                () -> assertEquals(RejectReason.APP_RATE, over.reason()),
                () -> assertEquals(429, over.status()),
                () -> assertEquals(1, over.retryAfterSeconds()),
                () -> assertEquals(5, over.limit()),
                () -> assertEquals(0, over.remaining()));
        assertEquals(List.of("a", "a"), h.metrics().admitted);
        assertEquals(List.of("app_rate/a"), h.metrics().rejected);
    }

    @Test
    void aRefusedChargeLeavesTheTokensUntouched() {
        Harness h = Harness.of(settings(PLENTY, PLENTY), A);
        AdmissionController c = h.controller();
        assertTrue(c.charge("a", 7).admitted());

        AdmissionDecision refused = c.charge("a", 4);

        assertFalse(refused.admitted());
        assertEquals(3, refused.remaining());
        assertEquals(3, c.appTokens("a"), "all or nothing: the 3 tokens left are still there");
        assertTrue(c.charge("a", 3).admitted());
    }

    @Test
    void oneAppsLimitDoesNotTouchAnother() {
        Harness h = Harness.of(settings(PLENTY, PLENTY), A, B);
        AdmissionController c = h.controller();

        assertTrue(c.charge("a", 10).admitted());
        assertFalse(c.charge("a", 1).admitted());

        assertTrue(c.charge("b", 10).admitted());
        assertEquals(0, c.appTokens("a"));
    }

    @Test
    void anAppWithoutItsOwnQuotaGetsTheDefaultRate() {
        Harness h = Harness.of(withDefaultApp(settings(PLENTY, PLENTY), 3, 6), A);
        AdmissionController c = h.controller();

        AdmissionDecision d = c.charge("other", 6);
        assertEquals(3, d.limit());
        assertEquals(0, d.remaining());
        assertFalse(c.charge("other", 1).admitted());
        assertTrue(c.charge("third", 6).admitted(), "each app gets a bucket of its own");
        assertEquals(5, c.charge("a", 1).limit(), "an explicit quota wins");
    }

    @Test
    void aCostAboveTheBurstIsRefusedWithAFiniteRetryAfter() {
        Harness h = Harness.of(settings(PLENTY, PLENTY), A);
        AdmissionController c = h.controller();
        assertTrue(c.charge("a", 9).admitted());

        AdmissionDecision tooBig = c.charge("a", 11);

        assertAll(
                () -> assertEquals(RejectReason.APP_RATE, tooBig.reason()),
                () -> assertEquals(2, tooBig.retryAfterSeconds(), "time until the bucket is full again: 9 tokens at 5/s = 1.8 s"),
                () -> assertEquals(5, tooBig.limit()),
                () -> assertEquals(1, tooBig.remaining()));
        assertEquals(1, c.appTokens("a"), "nothing taken");
    }

    @Test
    void zeroMessagesPassAndNegativeCostIsABug() {
        Harness h = Harness.of(settings(PLENTY, PLENTY), A);
        assertTrue(h.controller().charge("a", 10).admitted());
        assertTrue(h.controller().charge("a", 0).admitted());
        assertThrows(IllegalArgumentException.class, () -> h.controller().charge("a", -1));
    }
}
