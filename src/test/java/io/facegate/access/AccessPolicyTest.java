package io.facegate.access;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import static io.facegate.access.DenialReason.*;
import static org.junit.jupiter.api.Assertions.*;

/** The decision policy, case by case. Defaults: 3 of 5 frames within 1500 ms, liveness 0.5, margin 0.05. */
class AccessPolicyTest {
    private static final String ALWAYS = "default_schedule: always\ntime_zone: Europe/Berlin\n";

    @Test
    void grantsOnTheKthAgreeingFrameAndNotBefore() {
        AccessRig rig = new AccessRig(ALWAYS).person("alice");
        assertTrue(rig.frame(1, "alice").isEmpty());
        assertTrue(rig.frame(1, "alice").isEmpty());
        Instant third = rig.time.instant();
        Decision d = rig.frame(1, "alice").orElseThrow();
        assertTrue(d.granted());
        assertEquals("alice", d.personId());
        assertEquals("Name alice", d.displayName());
        assertEquals(1, d.trackId());
        assertEquals(third, d.time());
        assertEquals(0.7, d.score(), 1e-9);
        assertEquals(0.9, d.liveness(), 1e-9);
        assertTrue(rig.frames(10, 1, "alice").isEmpty(), "a granted track says nothing more");
        assertEquals(1, rig.policy.stats().granted());
    }

    @Test
    void aSingleGoodFrameNeverUnlocksEvenWithVoteKOfTwo() {
        AccessRig rig = new AccessRig(ALWAYS + "vote_k: 2\nvote_n: 3").person("alice");
        for (long track = 0; track < 50; track++) {
            assertTrue(rig.frame(track, "alice").isEmpty(), "one frame per track");
        }
        assertEquals(0, rig.policy.stats().granted());
    }

    @Test
    void votesMustFallWithinTheWindow() {
        AccessRig rig = new AccessRig(ALWAYS + "vote_window_ms: 1500").person("alice");
        for (int i = 0; i < 10; i++) {
            assertTrue(rig.frame(1, "alice").isEmpty());
            rig.time.advanceMillis(700); // 800 ms apart: at most two frames within 1500 ms
        }
        // the last frame was 800 ms ago: this one makes two within 1500 ms
        assertTrue(rig.frame(1, "alice").isEmpty(), "two frames within the window are not enough");
        assertTrue(rig.frame(1, "alice").orElseThrow().granted(), "three within 1500 ms are");
    }

    @Test
    void kOfNToleratesOtherFramesInBetween() {
        AccessRig rig = new AccessRig(ALWAYS).person("alice");
        assertTrue(rig.frame(1, "alice").isEmpty());
        assertTrue(rig.frame(1, null).isEmpty());
        assertTrue(rig.frame(1, "alice").isEmpty());
        assertTrue(rig.frame(1, "bob").isEmpty());
        assertTrue(rig.frame(1, "alice").orElseThrow().granted());
    }

    @Test
    void onlyTheLastNFramesCount() {
        AccessRig rig = new AccessRig(ALWAYS + "vote_window_ms: 100000").person("alice").person("bob");
        assertTrue(rig.frame(1, "alice").isEmpty());
        assertTrue(rig.frame(1, "alice").isEmpty());
        assertTrue(rig.frame(1, "bob").isEmpty());
        assertTrue(rig.frame(1, null).isEmpty());
        assertTrue(rig.frame(1, "bob", 0.0, 0.9).isEmpty()); // low margin
        assertTrue(rig.frame(1, "bob").isEmpty());
        // three alice frames in total, but only one among the last five
        assertTrue(rig.frame(1, "alice").isEmpty());
    }

    @Test
    void aTrackThatNeverReachesKConcludesNothing() {
        AccessRig rig = new AccessRig(ALWAYS + "vote_window_ms: 100000").person("alice").person("bob");
        for (int i = 0; i < 40; i++) {
            // alternating alice, bob, unknown, alice, bob ...: never 3 of the last 5 for one verdict
            String who = switch (i % 3) { case 0 -> "alice"; case 1 -> "bob"; default -> null; };
            assertTrue(rig.frame(1, who).isEmpty(), "frame " + i);
        }
    }

    @Test
    void lowMarginFramesDenyWithLowMargin() {
        AccessRig rig = new AccessRig(ALWAYS + "min_margin: 0.05").person("alice");
        assertTrue(rig.frame(1, "alice", 0.01, 0.9).isEmpty());
        assertTrue(rig.frame(1, "alice", 0.049, 0.9).isEmpty());
        Decision d = rig.frame(1, "alice", Double.NaN, 0.9).orElseThrow();
        assertEquals(LOW_MARGIN, d.reason());
        assertEquals("alice", d.personId());
        // a later good run on the same track may still be granted
        assertTrue(rig.frames(3, 1, "alice").orElseThrow().granted());
    }

