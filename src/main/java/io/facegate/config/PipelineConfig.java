package io.facegate.config;

/**
 * YAML section {@code pipeline}: how faces are followed across frames and how often they are embedded.
 *
 * @param minFacePx        faces narrower than this (pixels) are ignored: too small to recognise reliably
 * @param embedIntervalMs  once the access policy has decided about a track, its face is embedded at most this
 *                         often (enough to notice another face taking the track over); until then every processed
 *                         frame is embedded, so a decision can come after {@code access.min_frames} good frames
 * @param trackSameFaceMin a track whose new embedding has a cosine below this against its previous one is split:
 *                         another person has stepped into the same place, and no frame of theirs may be fused
 *                         with the previous face's
 * @param trackIouMin      least overlap (IoU) for a box to continue a track from the previous frame
 * @param trackExpireMs    a track not seen for this long ends (its votes and state are forgotten)
 * @param metricsWindow    how many recent samples each stage latency percentile is computed over
 * @param giveUpAfterMs    with no frame processed for this long (the camera gone, every frame failing) the daemon
 *                         exits non-zero so that systemd restarts it; below the unit's WatchdogSec (30 s)
 */
public record PipelineConfig(Integer minFacePx, Integer embedIntervalMs, Double trackIouMin,
                             Integer trackExpireMs, Integer metricsWindow, Double trackSameFaceMin,
                             Integer giveUpAfterMs) {
    /** The shape the other callers knew: the give-up time at its default. */
    public PipelineConfig(Integer minFacePx, Integer embedIntervalMs, Double trackIouMin, Integer trackExpireMs,
                          Integer metricsWindow, Double trackSameFaceMin) {
        this(minFacePx, embedIntervalMs, trackIouMin, trackExpireMs, metricsWindow, trackSameFaceMin, null);
    }

    public PipelineConfig {
        if (minFacePx == null) minFacePx = 60;
        if (embedIntervalMs == null) embedIntervalMs = 250;
        if (trackIouMin == null) trackIouMin = 0.3;
        if (trackExpireMs == null) trackExpireMs = 1_000;
        if (metricsWindow == null) metricsWindow = 256;
        if (trackSameFaceMin == null) trackSameFaceMin = 0.5;
        if (giveUpAfterMs == null) giveUpAfterMs = 20_000;
        ConfigException.require(minFacePx >= 1, "pipeline.min_face_px", "must be >= 1");
        ConfigException.require(embedIntervalMs >= 0, "pipeline.embed_interval_ms", "must be >= 0");
        ConfigException.require(trackIouMin > 0 && trackIouMin <= 1, "pipeline.track_iou_min", "must be in (0, 1]");
        ConfigException.require(trackExpireMs > 0, "pipeline.track_expire_ms", "must be > 0");
        ConfigException.require(metricsWindow >= 2 && metricsWindow <= 100_000, "pipeline.metrics_window",
                "must be between 2 and 100000");
        ConfigException.require(trackSameFaceMin >= -1 && trackSameFaceMin < 1, "pipeline.track_same_face_min",
                "must be in [-1, 1)");
        ConfigException.require(giveUpAfterMs >= 1_000 && giveUpAfterMs <= 3_600_000, "pipeline.give_up_after_ms",
                "must be between 1000 and 3600000");
    }

    public static PipelineConfig defaults() {
        return new PipelineConfig(null, null, null, null, null, null, null);
    }
}
