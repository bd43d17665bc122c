package io.facegate.bench;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fleet benchmark on a small fleet: its own Mosquitto, every change converges, the offline door catches up. */
class FleetBenchTest {
    @TempDir
    Path dir;

    @Test
    void aSmallFleetConvergesAndEndsWithOneHeadsHash() throws Exception {
        Assumptions.assumeTrue(LocalMosquitto.binary() != null,
                "mosquitto is not installed (apt-get install mosquitto): the fleet benchmark needs a broker");
        List<String> progress = new ArrayList<>();
        Map<String, Object> r = new FleetBench(new FleetBench.Options(3, 30, 8, 1, null, 64, Duration.ofMillis(50),
                Duration.ofSeconds(120), dir, progress::add, false)).run();
        assertEquals(true, r.get("same_hash"), r.toString());
        assertEquals(0, r.get("unconverged_changes"), r.toString());
        assertEquals(8, ((Map<?, ?>) r.get("converge_ms")).get("n"), r.toString());
        assertEquals(1, ((Map<?, ?>) r.get("catch_up_ms")).get("n"), r.toString());
        assertEquals(28, r.get("persons_after"), "two of the eight changes are removals");
        // the broker holds about one record per person (updates clear the older ones), tombstones and the manifest
        long retained = ((Number) r.get("retained_messages")).longValue();
        assertTrue(retained >= 31 && retained <= 31 + 8 + 3 * 4, "retained " + retained + ": " + r);
        assertTrue(progress.size() >= 3, progress.toString());
    }

    @Test
    void imagedDoorsStartFromOneDoorsSyncedFilesAndStillConverge() throws Exception {
        Assumptions.assumeTrue(LocalMosquitto.binary() != null,
                "mosquitto is not installed (apt-get install mosquitto): the fleet benchmark needs a broker");
        Map<String, Object> r = new FleetBench(new FleetBench.Options(4, 30, 8, 1, null, 64, Duration.ofMillis(50),
                Duration.ofSeconds(120), dir, m -> { }, true)).run();
        assertEquals(true, r.get("same_hash"), r.toString());
        assertEquals(0, r.get("unconverged_changes"), r.toString());
        assertEquals(1, ((Map<?, ?>) r.get("load_ms")).get("n"), "only the image door loads over MQTT: " + r);
        assertEquals(8, ((Map<?, ?>) r.get("converge_ms")).get("n"), r.toString());
        assertEquals(1, ((Map<?, ?>) r.get("catch_up_ms")).get("n"), r.toString());
        assertEquals(28, r.get("persons_after"), r.toString());
    }
}