    @Test
    void unknownFacesAreRateLimitedButCounted() {
        AccessRig rig = new AccessRig(ALWAYS + "unknown_event_interval_ms: 10000");
        Decision first = rig.frames(3, 1, null).orElseThrow();
        assertEquals(UNKNOWN_FACE, first.reason());
        assertNull(first.personId());
        assertTrue(rig.frames(9, 1, null).isEmpty(), "the same track is not reported again");
        assertTrue(rig.frames(3, 2, null).isEmpty(), "another unknown track within the interval: counted only");
        assertTrue(rig.frames(3, 3, null).isEmpty());
        AccessStats s = rig.policy.stats();
        assertEquals(3, s.denied(UNKNOWN_FACE));
        assertEquals(2, s.unknownSuppressed());
        rig.time.advanceMillis(10_000);
        assertEquals(UNKNOWN_FACE, rig.frames(3, 4, null).orElseThrow().reason());
    }

    @Test
    void aMatchedPersonMissingFromTheDirectoryIsUnknown() {
        AccessRig rig = new AccessRig(ALWAYS);
        Decision d = rig.frames(3, 1, "ghost").orElseThrow();
        assertEquals(UNKNOWN_FACE, d.reason());
    }

    @Test
    void spoofIsDeniedAndEndsTheTrack() {
        AccessRig rig = new AccessRig(ALWAYS + "liveness_threshold: 0.5").person("alice");
        rig.frame(1, "alice", 0.2, 0.9);
        rig.frame(1, "alice", 0.2, 0.2);
        Decision d = rig.frame(1, "alice", 0.2, 0.3).orElseThrow(); // mean 0.467
        assertEquals(SPOOF_SUSPECTED, d.reason());
        assertEquals(0.4667, d.liveness(), 1e-3);
        for (int i = 0; i < 10; i++) {
            assertTrue(rig.frame(1, "alice", 0.2, 1.0).isEmpty(), "no second try on a spoofed track");
        }
        assertTrue(rig.frames(3, 2, "alice").orElseThrow().granted(), "a new track is judged afresh");
    }

    @Test
    void livenessPassesOnTheMean() {
        AccessRig rig = new AccessRig(ALWAYS + "liveness_threshold: 0.5").person("alice");
        rig.frame(1, "alice", 0.2, 0.3);
        rig.frame(1, "alice", 0.2, 0.6);
        assertTrue(rig.frame(1, "alice", 0.2, 0.6).orElseThrow().granted()); // mean 0.5
    }

    @Test
    void missingLivenessFailsWhenEnabledAndIsIgnoredWhenDisabled() {
        AccessRig on = new AccessRig(ALWAYS).person("alice");
        on.frame(1, "alice", 0.2, Double.NaN);
        on.frame(1, "alice", 0.2, 0.9);
        assertEquals(SPOOF_SUSPECTED, on.frame(1, "alice", 0.2, 0.9).orElseThrow().reason());

        AccessRig off = new AccessRig(ALWAYS + "liveness_enabled: false").person("alice");
        off.frame(1, "alice", 0.2, Double.NaN);
        off.frame(1, "alice", 0.2, 0.0);
        assertTrue(off.frame(1, "alice", 0.2, Double.NaN).orElseThrow().granted());
    }

    @Test
    void disabledPerson() {
        AccessRig rig = new AccessRig(ALWAYS);
        rig.people.put("alice", new PersonAccess("alice", "A", Set.of(), false, null, null));
        assertEquals(PERSON_DISABLED, rig.frames(3, 1, "alice").orElseThrow().reason());
        assertTrue(rig.frames(6, 1, "alice").isEmpty(), "reported once per track");
        assertEquals(1, rig.policy.stats().denied(PERSON_DISABLED));
        assertEquals(0, rig.policy.stats().granted());
    }

    @Test
    void validityDatesAreHalfOpen() {
        AccessRig rig = new AccessRig(ALWAYS);
        Instant from = rig.time.instant().plusSeconds(60);
        Instant until = from.plusSeconds(3600);
        rig.people.put("alice", new PersonAccess("alice", "A", Set.of(), true, from, until));
        assertEquals(NOT_YET_VALID, rig.frames(3, 1, "alice").orElseThrow().reason());
        rig.time.advance(java.time.Duration.between(rig.time.instant(), from).minusMillis(200));
        // frames at from-200 ms, from-100 ms, from: the concluding frame is at 'from' -> valid
        assertTrue(rig.frames(3, 2, "alice").orElseThrow().granted());
        rig.time.advance(java.time.Duration.between(rig.time.instant(), until).minusMillis(200));
        // the concluding frame lands exactly on validUntil: expired
        assertEquals(EXPIRED, rig.frames(3, 3, "alice").orElseThrow().reason());
    }

