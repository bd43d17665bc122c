package io.facegate.mqtt;

import java.util.Map;

/**
 * What the daemon knows about its own health, sampled every {@code mqtt.health_interval_seconds}; the MQTT layer
 * adds uptime, gallery state and outbox depth before publishing.
 *
 * @param fps            frames processed per second, recent average
 * @param stageLatencyMs per-stage latency (e.g. detect, embed, match), recent median in milliseconds
 * @param provider       the inference provider in use (e.g. CPU, CUDA)
 * @param lastError      the last error worth an operator's attention, or null
 * @param doorFault      why the door is in fault (relay not driven or not read back as commanded; it refuses every
 *                       unlock until the relay reads back locked), or null
 * @param galleryState   "ok", or "degraded" when the gallery cannot vouch for everyone (lastError says why); null
 *                       when unknown
 */
public record DeviceHealth(double fps, Map<String, Double> stageLatencyMs, String provider, String lastError,
                           String doorFault, String galleryState) {
    public DeviceHealth {
        stageLatencyMs = stageLatencyMs == null ? Map.of() : Map.copyOf(stageLatencyMs);
    }

    public DeviceHealth(double fps, Map<String, Double> stageLatencyMs, String provider, String lastError) {
        this(fps, stageLatencyMs, provider, lastError, null, null);
    }

    public static DeviceHealth unknown() {
        return new DeviceHealth(0, Map.of(), "unknown", null, null, null);
    }
}
