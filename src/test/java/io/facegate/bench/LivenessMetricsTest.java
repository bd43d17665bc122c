package io.facegate.bench;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ISO/IEC 30107-3 rates against cases computed by hand. */
class LivenessMetricsTest {
    private static final double EPS = 1e-12;

    private static LivenessMetrics sample() {
        Map<String, double[]> spoof = new LinkedHashMap<>();
        spoof.put("print", new double[] {0.55, 0.05, 0.2});
        spoof.put("replay", new double[] {0.3, 0.7, 0.95, 0.1});
        return new LivenessMetrics(new double[] {0.9, 0.1, 0.4, 0.6, 0.8}, spoof);
    }

    @Test
    void ratesAtAThreshold() {
        LivenessMetrics m = sample();
        // live below 0.5: 0.1, 0.4 of 5
        assertEquals(0.4, m.bpcer(0.5), EPS);
        // print at or above 0.5: 0.55 of 3; replay: 0.7, 0.95 of 4
        assertEquals(1 / 3.0, m.apcer("print", 0.5), EPS);
        assertEquals(0.5, m.apcer("replay", 0.5), EPS);
        assertEquals(0.5, m.worstApcer(0.5), EPS);
        assertEquals("replay", m.worstKind(0.5));
        assertEquals((0.5 + 0.4) / 2, m.acer(0.5), EPS);
        // a score equal to the threshold is classified live
        assertEquals(0.0, m.bpcer(0.1), EPS);
        assertEquals(0.5, m.apcer("replay", 0.7), EPS);
    }

    @Test
    void aucCountsTiesAsHalf() {
        // pooled attacks 0.05 0.1 0.2 0.3 0.55 0.7 0.95; live 0.1 beats 1 and ties 1, 0.4 beats 4, 0.6 beats 5,
        // 0.8 and 0.9 beat 6 each: 22.5 of 5 * 7
        assertEquals(22.5 / 35, sample().auc(), EPS);
    }

    @Test
    void thresholdForATargetBpcer() {
        LivenessMetrics m = sample();
        assertEquals(0.4, m.thresholdForBpcer(0.2), EPS);
        assertEquals(0.2, m.bpcer(m.thresholdForBpcer(0.2)), EPS);
        assertEquals(0.1, m.thresholdForBpcer(0.0), EPS);
        assertEquals(0.1, m.thresholdForBpcer(0.19), EPS);
        assertThrows(IllegalArgumentException.class, () -> m.thresholdForBpcer(1.0));
    }

    @Test
    void bpcerWhereEveryKindKeepsTheTargetApcer() {
        LivenessMetrics m = sample();
        // APCER <= 25%: print may accept none (above 0.55), replay one of 4 (above 0.7): threshold just above 0.7
        assertEquals(Math.nextUp(0.7), m.thresholdForApcer(0.25), EPS);
        assertTrue(m.worstApcer(m.thresholdForApcer(0.25)) <= 0.25);
        assertEquals(0.6, m.bpcerAtApcer(0.25), EPS);
        // 0%: above the highest attack of all
        assertEquals(Math.nextUp(0.95), m.thresholdForApcer(0.0), EPS);
        assertEquals(1.0, m.bpcerAtApcer(0.0), EPS);
    }

    @Test
    void liveOnlyHasNoAttackRates() {
        LivenessMetrics m = new LivenessMetrics(new double[] {0.2, 0.9, 0.99, 0.95}, Map.of());
        assertTrue(Double.isNaN(m.worstApcer(0.5)));
        assertTrue(Double.isNaN(m.acer(0.5)));
        assertTrue(Double.isNaN(m.auc()));
        assertEquals(0.25, m.bpcer(0.5), EPS);
        assertThrows(IllegalArgumentException.class, () -> new LivenessMetrics(new double[0], Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new LivenessMetrics(new double[] {Double.NaN}, Map.of()));
    }
}
