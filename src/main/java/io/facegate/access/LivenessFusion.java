package io.facegate.access;

import io.facegate.config.AccessConfig;
import io.facegate.vision.Planarity;

import java.util.ArrayList;
import java.util.List;

/**
 * The presentation-attack evidence of a track's fused frames, judged on a match: the mean live probability of the
 * frames that have one (the daemon may score only some frames; none at all fails closed), AND the planarity of the
 * landmarks' motion across the frames (a photo or a screen moves as a plane; a track that moved too little
 * abstains, and then the per-frame score decides alone).
 */
final class LivenessFusion {
    /**
     * @param live         whether the track passes
     * @param meanLiveness mean over the frames with a score; NaN when none has one
     * @param scored       frames with a score
     * @param planarity    the planarity verdict (ABSTAIN when off)
     * @param why          why it fails, for the log; null when it passes
     */
    record Verdict(boolean live, double meanLiveness, int scored, Planarity.Result planarity, String why) {
    }

    private final AccessConfig cfg;
    private final Planarity planarity;

    LivenessFusion(AccessConfig cfg) {
        this.cfg = cfg;
        this.planarity = new Planarity(cfg.planarityMinMotion(), cfg.planarityThreshold());
    }

    Verdict judge(List<Recognition> frames) {
        double mean = meanLiveness(frames);
        int scored = scored(frames);
        Planarity.Result plane = cfg.planarityEnabled()
                ? planarity.judge(landmarks(frames))
                : new Planarity.Result(Planarity.Verdict.ABSTAIN, Double.NaN, Double.NaN);
        String why = null;
        if (scored == 0) {
            why = "no frame has a live probability";
        } else if (!(mean >= cfg.livenessThreshold())) {
            why = String.format(java.util.Locale.ROOT, "mean live probability %.3f < %.3f over %d frame(s)", mean,
                    cfg.livenessThreshold(), scored);
        } else if (plane.verdict() == Planarity.Verdict.PLANAR) {
            why = String.format(java.util.Locale.ROOT, "the face moved as a plane (a homography leaves %.2f of its"
                    + " out-of-plane motion %.3f unexplained, < %.2f)", plane.unexplained(), plane.motion(),
                    cfg.planarityThreshold());
        }
        return new Verdict(why == null, mean, scored, plane, why);
    }

    /** The mean live probability of the frames that have one; NaN when none has. */
    static double meanLiveness(List<Recognition> frames) {
        double sum = 0;
        int n = 0;
        for (Recognition r : frames) {
            if (Double.isFinite(r.liveness())) {
                sum += r.liveness();
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static int scored(List<Recognition> frames) {
        int n = 0;
        for (Recognition r : frames) {
            if (Double.isFinite(r.liveness())) {
                n++;
            }
        }
        return n;
    }

    private static List<float[]> landmarks(List<Recognition> frames) {
        List<float[]> out = new ArrayList<>(frames.size());
        for (Recognition r : frames) {
            out.add(r.landmarks());
        }
        return out;
    }
}
