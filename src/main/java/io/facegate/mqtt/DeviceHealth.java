package io.facegate.mqtt;

import java.util.Map;

/**
 * What the daemon knows about its own health, sampled every {@code mqtt.health_interval_seconds}; the MQTT layer
 * adds uptime, gallery state and outbox depth before publishing.
 *
 * @param state          {@code ok}, or the worst current problem: {@code failed} (the pipeline gave up, the daemon
 *                       exits), {@code camera_lost}, {@code pipeline_error} (frames failing), {@code outbox_error}
 *                       (events cannot be stored), {@code starting}
 * @param fps            frames processed per second, recent average
 * @param stageLatencyMs per-stage latency (e.g. detect, embed, match), recent median in milliseconds
 * @param provider       the inference provider in use (e.g. CPU, CUDA)
 * @param lastError      the error behind {@code state}, else the last error worth an operator's attention, or null
 * @param doorFault      why the door is in fault (relay not driven or not read back as commanded; it refuses every
 *                       unlock until the relay reads back locked), or null
 * @param galleryState   "ok", or "degraded" when the gallery cannot vouch for everyone (lastError says why); null
 *                       when unknown
 * @param access         the decision rule for the gallery's size: threshold, expected FPIR and FNIR, and the
 *                       capacity warning when there is one; null when not known yet
 */
public record DeviceHealth(String state, double fps, Map<String, Double> stageLatencyMs, String provider,
                           String lastError, String doorFault, String galleryState, String access) {
    public static final String OK = "ok";
    public static final String STARTING = "starting";
    public static final String FAILED = "failed";
    public static final String DOOR_FAULT = "door_fault";
    public static final String CAMERA_LOST = "camera_lost";
    public static final String PIPELINE_ERROR = "pipeline_error";
    public static final String GALLERY_DEGRADED = "gallery_degraded";
    public static final String OUTBOX_ERROR = "outbox_error";

    public DeviceHealth {
        stageLatencyMs = stageLatencyMs == null ? Map.of() : Map.copyOf(stageLatencyMs);
    }

    public static DeviceHealth unknown() {
        return new DeviceHealth(STARTING, 0, Map.of(), "unknown", null, null, null, null);
    }
}
