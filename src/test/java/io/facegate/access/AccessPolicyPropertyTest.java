package io.facegate.access;

import io.facegate.config.AccessConfig;
import io.facegate.door.ManualTime;
import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
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
 * Random sequences of recognitions (seeded, thousands of them) against an independent oracle. Whatever the
 * sequence, a grant is never given to a person who is unknown, disabled, not yet valid, expired or outside their
 * schedule, never during lockdown, never from fewer than vote_k agreeing frames within the window among the last
 * vote_n, never when liveness is on and the voting frames' liveness cannot reach the threshold, never twice on one
 * track, and never twice to one person within the cooldown while the door is open.
 */
class AccessPolicyPropertyTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final String[] PEOPLE = {"p0", "p1", "p2", "p3", "p4", "p5", "ghost"};
    private static final int SEQUENCES = 4000;

    private record Frame(Recognition r, boolean lockdown) {
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

    private Result runOne(Random rnd) {
        int k = 2 + rnd.nextInt(3);
        int n = k + rnd.nextInt(k); // keeps 2k > n
        long windowMs = 400 + rnd.nextInt(2600);
        boolean liveOn = rnd.nextInt(4) != 0;
        double liveThr = 0.3 + rnd.nextDouble() * 0.4;
        double minMargin = rnd.nextDouble() * 0.1;
        double minFace = rnd.nextBoolean() ? 0 : 60;
        long cooldownMs = rnd.nextInt(6000);
        boolean defaultAlways = rnd.nextBoolean();
        String yaml = "vote_k: " + k + "\nvote_n: " + n + "\nvote_window_ms: " + windowMs
                + "\nliveness_enabled: " + liveOn + "\nliveness_threshold: " + liveThr
                + "\nmin_margin: " + minMargin + "\nmin_face_px: " + minFace + "\ncooldown_ms: " + cooldownMs
                + "\nunknown_event_interval_ms: " + rnd.nextInt(3000) + "\ntrack_timeout_ms: 600000"
                + "\ntime_zone: Europe/Berlin\ndefault_schedule: " + (defaultAlways ? "always" : "never")
                + "\nschedules:\n  day:\n    - {days: [MON, TUE, WED, THU, FRI], from: \"08:00\", to: \"18:00\"}"
                + "\n  night:\n    - {days: [MON, TUE, WED, THU, FRI, SAT, SUN], from: \"22:00\", to: \"06:00\"}\n";
        AccessConfig cfg = AccessRig.parse(yaml);

        Instant start = randomStart(rnd);
        ManualTime time = new ManualTime(start);
        AccessRig rig = new AccessRig(cfg, time);
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
        for (int t = 0; t < tracks; t++) {
            spoofTrack[t] = rnd.nextInt(4) == 0;
            favourite[t] = PEOPLE[rnd.nextInt(PEOPLE.length)];
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
            String person = rnd.nextInt(6) != 0 ? favourite[t] : rnd.nextInt(3) == 0 ? null
                    : PEOPLE[rnd.nextInt(PEOPLE.length)];
            double margin = rnd.nextInt(6) == 0 ? rnd.nextDouble() * minMargin : minMargin + rnd.nextDouble() * 0.3;
            if (rnd.nextInt(40) == 0) {
                margin = Double.NaN;
            }
            double live = spoofTrack[t] ? rnd.nextDouble() * liveThr * 0.999
                    : rnd.nextInt(30) == 0 ? Double.NaN : rnd.nextInt(6) == 0 ? rnd.nextDouble()
                    : 0.6 + 0.4 * rnd.nextDouble();
            double face = rnd.nextInt(8) == 0 ? rnd.nextDouble() * 60 : 60 + rnd.nextDouble() * 200;
            Recognition r = new Recognition(t, person, 0.3 + rnd.nextDouble() * 0.6, margin, live, face,
                    time.instant());
            seen.computeIfAbsent((long) t, x -> new ArrayList<>()).add(new Frame(r, rig.lockdown));

            Optional<Decision> out = rig.policy.offer(r);

            if (out.isPresent()) {
                Decision d = out.get();
                Instant now = time.instant();
                assertEquals(now, d.time());
                assertEquals(t, d.trackId());
                if (d.granted()) {
                    grants++;
                    checkGrant(d, now, cfg, rig, seen.get((long) t), spoofTrack[t]);
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
                    checkDenial(d, now, cfg, rig);
                }
            }
            time.advanceMillis(rnd.nextInt(5) == 0 ? rnd.nextInt(3000) : rnd.nextInt(300));
        }
        return new Result(grants, frames, reasons);
    }

    private static void checkGrant(Decision d, Instant now, AccessConfig cfg, AccessRig rig, List<Frame> frames,
                                   boolean spoofTrack) {
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

        // the policy's window is a subset of: the last vote_n accepted frames within vote_window_ms of now
        List<Recognition> accepted = frames.stream().map(Frame::r)
                .filter(r -> r.faceSizePx() >= cfg.minFacePx()).toList();
        List<Recognition> lastN = accepted.subList(Math.max(0, accepted.size() - cfg.voteN()), accepted.size());
        List<Recognition> agreeing = lastN.stream()
                .filter(r -> !r.time().isBefore(now.minusMillis(cfg.voteWindowMs())))
                .filter(r -> p.equals(r.personId()) && r.margin() >= cfg.minMargin())
                .toList();
        assertTrue(agreeing.size() >= cfg.voteK(), "granted on " + agreeing.size() + " agreeing frames, k="
                + cfg.voteK());
        assertTrue(cfg.voteK() >= 2);

        if (cfg.livenessEnabled()) {
            assertFalse(spoofTrack, "granted a face whose every frame failed liveness");
            assertTrue(d.liveness() >= cfg.livenessThreshold(), "reported liveness below threshold");
            // the best any k of the agreeing frames could average
            double bestMean = agreeing.stream().map(Recognition::liveness)
                    .filter(v -> !Double.isNaN(v))
                    .sorted(Comparator.reverseOrder()).limit(cfg.voteK())
                    .mapToDouble(Double::doubleValue).sum() / cfg.voteK();
            assertTrue(bestMean >= cfg.livenessThreshold() - 1e-12, "liveness of the votes cannot pass");
        }
    }

    private static void checkDenial(Decision d, Instant now, AccessConfig cfg, AccessRig rig) {
        PersonAccess who = d.personId() == null ? null : rig.people.get(d.personId());
        switch (d.reason()) {
            case SPOOF_SUSPECTED -> assertTrue(cfg.livenessEnabled());
            case PERSON_DISABLED -> assertFalse(who.enabled());
            case NOT_YET_VALID -> assertTrue(now.isBefore(who.validFrom()));
            case EXPIRED -> assertFalse(now.isBefore(who.validUntil()));
            case OUTSIDE_SCHEDULE -> assertFalse(inSchedule(who.groups(), now, cfg.defaultAlways()));
            case LOCKDOWN -> assertTrue(rig.lockdown);
            case UNKNOWN_FACE -> assertTrue(who == null, "UNKNOWN_FACE for an enrolled person");
            case LOW_MARGIN -> assertNotNull(d.personId());
            case GALLERY_DEGRADED -> assertTrue(rig.unvouched.contains(d.personId()), "degraded for " + d.personId());
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
