package io.facegate.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VerificationMetricsTest {

    @Test
    void handComputedSmallCase() {
        // genuine 0.9 0.8 0.7, impostor 0.1 0.2 0.75
        VerificationMetrics m = new VerificationMetrics(new double[] {0.9, 0.8, 0.7}, new double[] {0.1, 0.75, 0.2});
        // 8 of the 9 genuine/impostor comparisons are ordered right (0.7 < 0.75 is the miss)
        assertEquals(8 / 9.0, m.auc(), 1e-12);
        // at t = 0.75: one impostor accepted (1/3), one genuine rejected (1/3)
        VerificationMetrics.Eer eer = m.eer();
        assertEquals(1 / 3.0, eer.rate(), 1e-12);
        assertEquals(0.75, eer.threshold(), 1e-12);
        assertEquals(1 / 3.0, m.far(0.75), 1e-12);
        assertEquals(1 / 3.0, m.frr(0.75), 1e-12);
        // FAR 0: the threshold must sit just above the best impostor; 0.8 and 0.9 pass
        assertEquals(2 / 3.0, m.tarAtFar(0.0), 1e-12);
        assertTrue(m.thresholdAtFar(0.0) > 0.75);
    }

    @Test
    void tiesCountHalfInAuc() {
        VerificationMetrics m = new VerificationMetrics(new double[] {0.5}, new double[] {0.5});
        assertEquals(0.5, m.auc(), 1e-12);
    }

    @Test
    void perfectSeparation() {
        VerificationMetrics m = new VerificationMetrics(new double[] {0.6, 0.7, 0.8}, new double[] {-1, 0.1, 0.2, 0.3});
        assertEquals(1.0, m.auc(), 1e-12);
        assertEquals(0.0, m.eer().rate(), 1e-12);
        assertEquals(1.0, m.tarAtFar(0.01), 1e-12);
    }

    @Test
    void tarAtFarAllowsExactlyTheBudgetOfFalseAccepts() {
        double[] impostor = new double[100];
        for (int i = 0; i < 100; i++) {
            impostor[i] = i / 100.0;       // 0.00 .. 0.99
        }
        VerificationMetrics m = new VerificationMetrics(new double[] {0.985, 0.975, 0.5}, impostor);
        // FAR 1e-2 allows 1 of 100 impostors: the threshold lies just above 0.98
        double t = m.thresholdAtFar(1e-2);
        assertTrue(t > 0.98 && t < 0.985);
        assertEquals(0.01, m.far(t), 1e-12);
        assertEquals(1 / 3.0, m.tarAtFar(1e-2), 1e-12);
        assertTrue(m.resolves(1e-2));
        assertFalse(m.resolves(1e-3));
    }

    @Test
    void percentilesByNearestRank() {
        double[] v = {5, 1, 4, 2, 3};
        assertEquals(3, Percentiles.of(v, 50));
        assertEquals(5, Percentiles.of(v, 90));
        assertEquals(1, Percentiles.of(v, 1));
    }
}
