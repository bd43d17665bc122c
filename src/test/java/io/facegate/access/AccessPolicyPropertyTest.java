package io.facegate.access;

import io.facegate.config.AccessConfig;
import io.facegate.door.ManualTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Random sequences of recognitions (seeded, thousands of them) over the production gallery against an independent
 * oracle that fuses and searches the frames itself. Whatever the sequence, a grant is never given to a person who
 * is unknown, disabled, not yet valid, expired or outside their schedule, never during lockdown, never from fewer
 * than min_frames good frames within the window, never from a frame below a quality gate, never when the fused
 * frames do not name that person above the threshold by the margin, never when liveness is on and the fused
 * frames' mean liveness is below the threshold, never twice on one track, and never twice to one person within the
 * cooldown while the door is open.
 */
class AccessPolicyPropertyTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final String[] PEOPLE = {"p0", "p1", "p2", "p3", "p4", "p5", "ghost"};
    private static final int SEQUENCES = 3000;
    /** The gallery searches an int8 copy: its scores differ from the oracle's float ones by about 1e-3. */
    private static final double TOLERANCE = 0.005;

    @TempDir
    static Path dir;
    private static AccessRig.Faces faces;

    @BeforeAll
    static void enroll() {
        faces = new AccessRig.Faces(dir, 7);
        for (String p : PEOPLE) {
            faces.enroll(p); // "ghost" is in the gallery but never in the directory
        }
    }

    @AfterAll
    static void close() {
        faces.close();
    }

    private record Frame(Recognition r, boolean good) {
    }

    @Test
    void randomSequencesNeverBreakThePolicy() {
        Random rnd = new Random(20250106L);
        long grants = 0;
        long framesTotal = 0;
        EnumMap<DenialReason, Long> reasons = new EnumMap<>(DenialReason.class);
        for (int seq = 0; seq < SEQUENCES; seq++) {
            long seed = rnd.nextLong();
            try {
                Result r = runOne(new Random(seed));
                grants += r.grants;
                framesTotal += r.frames;
                r.reasons.forEach((k, v) -> reasons.merge(k, v, Long::sum));
            } catch (AssertionError e) {
                throw new AssertionError("sequence " + seq + " (seed " + seed + "): " + e.getMessage(), e);
            }
        }
        // the generator must exercise the policy, or the invariants above prove nothing
        System.out.printf("property test: %d sequences, %d frames, %d grants, denials %s%n", SEQUENCES,
                framesTotal, grants, reasons);
        assertTrue(grants > SEQUENCES / 8, "grants: " + grants);
        for (DenialReason reason : DenialReason.values()) {
            assertTrue(reasons.getOrDefault(reason, 0L) > 20, reason + " seen " + reasons.get(reason) + " times");
        }
        assertTrue(framesTotal > SEQUENCES * 30L);
    }

    private record Result(long grants, long frames, Map<DenialReason, Long> reasons) {
    }

    /** What a track shows the camera. */
    private enum Kind { PERSON, WEAK, STRANGER, BETWEEN, POOR }

    private Result runOne(Random rnd) {
        int minFrames = 2 + rnd.nextInt(3);
        int maxFrames = minFrames + rnd.nextInt(4);
        long windowMs = 400 + rnd.nextInt(2600);
        boolean liveOn = rnd.nextInt(4) != 0;
        double liveThr = 0.3 + rnd.nextDouble() * 0.4;
        double minMargin = rnd.nextDouble() * 0.1;
        double minSharpness = rnd.nextBoolean() ? 0 : 0.3;
        boolean normGate = rnd.nextBoolean();
        long cooldownMs = rnd.nextInt(6000);
        boolean defaultAlways = rnd.nextBoolean();
        String yaml = "min_frames: " + minFrames + "\nmax_frames: " + maxFrames + "\nwindow_ms: " + windowMs
                + "\nliveness_enabled: " + liveOn + "\nliveness_threshold: " + liveThr
                + "\nmin_margin: " + minMargin + "\nmin_sharpness: " + minSharpness
                + "\nmin_norm_ratio: " + (normGate ? "0.5" : "0")
                + "\nmin_eye_distance_px: 24\nmax_yaw_degrees: 30\nmax_pitch_degrees: 25"
                + "\ncooldown_ms: " + cooldownMs
                + "\nunknown_event_interval_ms: " + rnd.nextInt(3000) + "\ntrack_timeout_ms: 600000"
                + "\ntime_zone: Europe/Berlin\ndefault_schedule: " + (defaultAlways ? "always" : "never")
                + "\nschedules:\n  day:\n    - {days: [MON, TUE, WED, THU, FRI], from: \"08:00\", to: \"18:00\"}"
                + "\n  night:\n    - {days: [MON, TUE, WED, THU, FRI, SAT, SUN], from: \"22:00\", to: \"06:00\"}\n";
        AccessConfig cfg = AccessRig.parse(yaml);

        Instant start = randomStart(rnd);
        ManualTime time = new ManualTime(start);
        AccessRig rig = new AccessRig(faces, cfg, time);
        double threshold = rig.threshold();
        for (int i = 0; i < PEOPLE.length - 1; i++) {
            Set<String> groups = new HashSet<>();
            for (String g : List.of("day", "night", "other")) {
                if (rnd.nextBoolean()) {
                    groups.add(g);
                }
            }
            rig.people.put(PEOPLE[i], new PersonAccess(PEOPLE[i], null, groups, rnd.nextInt(8) != 0,
                    randomBound(rnd, start), randomBound(rnd, start)));
        }

        int tracks = 1 + rnd.nextInt(3);
        boolean[] spoofTrack = new boolean[tracks];
        String[] favourite = new String[tracks];
        Kind[] kind = new Kind[tracks];
        for (int t = 0; t < tracks; t++) {
            spoofTrack[t] = rnd.nextInt(4) == 0;
            favourite[t] = PEOPLE[rnd.nextInt(PEOPLE.length)];
            int k = rnd.nextInt(12);
            kind[t] = k < 6 ? Kind.PERSON : k < 8 ? Kind.WEAK : k < 9 ? Kind.STRANGER : k < 11 ? Kind.BETWEEN
                    : Kind.POOR;
        }
        Map<Long, List<Frame>> seen = new HashMap<>();
        Map<Long, Integer> grantsPerTrack = new HashMap<>();
        Map<String, Instant> lastGrant = new HashMap<>();
        EnumMap<DenialReason, Long> reasons = new EnumMap<>(DenialReason.class);
        long grants = 0;
        int frames = 30 + rnd.nextInt(40);
        for (int i = 0; i < frames; i++) {
            int t = rnd.nextInt(tracks);
            if (rnd.nextInt(10) == 0) {
                rig.lockdown = !rig.lockdown;
            }
            if (rnd.nextInt(6) == 0) {
                rig.doorOpen = !rig.doorOpen;
            }
            if (rnd.nextInt(12) == 0) { // a change of this person could not be stored, or now it could
                String who = PEOPLE[rnd.nextInt(PEOPLE.length)];
                if (!rig.unvouched.remove(who)) {
                    rig.unvouched.add(who);
                }
            }
            float[] embedding = embedding(rnd, kind[t], favourite[t]);
            FrameQuality quality = kind[t] == Kind.POOR && rnd.nextInt(10) != 0 || rnd.nextInt(6) == 0
                    ? poor(rnd) : good(rnd);
            double live = spoofTrack[t] ? rnd.nextDouble() * liveThr * 0.999
                    : rnd.nextInt(30) == 0 ? Double.NaN : rnd.nextInt(6) == 0 ? rnd.nextDouble()
                    : 0.6 + 0.4 * rnd.nextDouble();
            Recognition r = new Recognition(t, embedding, quality, live, time.instant());
            boolean good = passesGates(quality, cfg, normGate);
            assertEquals(good, rig.rule.qualityProblem(quality).isEmpty(), "gates disagree on " + quality);
            seen.computeIfAbsent((long) t, x -> new ArrayList<>()).add(new Frame(r, good));

            Optional<Decision> out = rig.policy.offer(r);

            if (out.isPresent()) {
                Decision d = out.get();
                Instant now = time.instant();
                assertEquals(now, d.time());
                assertEquals(t, d.trackId());
                List<Frame> track = seen.get((long) t);
                if (d.granted()) {
                    grants++;
                    assertTrue(good, "granted on a frame below a quality gate");
                    checkGrant(d, now, cfg, rig, track, spoofTrack[t], threshold);
                    assertEquals(1, grantsPerTrack.merge((long) t, 1, Integer::sum), "two grants on one track");
                    Instant prev = lastGrant.put(d.personId(), now);
                    if (prev != null && rig.doorOpen) {
                        assertFalse(now.isBefore(prev.plusMillis(cooldownMs)), "granted again within cooldown");
                    }
                    if (rnd.nextInt(10) < 7) {
                        rig.doorOpen = true; // the door opens after most grants
                    }
                } else {
                    reasons.merge(d.reason(), 1L, Long::sum);
                    checkDenial(d, now, cfg, rig, track, threshold);
                }
            }
            time.advanceMillis(rnd.nextInt(5) == 0 ? rnd.nextInt(3000) : rnd.nextInt(300));
        }
        return new Result(grants, frames, reasons);
    }

    private static float[] embedding(Random rnd, Kind kind, String favourite) {
        int other = rnd.nextInt(6);
        if (other == 0) {
            return faces.stranger(); // someone walks through the track
        }
        if (other == 1) {
            return faces.face(PEOPLE[rnd.nextInt(PEOPLE.length)]);
        }
        return switch (kind) {
            case PERSON, POOR -> faces.face(favourite);
            case WEAK -> faces.at(favourite, 0.2 + 0.4 * rnd.nextDouble()); // around the threshold
            case STRANGER -> faces.stranger();
            case BETWEEN -> {
                String b = PEOPLE[rnd.nextInt(PEOPLE.length)];
                yield b.equals(favourite) ? faces.face(favourite) : faces.between(favourite, b);
            }
        };
    }

    private static FrameQuality good(Random rnd) {
        return new FrameQuality(10 + rnd.nextDouble() * 20, 0.3 + rnd.nextDouble(), 24 + rnd.nextDouble() * 100,
                (rnd.nextDouble() * 2 - 1) * 30, (rnd.nextDouble() * 2 - 1) * 25);
    }

    /** A face near the gates: each measure below or above its limit, at random. */
    private static FrameQuality poor(Random rnd) {
        double norm = rnd.nextInt(4) == 0 ? rnd.nextDouble() * 10 : 10 + rnd.nextDouble() * 5;
        double sharp = rnd.nextInt(4) == 0 ? rnd.nextDouble() * 0.3 : 0.3 + rnd.nextDouble();
        double eyes = rnd.nextInt(4) == 0 ? rnd.nextDouble() * 24 : 24 + rnd.nextDouble() * 10;
        double yaw = rnd.nextInt(4) == 0 ? 30.01 + rnd.nextDouble() * 40 : rnd.nextDouble() * 30;
        double pitch = rnd.nextInt(4) == 0 ? 25.01 + rnd.nextDouble() * 40 : rnd.nextDouble() * 25;
        if (rnd.nextInt(20) == 0) {
            norm = Double.NaN;
        }
        return new FrameQuality(norm, sharp, eyes, rnd.nextBoolean() ? yaw : -yaw, rnd.nextBoolean() ? pitch : -pitch);
    }

    /** The oracle's gates: eyes 24 px, yaw 30, pitch 25, the configured sharpness, the norm quantile 10. */
    private static boolean passesGates(FrameQuality q, AccessConfig cfg, boolean normGate) {
        return q.interEyeDistancePx() >= 24 && Math.abs(q.yawDegrees()) <= 30 && Math.abs(q.pitchDegrees()) <= 25
                && q.sharpness() >= cfg.minSharpness() && (!normGate || q.embeddingNorm() >= AccessRig.MIN_NORM);
    }

    /** The frames the rule may have fused: the last max_frames good ones within the window of the newest. */
    private static List<Recognition> evidence(List<Frame> track, Instant now, AccessConfig cfg) {
        List<Recognition> good = track.stream().filter(Frame::good).map(Frame::r)
                .filter(r -> !r.time().isBefore(now.minusMillis(cfg.windowMs()))).toList();
        return good.subList(Math.max(0, good.size() - cfg.maxFrames()), good.size());
    }

    /** The oracle's search: brute force over the float vectors of everyone enrolled. */
    private record Best(String personId, double score, double margin) {
    }

    private static Best search(List<Recognition> frames) {
        float[] sum = new float[AccessRig.DIM];
        for (Recognition r : frames) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += r.embedding()[i];
            }
        }
        float[] probe = AccessRig.normalised(sum);
        String best = null;
        double bestScore = -2;
        double second = -2;
        for (Map.Entry<String, float[]> e : faces.vectors.entrySet()) {
            double s = AccessRig.cosine(probe, e.getValue());
            if (s > bestScore) {
                second = bestScore;
                bestScore = s;
                best = e.getKey();
            } else if (s > second) {
                second = s;
            }
        }
        return new Best(best, bestScore, bestScore - second);
    }

    private static void checkGrant(Decision d, Instant now, AccessConfig cfg, AccessRig rig, List<Frame> track,
                                   boolean spoofTrack, double threshold) {
        String p = d.personId();
        PersonAccess who = rig.people.get(p);
        assertNotNull(who, "granted someone not in the directory: " + p);
        assertFalse(rig.unvouched.contains(p), "granted someone the directory cannot vouch for: " + p);
        assertTrue(who.enabled(), "granted a disabled person");
        assertTrue(who.validFrom() == null || !now.isBefore(who.validFrom()), "granted before validFrom");
        assertTrue(who.validUntil() == null || now.isBefore(who.validUntil()), "granted after validUntil");
        assertTrue(inSchedule(who.groups(), now, cfg.defaultAlways()), "granted outside schedule at "
                + now.atZone(BERLIN) + " groups " + who.groups());
        assertFalse(rig.lockdown, "granted during lockdown");

        List<Recognition> evidence = evidence(track, now, cfg);
        assertTrue(cfg.minFrames() >= 2);
        assertFalse(evidence.isEmpty(), "granted without a good frame");
        // short of min_frames good frames, the newest frame alone concluded, at the stricter single-frame bar
        boolean alone = evidence.size() < cfg.minFrames();
        if (alone) {
            evidence = evidence.subList(evidence.size() - 1, evidence.size());
            threshold = rig.rule.singleFrameThreshold(rig.faces.gallery.searchedTemplates());
        }
        Best best = search(evidence);
        // a tie within the int8 search's rounding (a frame halfway between two people) may name either
        assertTrue(best.personId().equals(p) || best.margin() < TOLERANCE, "the judged good frames name someone"
                + " else: " + best + (alone ? " (one frame alone)" : " (" + evidence.size() + " fused)"));
        assertTrue(best.score() >= threshold - TOLERANCE, (alone ? "single-frame" : "fused") + " score "
                + best.score() + " below " + threshold);
        assertTrue(best.margin() >= cfg.minMargin() - TOLERANCE, "margin " + best.margin());
        assertEquals(best.score(), d.score(), 0.01, "reported score");

        if (cfg.livenessEnabled()) {
            assertFalse(spoofTrack, "granted a face whose every frame failed liveness");
            // frames without a score (NaN) do not count; a track with none is never granted
            double mean = evidence.stream().mapToDouble(Recognition::liveness).filter(Double::isFinite).average()
                    .orElseThrow(() -> new AssertionError("granted without any live probability"));
            assertTrue(mean >= cfg.livenessThreshold(), "fused frames' liveness " + mean);
            assertEquals(mean, d.liveness(), 1e-9, "reported liveness");
        }
    }

    private static void checkDenial(Decision d, Instant now, AccessConfig cfg, AccessRig rig, List<Frame> track,
                                    double threshold) {
        PersonAccess who = d.personId() == null ? null : rig.people.get(d.personId());
        List<Recognition> evidence = evidence(track, now, cfg);
        switch (d.reason()) {
            case SPOOF_SUSPECTED -> assertTrue(cfg.livenessEnabled());
            case PERSON_DISABLED -> assertFalse(who.enabled());
            case NOT_YET_VALID -> assertTrue(now.isBefore(who.validFrom()));
            case EXPIRED -> assertFalse(now.isBefore(who.validUntil()));
            case OUTSIDE_SCHEDULE -> assertFalse(inSchedule(who.groups(), now, cfg.defaultAlways()));
            case LOCKDOWN -> assertTrue(rig.lockdown);
            case UNKNOWN_FACE -> {
                assertNull(who, "UNKNOWN_FACE for an enrolled person");
                if (d.personId() == null) {
                    assertEquals(cfg.maxFrames(), evidence.size(), "UNKNOWN_FACE before the window was full");
                    assertTrue(search(evidence).score() < threshold + TOLERANCE, "a match reported as unknown");
                }
            }
            case LOW_MARGIN -> {
                assertNotNull(d.personId());
                assertEquals(cfg.maxFrames(), evidence.size(), "LOW_MARGIN before the window was full");
                Best best = search(evidence);
                assertTrue(best.score() >= threshold - TOLERANCE && best.margin() < cfg.minMargin() + TOLERANCE,
                        best.toString());
            }
            case GALLERY_DEGRADED -> assertTrue(rig.unvouched.contains(d.personId()), "degraded for " + d.personId());
            case POOR_QUALITY -> {
                assertNull(d.personId());
                assertTrue(track.stream().noneMatch(Frame::good), "POOR_QUALITY on a track with a good frame");
                assertTrue(track.size() >= cfg.maxFrames());
            }
        }
    }

    /** Independent oracle of the test schedule: day = Mon-Fri 08-18, night = daily 22-06 (into the next day). */
    private static boolean inSchedule(Set<String> groups, Instant t, boolean defaultAlways) {
        ZonedDateTime z = t.atZone(BERLIN);
        LocalTime lt = z.toLocalTime();
        DayOfWeek day = z.getDayOfWeek();
        boolean scheduled = false;
        if (groups.contains("day")) {
            scheduled = true;
            if (day.getValue() <= 5 && lt.getHour() >= 8 && lt.getHour() < 18) {
                return true;
            }
        }
        if (groups.contains("night")) {
            scheduled = true;
            if (lt.getHour() >= 22 || lt.getHour() < 6) {
                return true;
            }
        }
        return !scheduled && defaultAlways;
    }

    /** Often a few seconds before a schedule boundary, sometimes on a daylight-saving day. */
    private static Instant randomStart(Random rnd) {
        int choice = rnd.nextInt(10);
        if (choice < 2) {
            String[] dstDays = {"2025-03-30", "2025-10-26"};
            String day = dstDays[rnd.nextInt(2)];
            return ZonedDateTime.parse(day + "T00:00:00+01:00[Europe/Berlin]").toInstant()
                    .plusSeconds(rnd.nextInt(6 * 3600));
        }
        ZonedDateTime base = ZonedDateTime.of(2025, 1, 1, 0, 0, 0, 0, BERLIN).plusDays(rnd.nextInt(365));
        if (choice < 6) {
            int[] hours = {6, 8, 18, 22, 0};
            return base.withHour(hours[rnd.nextInt(hours.length)]).toInstant().minusSeconds(rnd.nextInt(15));
        }
        return base.toInstant().plusSeconds(rnd.nextInt(86400));
    }

    private static Instant randomBound(Random rnd, Instant start) {
        return switch (rnd.nextInt(6)) {
            case 0, 1, 2, 3 -> null;
            case 4 -> start.plus(Duration.ofMillis(rnd.nextInt(20_000) - 5000));
            default -> start.plus(Duration.ofHours(rnd.nextInt(48) - 24));
        };
    }
}