    @Test
    void outsideScheduleThenInsideOnTheSameTrack() {
        // Monday 2025-01-06 08:00Z = 09:00 in Berlin; staff may enter from 09:00:01
        AccessRig rig = new AccessRig("time_zone: Europe/Berlin\nschedules:\n  staff:\n"
                + "    - {days: [MON], from: \"09:00:01\", to: \"17:00\"}\n").person("alice", "staff");
        assertEquals(OUTSIDE_SCHEDULE, rig.frames(3, 1, "alice").orElseThrow().reason());
        assertTrue(rig.frames(3, 1, "alice").isEmpty(), "still 09:00:00.5: same answer, not repeated");
        rig.time.advanceMillis(400); // the next three frames conclude at 09:00:01.1
        assertTrue(rig.frames(3, 1, "alice").orElseThrow().granted(), "once the window opens");
    }

    @Test
    void lockdownDeniesWhoWouldBeGranted() {
        AccessRig rig = new AccessRig(ALWAYS).person("alice");
        rig.people.put("bob", new PersonAccess("bob", "B", Set.of(), false, null, null));
        rig.lockdown = true;
        assertEquals(LOCKDOWN, rig.frames(3, 1, "alice").orElseThrow().reason());
        assertEquals(PERSON_DISABLED, rig.frames(3, 2, "bob").orElseThrow().reason());
        rig.lockdown = false;
        assertTrue(rig.frames(3, 1, "alice").orElseThrow().granted(), "after lockdown, fresh frames grant");
    }

    @Test
    void cooldownWhileTheDoorIsOpen() {
        AccessRig rig = new AccessRig(ALWAYS + "cooldown_ms: 10000").person("alice");
        assertTrue(rig.frames(3, 1, "alice").orElseThrow().granted());
        rig.doorOpen = true;
        assertTrue(rig.frames(3, 2, "alice").isEmpty(), "new track, same person, door still open");
        assertEquals(1, rig.policy.stats().cooldownSuppressed());
        rig.doorOpen = false;
        assertTrue(rig.frames(3, 2, "alice").orElseThrow().granted(), "door closed and locked: let in again");
        rig.doorOpen = true;
        rig.time.advanceMillis(10_000);
        assertTrue(rig.frames(3, 3, "alice").orElseThrow().granted(), "cooldown over");
    }

    @Test
    void smallFacesAndOutOfOrderFramesAreIgnoredAndCounted() {
        AccessRig rig = new AccessRig(ALWAYS + "min_face_px: 60").person("alice");
        Instant t = rig.time.instant();
        for (int i = 0; i < 5; i++) {
            assertTrue(rig.policy.offer(new Recognition(1, "alice", 0.8, 0.3, 0.9, 59.9, t.plusMillis(i))).isEmpty());
        }
        assertTrue(rig.policy.offer(new Recognition(1, "alice", 0.8, 0.3, 0.9, 80, t.plusMillis(10))).isEmpty());
        assertTrue(rig.policy.offer(new Recognition(1, "alice", 0.8, 0.3, 0.9, 80, t.plusMillis(5))).isEmpty());
        assertTrue(rig.policy.offer(new Recognition(1, "alice", 0.8, 0.3, 0.9, 80, t.plusMillis(20))).isEmpty());
        assertTrue(rig.policy.offer(new Recognition(1, "alice", 0.8, 0.3, 0.9, 80, t.plusMillis(30))).isPresent());
        assertEquals(6, rig.policy.stats().framesIgnored());
    }

    @Test
    void tracksExpireAndCanBeForgotten() {
        AccessRig rig = new AccessRig(ALWAYS + "track_timeout_ms: 3000").person("alice");
        rig.frames(2, 1, "alice");
        rig.policy.forget(1);
        assertTrue(rig.frame(1, "alice").isEmpty(), "forgotten: the two earlier frames are gone");
        rig.frames(2, 2, "alice");
        assertEquals(2, rig.policy.stats().tracks());
        rig.time.advanceMillis(3000);
        rig.policy.expire();
        assertEquals(0, rig.policy.stats().tracks());
    }

    @Test
    void directoryFailureDecidesNothing() {
        io.facegate.config.AccessConfig cfg = AccessRig.parse(ALWAYS);
        io.facegate.door.ManualTime time = new io.facegate.door.ManualTime();
        AccessPolicy p = new AccessPolicy(cfg, id -> {
            throw new IllegalStateException("database is locked");
        }, time, () -> false, () -> false);
        for (int i = 0; i < 5; i++) {
            Optional<Decision> d = p.offer(new Recognition(1, "alice", 0.8, 0.3, 0.9, 100, time.instant()));
            assertTrue(d.isEmpty());
            time.advanceMillis(100);
        }
    }
}
