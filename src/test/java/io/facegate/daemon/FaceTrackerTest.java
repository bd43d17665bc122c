package io.facegate.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facegate.config.PipelineConfig;
import io.facegate.vision.BoundingBox;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaceTrackerTest {

    /** min face 40 px, IoU >= 0.3, expire after 1000 ms, embed every 250 ms. */
    private final FaceTracker tracker = new FaceTracker(40, 0.3, 1000, 250);

    private static BoundingBox box(float x, float y, float size) {
        return new BoundingBox(x, y, x + size, y + size);
    }

    @Test
    void aFaceMovingSlowlyKeepsItsTrackAndIsEmbeddedAtTheInterval() {
        List<Boolean> due = new java.util.ArrayList<>();
        long id = -1;
        for (int frame = 0; frame < 16; frame++) { // 15 fps for ~1 s, drifting 3 px per frame
            long t = frame * 66L;
            var u = tracker.update(List.of(box(100 + 3 * frame, 80, 120)), t);
            assertEquals(1, u.faces().size());
            var f = u.faces().get(0);
            if (frame == 0) {
                id = f.trackId();
                assertTrue(f.isNew());
                tracker.settle(id);     // the policy decided on the first frame: slow down from here
            } else {
                assertEquals(id, f.trackId(), "same person, same track at frame " + frame);
                assertFalse(f.isNew());
            }
            due.add(f.embedDue());
        }
        // due at 0 ms, then the first frame at least 250 ms later: 264, 528, 792 ms
        List<Integer> dueFrames = new java.util.ArrayList<>();
        for (int i = 0; i < due.size(); i++) {
            if (due.get(i)) {
                dueFrames.add(i);
            }
        }
        assertEquals(List.of(0, 4, 8, 12), dueFrames);
        assertEquals(1, tracker.activeTracks());
    }

    @Test
    void twoFacesKeepTheirOwnTracksWhateverTheDetectionOrder() {
        var u1 = tracker.update(List.of(box(50, 50, 100), box(400, 60, 90)), 0);
        long left = u1.faces().get(0).trackId();
        long right = u1.faces().get(1).trackId();
        assertNotEquals(left, right);
        var u2 = tracker.update(List.of(box(405, 62, 90), box(55, 50, 100)), 66); // the detector swapped the order
        assertEquals(right, u2.faces().get(0).trackId());
        assertEquals(0, u2.faces().get(0).inputIndex());
        assertEquals(left, u2.faces().get(1).trackId());
        assertEquals(1, u2.faces().get(1).inputIndex());
    }

    @Test
    void greedyMatchingGivesEachTrackItsBestBoxAndNeverTwoBoxesOneTrack() {
        long a = tracker.update(List.of(box(100, 100, 100)), 0).faces().get(0).trackId();
        // two boxes overlap the old one; the better overlap continues the track, the other starts a new one
        var u = tracker.update(List.of(box(140, 100, 100), box(105, 100, 100)), 50);
        assertEquals(a, u.faces().get(1).trackId(), "IoU 0.9 beats IoU 0.43");
        assertTrue(u.faces().get(0).isNew());
        assertNotEquals(a, u.faces().get(0).trackId());
    }

    @Test
    void smallFacesAreIgnoredAndTheirIndexSkipped() {
        var u = tracker.update(List.of(box(0, 0, 20), box(200, 200, 64), box(500, 0, 39.9f)), 0);
        assertEquals(1, u.faces().size());
        assertEquals(1, u.faces().get(0).inputIndex());
        assertEquals(1, tracker.activeTracks());
    }

    @Test
    void tracksExpireAfterTheGapAndIdsAreNeverReused() {
        long first = tracker.update(List.of(box(100, 100, 100)), 0).faces().get(0).trackId();
        assertTrue(tracker.update(List.of(), 900).ended().isEmpty(), "a short gap (a missed detection) is bridged");
        var back = tracker.update(List.of(box(102, 100, 100)), 1000);
        assertEquals(first, back.faces().get(0).trackId(), "back within 1000 ms of the last sighting");
        var gone = tracker.update(List.of(), 2001);
        assertEquals(List.of(first), gone.ended());
        assertEquals(0, tracker.activeTracks());
        var again = tracker.update(List.of(box(102, 100, 100)), 2100);
        assertTrue(again.faces().get(0).isNew(), "after expiry the same place is a new track");
        assertTrue(again.faces().get(0).trackId() > first);
        assertTrue(again.faces().get(0).embedDue());
    }

    @Test
    void retryEmbedMakesATrackDueOnTheNextFrame() {
        long id = tracker.update(List.of(box(100, 100, 100)), 0).faces().get(0).trackId();
        tracker.settle(id);
        assertFalse(tracker.update(List.of(box(100, 100, 100)), 66).faces().get(0).embedDue());
        tracker.retryEmbed(id);
        var f = tracker.update(List.of(box(100, 100, 100)), 132).faces().get(0);
        assertTrue(f.embedDue());
        assertEquals(2, f.embedCount());
        assertEquals(132, f.ageMs());
    }

    @Test
    void anUndecidedTrackIsEmbeddedOnEveryFrameUntilSettled() {
        long id = -1;
        for (int frame = 0; frame < 4; frame++) {
            var f = tracker.update(List.of(box(100, 100, 100)), frame * 33L).faces().get(0);
            id = f.trackId();
            assertTrue(f.embedDue(), "frame " + frame + ": the vote needs consecutive frames");
        }
        tracker.settle(id);
        assertFalse(tracker.update(List.of(box(100, 100, 100)), 4 * 33L).faces().get(0).embedDue());
        assertTrue(tracker.update(List.of(box(100, 100, 100)), 99 + 250).faces().get(0).embedDue());
    }

    @Test
    void restartGivesTheSamePlaceANewUnsettledTrack() {
        long id = tracker.update(List.of(box(100, 100, 100)), 0).faces().get(0).trackId();
        tracker.settle(id);
        long fresh = tracker.restart(id);
        assertTrue(fresh > id);
        var f = tracker.update(List.of(box(102, 100, 100)), 33).faces().get(0);
        assertEquals(fresh, f.trackId(), "the box continues under the new id");
        assertTrue(f.embedDue(), "a restarted track is undecided again");
        assertEquals(1, tracker.activeTracks());
        assertEquals(12345, tracker.restart(12345), "an unknown track is left alone");
    }

    @Test
    void clearEndsEveryTrack() {
        tracker.update(List.of(box(0, 0, 100), box(300, 0, 100)), 0);
        assertEquals(List.of(1L, 2L), tracker.clear());
        assertEquals(0, tracker.activeTracks());
    }

    @Test
    void zeroIntervalEmbedsEveryFrameAndConfigIsHonoured() {
        var every = new FaceTracker(new PipelineConfig(10, 0, 0.5, 500, 16, null));
        for (int i = 0; i < 3; i++) {
            assertTrue(every.update(List.of(box(0, 0, 50)), i * 10L).faces().get(0).embedDue());
        }
        assertThrows(IllegalArgumentException.class, () -> new FaceTracker(0, 0.3, 1000, 250));
    }
}
