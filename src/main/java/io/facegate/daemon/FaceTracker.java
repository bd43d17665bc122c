package io.facegate.daemon;

import io.facegate.config.PipelineConfig;
import io.facegate.vision.BoundingBox;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows faces from frame to frame so that a person standing at the door is one track, not a new face on
 * every frame. Boxes are associated greedily by overlap (IoU, best pairs first; a door sees a handful of
 * faces, so the optimal assignment would change nothing). A track that is not seen for
 * {@code expireMs} ends. Until a track is {@link #settle settled} (the access policy has decided about it) it is
 * due for embedding on every frame, so the vote concludes as soon as possible; after that at most every
 * {@code embedIntervalMs}, a few times a second, to notice when somebody else takes its place
 * ({@link #restart}). Faces narrower than {@code minFacePx} are ignored.
 *
 * <p>Not thread-safe: used by the processing thread only. Times are monotonic milliseconds (e.g.
 * {@code System.nanoTime() / 1_000_000}), never wall-clock time, which can jump.
 */
public final class FaceTracker {

    /**
     * One face of the current frame.
     *
     * @param trackId    stable id of the person's track, from 1, never reused
     * @param box        the box in this frame
     * @param inputIndex index of this box in the list given to {@link #update}
     * @param isNew      the track started with this frame
     * @param embedDue   embed (and recognise) this face now; the tracker counts it as done
     * @param embedCount times this track has been due for embedding, including now
     * @param ageMs      time since the track started
     */
    public record TrackedFace(long trackId, BoundingBox box, int inputIndex, boolean isNew, boolean embedDue,
                              int embedCount, long ageMs) {
    }

    /**
     * The result of one frame.
     *
     * @param faces the considered faces (wide enough) in input order
     * @param ended tracks that ended (not seen for too long): forget their votes and state
     */
    public record Update(List<TrackedFace> faces, List<Long> ended) {
    }

    private static final class Track {
        final long id;
        final long startMs;
        BoundingBox box;
        long lastSeenMs;
        long lastEmbedMs;
        boolean embedPending = true;
        boolean settled;
        int embedCount;

        Track(long id, BoundingBox box, long now) {
            this.id = id;
            this.box = box;
            this.startMs = now;
            this.lastSeenMs = now;
        }
    }

    private record Pair(Track track, int box, float iou) {
    }

    private final int minFacePx;
    private final double iouMin;
    private final long expireMs;
    private final long embedIntervalMs;
    private final Map<Long, Track> tracks = new LinkedHashMap<>();
    private long nextId = 1;

    public FaceTracker(PipelineConfig config) {
        this(config.minFacePx(), config.trackIouMin(), config.trackExpireMs(), config.embedIntervalMs());
    }

    public FaceTracker(int minFacePx, double iouMin, long expireMs, long embedIntervalMs) {
        if (minFacePx < 1 || !(iouMin > 0 && iouMin <= 1) || expireMs <= 0 || embedIntervalMs < 0) {
            throw new IllegalArgumentException("bad tracker settings: min_face_px=" + minFacePx + " iou_min=" + iouMin
                    + " expire_ms=" + expireMs + " embed_interval_ms=" + embedIntervalMs);
        }
        this.minFacePx = minFacePx;
        this.iouMin = iouMin;
        this.expireMs = expireMs;
        this.embedIntervalMs = embedIntervalMs;
    }

    /** Associates this frame's detections with the tracks; see {@link Update}. */
    public Update update(List<BoundingBox> boxes, long nowMs) {
        List<Long> ended = expire(nowMs);

        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < boxes.size(); i++) {
            if (boxes.get(i).width() >= minFacePx) {
                candidates.add(i);
            }
        }

        List<Pair> pairs = new ArrayList<>();
        for (Track t : tracks.values()) {
            for (int i : candidates) {
                float iou = t.box.iou(boxes.get(i));
                if (iou >= iouMin) {
                    pairs.add(new Pair(t, i, iou));
                }
            }
        }
        // best overlaps first; ties broken by older track, then earlier box, so results are reproducible
        pairs.sort(Comparator.comparingDouble((Pair p) -> -p.iou)
                .thenComparingLong(p -> p.track.id).thenComparingInt(p -> p.box));

        Track[] assigned = new Track[boxes.size()];
        List<Track> matched = new ArrayList<>();
        for (Pair p : pairs) {
            if (assigned[p.box] == null && !matched.contains(p.track)) {
                assigned[p.box] = p.track;
                matched.add(p.track);
            }
        }

        List<TrackedFace> faces = new ArrayList<>(candidates.size());
        for (int i : candidates) {
            Track t = assigned[i];
            boolean isNew = t == null;
            if (isNew) {
                t = new Track(nextId++, boxes.get(i), nowMs);
                tracks.put(t.id, t);
            }
            t.box = boxes.get(i);
            t.lastSeenMs = nowMs;
            boolean due = t.embedPending || !t.settled || nowMs - t.lastEmbedMs >= embedIntervalMs;
            if (due) {
                t.embedPending = false;
                t.lastEmbedMs = nowMs;
                t.embedCount++;
            }
            faces.add(new TrackedFace(t.id, t.box, i, isNew, due, t.embedCount, nowMs - t.startMs));
        }
        return new Update(Collections.unmodifiableList(faces), Collections.unmodifiableList(ended));
    }

    /** The embedding for this track failed (e.g. a blurred face): make it due again on the next frame. */
    public void retryEmbed(long trackId) {
        Track t = tracks.get(trackId);
        if (t != null) {
            t.embedPending = true;
        }
    }

    /** The policy has decided about this track: from now on embed it only every {@code embedIntervalMs}. */
    public void settle(long trackId) {
        Track t = tracks.get(trackId);
        if (t != null) {
            t.settled = true;
        }
    }

    /**
     * Another face has taken over this track (the same place, a different person): the track continues under a new
     * id, unsettled, and the old id is gone. Returns the new id, or the same id when the track is unknown.
     */
    public long restart(long trackId) {
        Track old = tracks.remove(trackId);
        if (old == null) {
            return trackId;
        }
        Track t = new Track(nextId++, old.box, old.lastSeenMs);
        t.lastEmbedMs = old.lastEmbedMs;
        t.embedPending = false;
        t.embedCount = 1;
        tracks.put(t.id, t);
        return t.id;
    }

    /** Ends every track (the camera was lost: whoever stood there may be gone); returns their ids. */
    public List<Long> clear() {
        List<Long> ids = new ArrayList<>(tracks.keySet());
        tracks.clear();
        return ids;
    }

    /** Tracks alive now. */
    public int activeTracks() {
        return tracks.size();
    }

    private List<Long> expire(long nowMs) {
        List<Long> ended = new ArrayList<>();
        for (Iterator<Track> it = tracks.values().iterator(); it.hasNext(); ) {
            Track t = it.next();
            if (nowMs - t.lastSeenMs > expireMs) {
                ended.add(t.id);
                it.remove();
            }
        }
        return ended;
    }
}
