package io.facegate.access;

import io.facegate.door.ManualTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import static io.facegate.access.DenialReason.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The decision policy, case by case, over the production gallery holding synthetic faces. Defaults: 2 to 5 good
 * frames fused within 1500 ms, liveness 0.5, margin 0.05; the thresholds come from a calibration whose impostor
 * scores are N(0, 0.1) (about 0.37 for one template, 0.52 for a thousand).
 */
class AccessPolicyTest {
    private static final String ALWAYS = "default_schedule: always\ntime_zone: Europe/Berlin\n";

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
        return new AccessRig(faces, yaml);
    }

    @Test
    void grantsFromMinFramesGoodFramesAndNotBefore() {
        AccessRig rig = rig(ALWAYS).person("alice").person("bob");
        assertTrue(rig.weakFrame(1, "alice").isEmpty(), "one frame below the single-frame bar is not enough");
        Instant second = rig.time.instant();
        Decision d = rig.weakFrame(1, "alice").orElseThrow();
        assertTrue(d.granted());
        assertEquals("alice", d.personId());
        assertEquals("Name alice", d.displayName());
        assertEquals(1, d.trackId());
        assertEquals(second, d.time());
        assertTrue(d.score() >= rig.threshold(), "fused score " + d.score());
        assertEquals(0.9, d.liveness(), 1e-9);
        assertTrue(rig.frames(10, 1, "alice").isEmpty(), "a granted track says nothing more");
        assertEquals(1, rig.policy.stats().granted());

        AccessRig three = rig(ALWAYS + "min_frames: 3").person("alice");
        assertTrue(three.weakFrame(1, "alice").isEmpty());
        assertTrue(three.weakFrame(1, "alice").isEmpty(), "min_frames 3: two frames are not enough");
        assertTrue(three.weakFrame(1, "alice").orElseThrow().granted());
    }

    @Test
    void oneFrameAloneConcludesOnlyBeyondTheStricterSingleFrameBar() {
        AccessRig rig = rig(ALWAYS).person("alice").person("bob");
        int templates = faces.gallery.searchedTemplates();
        double fused = rig.threshold();
        // the calibration's score at FAR target_fpir / (templates * max_frames): a whole window of single frames,
        // each an independent try, stays within the target
        double alone = AccessRig.CALIBRATION.scoreAtFar(rig.cfg.targetFpir() / (templates * rig.cfg.maxFrames()));
        assertTrue(alone > fused + 0.01, "single-frame bar " + alone + ", fused " + fused);
        assertEquals(alone, rig.rule.singleFrameThreshold(templates), 1e-6, "the rule's bar is the calibration's");

        assertTrue(rig.frame(1, faces.at("alice", (fused + alone) / 2), AccessRig.GOOD, 1.0).isEmpty(),
                "between the bars one frame concludes nothing");
        Decision second = rig.frame(1, faces.at("alice", (fused + alone) / 2), AccessRig.GOOD, 1.0).orElseThrow();
        assertTrue(second.granted(), "the fused pair decides as before: " + second);

        Decision d = rig.frame(2, faces.at("alice", alone + 0.01), AccessRig.GOOD, 0.9).orElseThrow();
        assertTrue(d.granted(), "beyond the single-frame bar the first frame lets alice in: " + d);
        assertEquals("alice", d.personId());
        assertTrue(d.score() >= alone, "score " + d.score());
        assertEquals(0.9, d.liveness(), 1e-9);

        assertTrue(rig.frame(3, faces.at("alice", alone + 0.01), AccessRig.GOOD, 0.1).isEmpty(),
                "a single frame in doubt about liveness waits for the fused frames: no spoof verdict from one frame");
        assertTrue(rig.frame(3, faces.at("alice", alone + 0.01), AccessRig.GOOD, 0.1).map(x -> x.reason())
                .orElseThrow() == SPOOF_SUSPECTED, "the fused frames judge liveness");
        assertTrue(rig.frame(4, null).isEmpty(), "a stranger's single frame is never a verdict, not even a denial");
        assertEquals(2, rig.policy.stats().granted());
    }

    @Test
    void aSingleFrameNeverUnlocksBelowTheSingleFrameBarEvenWhenItIsCloseToIt() {
        AccessRig rig = rig(ALWAYS).person("alice");
        double alone = rig.rule.singleFrameThreshold(faces.gallery.searchedTemplates());
        for (long track = 0; track < 50; track++) {
            assertTrue(rig.frame(track, faces.at("alice", alone - 0.002), AccessRig.GOOD, 1.0).isEmpty(),
                    "one frame per track, just below the single-frame bar");
        }
        assertEquals(0, rig.policy.stats().granted());
    }

    @Test
    void framesMustFallWithinTheWindow() {
        AccessRig rig = rig(ALWAYS + "window_ms: 1500").person("alice");
        for (int i = 0; i < 10; i++) {
            assertTrue(rig.weakFrame(1, "alice").isEmpty());
            rig.time.advanceMillis(1500); // 1600 ms apart: never two within 1500 ms
        }
        // the last frame was 1600 ms ago: this one is alone in its window
        assertTrue(rig.weakFrame(1, "alice").isEmpty(), "a frame and one outside the window are not enough");
        assertTrue(rig.weakFrame(1, "alice").orElseThrow().granted(), "two within 1500 ms are");
    }

    @Test
    void onlyTheLastMaxFramesAreFused() {
        AccessRig rig = rig(ALWAYS + "min_frames: 3\nmax_frames: 3\nwindow_ms: 100000").person("alice");
        assertTrue(rig.frames(2, 1, null).isEmpty());
        assertEquals(UNKNOWN_FACE, rig.frame(1, null).orElseThrow().reason(), "reported once the window is full");
        assertTrue(rig.frames(6, 1, null).isEmpty(), "not again on the same track");
        // fused over all ten frames alice's one frame would score about 0.95 / sqrt(10) = 0.3, below the
        // threshold; over the last three (two strangers and her) about 0.95 / sqrt(3) = 0.55, above it
        Decision d = rig.frame(1, "alice").orElseThrow();
        assertTrue(d.granted(), d.toString());
        assertTrue(d.score() < 0.7, "diluted by the two strangers: " + d.score());
    }

    @Test
    void mixedIdentitiesAreFusedIntoOneProbe() {
        AccessRig rig = rig(ALWAYS + "window_ms: 100000").person("alice").person("bob");
        // alice then bob, each weak alone: fused, halfway between them with no margin: not concluded before full
        assertTrue(rig.weakFrame(1, "alice").isEmpty());
        assertTrue(rig.weakFrame(1, "bob").isEmpty(), "no match alone, low margin fused, window not full");
        // a second frame of bob tips the fused probe toward him
        Decision d = rig.frame(1, "bob").orElseThrow();
        assertEquals("bob", d.personId());
    }

    @Test
    void lowMarginIsReportedOnceTheWindowIsFull() {
        AccessRig rig = rig(ALWAYS + "min_margin: 0.05").person("alice").person("bob");
        float[] between = faces.between("alice", "bob");
        Candidate c = faces.gallery.best(between);
        assertTrue(c.score() > rig.threshold() && c.margin() < 0.05, c.toString());
        for (int i = 0; i < 4; i++) {
            assertTrue(rig.frame(1, between, AccessRig.GOOD, 0.9).isEmpty(), "frame " + i);
        }
        Decision d = rig.frame(1, between, AccessRig.GOOD, 0.9).orElseThrow();
        assertEquals(LOW_MARGIN, d.reason());
        assertTrue(Set.of("alice", "bob").contains(d.personId()), d.personId());
        assertTrue(rig.frame(1, between, AccessRig.GOOD, 0.9).isEmpty(), "reported once per track");
        // the track keeps being judged: a good run of alice on it is let in
        assertTrue(rig.frames(5, 1, "alice").orElseThrow().granted());
    }

    @Test
    void unknownFacesAreReportedOnceTheWindowIsFullAndRateLimited() {
        AccessRig rig = rig(ALWAYS + "unknown_event_interval_ms: 10000").person("alice");
        assertTrue(rig.frames(4, 1, null).isEmpty(), "not before max_frames good frames");
        Decision first = rig.frame(1, null).orElseThrow();
        assertEquals(UNKNOWN_FACE, first.reason());
        assertNull(first.personId());
        assertTrue(first.score() < 0.3, "a stranger scores about 0: " + first.score());
        assertTrue(rig.frames(9, 1, null).isEmpty(), "the same track is not reported again");
        assertTrue(rig.frames(5, 2, null).isEmpty(), "another unknown track within the interval: counted only");
        assertTrue(rig.frames(5, 3, null).isEmpty());
        AccessStats s = rig.policy.stats();
        assertEquals(3, s.denied(UNKNOWN_FACE));
        assertEquals(2, s.unknownSuppressed());
        assertEquals(0, s.granted());
        rig.time.advanceMillis(10_000);
        assertEquals(UNKNOWN_FACE, rig.frames(5, 4, null).orElseThrow().reason());
    }

    @Test
    void aMatchedPersonMissingFromTheDirectoryIsUnknown() {
        AccessRig rig = rig(ALWAYS);
        faces.enroll("ghost"); // in the gallery, not in the directory
        Decision d = rig.frames(2, 1, "ghost").orElseThrow();
        assertEquals(UNKNOWN_FACE, d.reason());
        assertFalse(d.granted());
    }

    @Test
    void spoofIsDeniedAndEndsTheTrack() {
        AccessRig rig = rig(ALWAYS + "liveness_threshold: 0.5").person("alice");
        assertTrue(rig.frame(1, "alice", 0.4).isEmpty(), "one frame in doubt waits for the fused frames");
        Decision d = rig.frame(1, "alice", 0.5).orElseThrow(); // mean 0.45
        assertEquals(SPOOF_SUSPECTED, d.reason());
        assertEquals("alice", d.personId());
        assertEquals(0.45, d.liveness(), 1e-9);
        for (int i = 0; i < 10; i++) {
            assertTrue(rig.frame(1, "alice", 1.0).isEmpty(), "no second try on a spoofed track");
        }
        assertTrue(rig.frames(2, 2, "alice").orElseThrow().granted(), "a new track is judged afresh");
    }

    @Test
    void livenessPassesOnTheMeanOfTheFusedFrames() {
        AccessRig rig = rig(ALWAYS + "liveness_threshold: 0.5").person("alice");
        rig.frame(1, "alice", 0.4);
        Decision d = rig.frame(1, "alice", 0.6).orElseThrow(); // mean 0.5
        assertTrue(d.granted());
        assertEquals(0.5, d.liveness(), 1e-9);
    }

    @Test
    void missingLivenessFailsWhenEnabledAndIsIgnoredWhenDisabled() {
        AccessRig on = rig(ALWAYS).person("alice");
        on.frame(1, "alice", Double.NaN);
        assertEquals(SPOOF_SUSPECTED, on.frame(1, "alice", Double.NaN).orElseThrow().reason(),
                "no frame with a live probability");
        // a frame without a score does not count against the others (see LivenessFusionTest)
        AccessRig partly = rig(ALWAYS).person("alice");
        partly.frame(2, "alice", Double.NaN);
        assertTrue(partly.frame(2, "alice", 0.9).orElseThrow().granted());

        AccessRig off = rig(ALWAYS + "liveness_enabled: false").person("alice");
        assertTrue(off.frame(1, "alice", Double.NaN).orElseThrow().granted());
        off.frame(2, off.weak("alice"), AccessRig.GOOD, Double.NaN);
        assertTrue(off.frame(2, off.weak("alice"), AccessRig.GOOD, 0.0).orElseThrow().granted());
    }

    @Test
    void disabledPerson() {
        AccessRig rig = rig(ALWAYS).person("alice");
        rig.people.put("alice", new PersonAccess("alice", "A", Set.of(), false, null, null));
        assertEquals(PERSON_DISABLED, rig.frames(2, 1, "alice").orElseThrow().reason());
        assertTrue(rig.frames(6, 1, "alice").isEmpty(), "reported once per track");
        assertEquals(1, rig.policy.stats().denied(PERSON_DISABLED));
        assertEquals(0, rig.policy.stats().granted());
    }

    @Test
    void validityDatesAreHalfOpen() {
        AccessRig rig = rig(ALWAYS).person("alice");
        Instant from = rig.time.instant().plusSeconds(60);
        Instant until = from.plusSeconds(3600);
        rig.people.put("alice", new PersonAccess("alice", "A", Set.of(), true, from, until));
        assertEquals(NOT_YET_VALID, rig.frames(2, 1, "alice").orElseThrow().reason());
        rig.time.advance(Duration.between(rig.time.instant(), from).minusMillis(100));
        // weak frames at from-100 ms and from: the concluding frame is at 'from' -> valid
        assertTrue(rig.weakFrame(2, "alice").isEmpty());
        assertTrue(rig.weakFrame(2, "alice").orElseThrow().granted());
        rig.time.advance(Duration.between(rig.time.instant(), until));
        // a frame that concludes alone exactly on validUntil: expired
        assertEquals(EXPIRED, rig.frame(3, "alice").orElseThrow().reason());
    }

    @Test
    void outsideScheduleThenInsideOnTheSameTrack() {
        // Monday 2025-01-06 08:00Z = 09:00 in Berlin; staff may enter from 09:00:01
        AccessRig rig = rig("time_zone: Europe/Berlin\nschedules:\n  staff:\n"
                + "    - {days: [MON], from: \"09:00:01\", to: \"17:00\"}\n").person("alice", "staff");
        assertEquals(OUTSIDE_SCHEDULE, rig.frames(2, 1, "alice").orElseThrow().reason());
        assertTrue(rig.frames(2, 1, "alice").isEmpty(), "still 09:00:00.3: same answer, not repeated");
        rig.time.advanceMillis(600); // the next frame is at 09:00:01.0
        assertTrue(rig.frame(1, "alice").orElseThrow().granted(), "once the window opens");
    }

    @Test
    void lockdownDeniesWhoWouldBeGranted() {
        AccessRig rig = rig(ALWAYS).person("alice").person("bob");
        rig.people.put("bob", new PersonAccess("bob", "B", Set.of(), false, null, null));
        rig.lockdown = true;
        assertEquals(LOCKDOWN, rig.frames(2, 1, "alice").orElseThrow().reason());
        assertEquals(PERSON_DISABLED, rig.frames(2, 2, "bob").orElseThrow().reason());
        rig.lockdown = false;
        assertTrue(rig.frame(1, "alice").orElseThrow().granted(), "after lockdown, the next frame grants");
    }

    @Test
    void cooldownWhileTheDoorIsOpen() {
        AccessRig rig = rig(ALWAYS + "cooldown_ms: 10000").person("alice");
        assertTrue(rig.frames(2, 1, "alice").orElseThrow().granted());
        rig.doorOpen = true;
        assertTrue(rig.frame(2, "alice").isEmpty(), "new track, same person, door still open");
        assertEquals(1, rig.policy.stats().cooldownSuppressed());
        rig.doorOpen = false;
        assertTrue(rig.frame(2, "alice").orElseThrow().granted(), "door closed and locked: let in again");
        rig.doorOpen = true;
        rig.time.advanceMillis(10_000);
        assertTrue(rig.frames(2, 3, "alice").orElseThrow().granted(), "cooldown over");
    }

    @Test
    void poorFramesAndOutOfOrderFramesAreIgnoredAndCounted() {
        AccessRig rig = rig(ALWAYS + "min_eye_distance_px: 24").person("alice");
        FrameQuality small = new FrameQuality(20, 1, 23.9, 0, 0);
        float[] alice = rig.weak("alice");
        Instant t = rig.time.instant();
        for (int i = 0; i < 4; i++) {
            assertTrue(rig.policy.offer(new Recognition(1, alice, small, 0.9, t.plusMillis(i))).isEmpty());
        }
        assertTrue(rig.policy.offer(new Recognition(1, alice, AccessRig.GOOD, 0.9, t.plusMillis(10))).isEmpty());
        assertTrue(rig.policy.offer(new Recognition(1, alice, AccessRig.GOOD, 0.9, t.plusMillis(5))).isEmpty(),
                "older than the track's newest frame");
        assertTrue(rig.policy.offer(new Recognition(1, alice, AccessRig.GOOD, 0.9, t.plusMillis(20)))
                .orElseThrow().granted());
        assertEquals(5, rig.policy.stats().framesIgnored());
    }

    /** One gate at a time: a face just below it never counts, one exactly at it does. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // gate,       norm,  sharp, eyes,  yaw,   pitch  (below the gate)   then at the gate
            "eye distance, 20,    1,     23.9,  0,     0,      20, 1,    24, 0,  0",
            "yaw,          20,    1,     60,    30.1,  0,      20, 1,    60, 30, 0",
            "yaw left,     20,    1,     60,    -30.1, 0,      20, 1,    60, -30, 0",
            "pitch,        20,    1,     60,    0,     25.1,   20, 1,    60, 0,  25",
            "pitch down,   20,    1,     60,    0,     -25.1,  20, 1,    60, 0,  -25",
            "sharpness,    20,    0.29,  60,    0,     0,      20, 0.3,  60, 0,  0",
            "norm,         9.99,  1,     60,    0,     0,      10, 1,    60, 0,  0",
            "not a number, NaN,   1,     60,    0,     0,      20, 1,    60, 0,  0",
    })
    void framesBelowAQualityGateNeverCountTowardAGrant(String gate, double norm, double sharpness, double eyes,
                                                       double yaw, double pitch, double okNorm, double okSharpness,
                                                       double okEyes, double okYaw, double okPitch) {
        AccessRig rig = rig(ALWAYS + "min_eye_distance_px: 24\nmax_yaw_degrees: 30\nmax_pitch_degrees: 25\n"
                + "min_sharpness: 0.3\nmin_norm_ratio: 0.5\n").person("alice");
        FrameQuality poor = new FrameQuality(norm, sharpness, eyes, yaw, pitch);
        FrameQuality ok = new FrameQuality(okNorm, okSharpness, okEyes, okYaw, okPitch);
        assertTrue(rig.rule.qualityProblem(poor).isPresent(), gate);
        assertTrue(rig.rule.qualityProblem(ok).isEmpty(), gate + ": " + rig.rule.qualityProblem(ok));
        float[] alice = faces.vector("alice"); // the template itself: the strongest evidence there is
        float[] weak = rig.weak("alice"); // a good frame of this concludes nothing alone, two fused do

        // a good frame among poor ones: the poor ones do not count, so one good frame is all there is
        assertTrue(rig.frame(1, weak, ok, 0.9).isEmpty());
        for (int i = 0; i < 10; i++) {
            assertTrue(rig.frame(1, alice, poor, 0.9).isEmpty(), gate + " frame " + i);
        }
        rig.time.advanceMillis(2000); // the good frame leaves the window
        for (int i = 0; i < 10; i++) {
            assertTrue(rig.frame(1, alice, poor, 0.9).isEmpty(), gate + " frame " + i);
        }
        assertTrue(rig.frame(1, weak, ok, 0.9).isEmpty(), "the first good frame since the window moved");
        assertTrue(rig.frame(1, weak, ok, 0.9).orElseThrow().granted(), "two good frames");

        // a track of only poor frames: POOR_QUALITY once max_frames are in, never a grant
        for (int i = 0; i < 4; i++) {
            assertTrue(rig.frame(2, alice, poor, 0.9).isEmpty(), gate + " frame " + i);
        }
        Decision d = rig.frame(2, alice, poor, 0.9).orElseThrow();
        assertEquals(POOR_QUALITY, d.reason(), gate);
        assertNull(d.personId(), "nobody was searched");
        for (int i = 0; i < 20; i++) {
            assertTrue(rig.frame(2, alice, poor, 0.9).isEmpty(), "reported once per track");
        }
        assertEquals(1, rig.policy.stats().granted());
    }

    @Test
    void fusionCancelsIndependentNoiseButNotNoiseThatRepeats() {
        AccessRig rig = rig(ALWAYS + "min_frames: 2\nmax_frames: 5\nwindow_ms: 100000").person("alice")
                .person("bob").person("carol");
        double threshold = rig.threshold();
        // every frame scores 0.30 alone; fused, independent noise cancels: k frames score 0.3k / sqrt(0.09k^2 +
        // 0.91k), 0.41 for two, 0.58 for five; noise that repeats does not cancel and the mean stays at 0.30
        assertTrue(threshold > 0.31 && threshold < 0.40, "threshold " + threshold);
        Optional<Decision> granted = Optional.empty();
        for (int i = 0; i < 5 && granted.isEmpty(); i++) {
            float[] f = faces.at("alice", 0.30);
            assertEquals(DecisionRule.Outcome.NO_MATCH, rig.rule.identify(faces.gallery, f).outcome(),
                    "each frame alone is below the threshold " + threshold);
            granted = rig.frame(1, f, AccessRig.GOOD, 0.9);
        }
        Decision d = granted.orElseThrow(() -> new AssertionError("the fused probe should have matched"));
        assertTrue(d.granted());
        assertEquals("alice", d.personId());
        assertTrue(d.score() >= threshold, d.score() + " vs " + threshold);

        // the same noise in every frame (a lasting shadow, a printed pattern): the mean is no cleaner
        float[] shadow = AccessRig.orthogonal(faces.vector("alice"), AccessRig.unit(faces.rnd));
        for (int i = 0; i < 4; i++) {
            float[] f = faces.at("alice", 0.30, AccessRig.plus(shadow, AccessRig.unit(faces.rnd), 0.05));
            assertEquals(DecisionRule.Outcome.NO_MATCH, rig.rule.identify(faces.gallery, f).outcome());
            assertTrue(rig.frame(2, f, AccessRig.GOOD, 0.9).isEmpty(), "frame " + i);
        }
        float[] last = faces.at("alice", 0.30, AccessRig.plus(shadow, AccessRig.unit(faces.rnd), 0.05));
        assertEquals(UNKNOWN_FACE, rig.frame(2, last, AccessRig.GOOD, 0.9).orElseThrow().reason());
        assertEquals(1, rig.policy.stats().granted());
    }

    @Test
    void theThresholdRisesWithTheGallery() {
        AccessRig small = rig(ALWAYS).person("alice");
        double t1 = small.threshold();
        // a probe between the one-template threshold (about 0.37) and the 300-template one (about 0.49), below the
        // one-template single-frame bar (about 0.41)
        float[] probe = faces.at("alice", 0.395);
        double score = faces.gallery.best(probe).score();
        assertTrue(score > t1 + 0.01 && score < small.singleFrameThreshold() - 0.005, score + " vs " + t1);
        assertTrue(small.frame(1, probe, AccessRig.GOOD, 0.9).isEmpty());
        assertTrue(small.frame(1, probe, AccessRig.GOOD, 0.9).orElseThrow().granted(), "small gallery: matched");

        for (int i = 0; i < 299; i++) {
            faces.enroll("p" + i);
        }
        AccessRig big = rig(ALWAYS).person("alice");
        double t300 = big.threshold();
        assertEquals(300, faces.gallery.searchedTemplates());
        assertTrue(t300 > t1 + 0.05, t1 + " -> " + t300);
        assertTrue(score < t300 - 0.01, score + " vs " + t300);
        assertTrue(big.frame(1, probe, AccessRig.GOOD, 0.9).isEmpty());
        assertTrue(big.frame(1, probe, AccessRig.GOOD, 0.9).isEmpty(), "big gallery: the same probe is not enough");
        assertEquals(0, big.policy.stats().granted());
        // and the rule's threshold is monotone in the gallery's size
        double previous = -1;
        for (int n : new int[] {1, 2, 10, 100, 1000, 10_000, 100_000}) {
            double t = big.rule.threshold(n);
            assertTrue(t > previous, n + ": " + t);
            previous = t;
        }
    }

    @Test
    void whenTheModelCannotReachTheTargetNobodyIsLetIn() {
        // impostors ~ N(0, 0.3): even a score of 1 has a FAR of about 4e-4 per comparison, above the 1e-4 asked
        ScoreCalibration heavy = SyntheticCalibration.normal(0.3, 200_000, 0.6, 0.05, 20_000, 1L);
        assertTrue(heavy.far(1) > 1e-4, "far(1) = " + heavy.far(1));
        AccessRig rig = new AccessRig(faces, AccessRig.parse(ALWAYS), new ManualTime(), heavy).person("alice");
        assertTrue(rig.rule.capacityWarning(1).isPresent(), "the rule says the door refuses everyone");
        // the int8 search scores a template against itself up to about 1.002: the bar must be above that too
        for (long track = 0; track < 20; track++) {
            String id = "q" + track;
            rig.person(id);
            float[] exact = faces.vector(id);
            assertTrue(rig.frame(track, exact, AccessRig.GOOD, 1.0).isEmpty());
            Optional<Decision> d = rig.frame(track, exact, AccessRig.GOOD, 1.0);
            assertTrue(d.isEmpty() || !d.get().granted(), "let in at an unreachable target: " + d
                    + ", score " + faces.gallery.best(exact).score() + ", threshold " + rig.threshold());
        }
        assertEquals(0, rig.policy.stats().granted());
    }

    @Test
    void tracksExpireAndCanBeForgotten() {
        AccessRig rig = rig(ALWAYS + "track_timeout_ms: 3000").person("alice");
        rig.weakFrame(1, "alice");
        rig.policy.forget(1);
        assertTrue(rig.weakFrame(1, "alice").isEmpty(), "forgotten: the earlier frame is gone");
        rig.weakFrame(2, "alice");
        assertEquals(2, rig.policy.stats().tracks());
        rig.time.advanceMillis(3000);
        rig.policy.expire();
        assertEquals(0, rig.policy.stats().tracks());
    }

    @Test
    void directoryFailureDecidesNothing() {
        faces.enroll("alice");
        ManualTime time = new ManualTime();
        DecisionRule rule = new DecisionRule(AccessRig.parse(ALWAYS), AccessRig.CALIBRATION);
        AccessPolicy p = new AccessPolicy(rule, faces.gallery, id -> {
            throw new IllegalStateException("database is locked");
        }, time, () -> false, () -> false);
        for (int i = 0; i < 10; i++) {
            Optional<Decision> d = p.offer(new Recognition(1, faces.face("alice"), AccessRig.GOOD, 0.9,
                    time.instant()));
            assertTrue(d.isEmpty());
            time.advanceMillis(100);
        }
        assertEquals(0, p.stats().granted());
    }
}
