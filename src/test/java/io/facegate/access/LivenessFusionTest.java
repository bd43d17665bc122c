package io.facegate.access;

import io.facegate.config.AccessConfig;
import io.facegate.config.ConfigException;
import io.facegate.config.ConfigLoader;
import io.facegate.vision.SyntheticLandmarks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static io.facegate.access.DenialReason.SPOOF_SUSPECTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The presentation-attack checks the policy fuses across a track on a match: the mean live probability of the frames
 * that have one (frames may come without: the daemon need not score every frame), and the planarity of the track's
 * landmark motion.
 */
class LivenessFusionTest {
    private static final String ALWAYS = "default_schedule: always\ntime_zone: Europe/Berlin\nmin_frames: 3\n";
    /** Every grant waits for min_frames fused frames, so planarity has motion to judge before the door opens. */
    private static final String FUSED_ONLY = ALWAYS + "single_frame_grant: false\n";

    @TempDir
    Path dir;
    private AccessRig.Faces faces;

    @BeforeEach
    void open() {
        faces = new AccessRig.Faces(dir, 42);
    }

    @AfterEach
    void close() {
        faces.close();
    }

    private AccessRig rig(String yaml) {
        return new AccessRig(faces, yaml).person("alice");
    }

    /** One good frame of alice on track 1 with this liveness and these landmarks. */
    private static Optional<Decision> frame(AccessRig rig, double liveness, float[] landmarks) {
        Optional<Decision> d = rig.policy.offer(new Recognition(1, rig.faces.face("alice"), AccessRig.GOOD, liveness,
                rig.time.instant(), landmarks));
        rig.time.advanceMillis(100);
        return d;
    }

    private static Decision track(AccessRig rig, double[] liveness, List<float[]> landmarks) {
        Optional<Decision> out = Optional.empty();
        for (int i = 0; i < liveness.length && out.isEmpty(); i++) {
            out = frame(rig, liveness[i], landmarks == null ? null : landmarks.get(i));
        }
        return out.orElseThrow(() -> new AssertionError("no decision"));
    }

    @Test
    void framesWithoutAScoreDoNotCountAgainstTheMean() {
        Decision d = track(rig(ALWAYS), new double[] {Double.NaN, 0.9, Double.NaN}, null);
        assertTrue(d.granted(), d.toString());
        assertEquals(0.9, d.liveness(), 1e-9, "the mean of the scored frames");
    }

    @Test
    void noScoreAtAllFailsClosed() {
        Decision d = track(rig(ALWAYS), new double[] {Double.NaN, Double.NaN, Double.NaN}, null);
        assertEquals(SPOOF_SUSPECTED, d.reason());
        assertTrue(Double.isNaN(d.liveness()));
    }

    @Test
    void aPhotoTiltedInFrontOfTheCameraIsRefusedWhateverItsPerFrameScore() {
        Decision d = track(rig(FUSED_ONLY), new double[] {0.99, 0.99, 0.99},
                SyntheticLandmarks.turning(false, 0, 12, 25));
        assertEquals(SPOOF_SUSPECTED, d.reason());
        assertEquals("alice", d.personId());
    }

    /**
     * The price of the fastest unlock (the default): a frame that clears the single-frame bar and its own liveness
     * grants before the track has moved, so planarity never sees the tilt (docs/liveness.md says so).
     */
    @Test
    void byDefaultAStrongFirstFrameGrantsBeforePlanarityHasMotionToJudge() {
        Decision d = track(rig(ALWAYS), new double[] {0.99, 0.99, 0.99},
                SyntheticLandmarks.turning(false, 0, 12, 25));
        assertTrue(d.granted(), d.toString());
    }

    @Test
    void aHeadTurningIsLetIn() {
        assertTrue(track(rig(ALWAYS), new double[] {0.99, 0.99, 0.99},
                SyntheticLandmarks.turning(true, 0, 12, 25)).granted());
    }

    @Test
    void aStillFaceLeavesThePlanarityCheckAbstaining() {
        List<float[]> still = SyntheticLandmarks.turning(false, 0, 0, 0);
        assertTrue(track(rig(ALWAYS), new double[] {0.99, 0.99, 0.99}, still).granted());
    }

    @Test
    void aPlanarTrackStillNeedsItsPerFrameScore() {
        Decision d = track(rig(ALWAYS), new double[] {0.2, 0.2, 0.2}, SyntheticLandmarks.turning(true, 0, 12, 25));
        assertEquals(SPOOF_SUSPECTED, d.reason(), "non-planar motion does not override a low live probability");
    }

    @Test
    void planarityKeysAreValidated() {
        for (String bad : List.of("planarity_threshold: 1.5", "planarity_threshold: 0", "planarity_min_motion: -1",
                "planarity_enabled: maybe")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ConfigLoader.parse("access:\n  " + bad + "\n"), bad);
            assertTrue(e.getMessage().contains(bad.substring(0, bad.indexOf(':'))), e.getMessage());
        }
        AccessConfig d = AccessConfig.defaults();
        assertTrue(d.planarityEnabled());
        assertEquals(0.5, d.planarityThreshold());
        assertEquals(0.04, d.planarityMinMotion());
    }

    @Test
    void planarityOffOrLivenessOffLetsAPlanarTrackThrough() {
        List<float[]> planar = SyntheticLandmarks.turning(false, 0, 12, 25);
        assertTrue(track(rig(ALWAYS + "planarity_enabled: false\n"), new double[] {0.99, 0.99, 0.99}, planar)
                .granted());
        assertTrue(track(rig(ALWAYS + "liveness_enabled: false\n"), new double[] {0.99, 0.99, 0.99}, planar)
                .granted());
    }
}
