package io.facegate.config;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static io.facegate.config.ConfigException.require;

/**
 * YAML section {@code access}: when a tracked face opens the door. The decision rule ({@code access.DecisionRule})
 * turns {@code target_fpir} into a threshold for the gallery's size through the model's score calibration; the rest
 * is the policy applied on top of it.
 *
 * @param targetFpir             false matches allowed per stranger visit (false-positive identification rate); the
 *                               threshold rises with the number of enrolled templates so that this holds
 * @param capacityMaxFnir        when the threshold for target_fpir would refuse more than this share of enrolled
 *                               people's tries (from the calibration), a capacity warning says so; the bar is kept
 * @param calibrationFile        the model's score calibration; default {@code calibration.json} in the models folder
 * @param minMargin              the fused probe's best person must beat every other person by this much, else
 *                               LOW_MARGIN
 * @param minFrames              good frames fused before a track is judged by the fused probe (at least 2); before
 *                               that one frame alone concludes only at the stricter single-frame bar
 * @param singleFrameGrant       whether one frame alone may grant at the stricter single-frame bar (default true:
 *                               the fastest unlock); false: every grant waits for min_frames fused frames, which
 *                               gives the planarity check motion to judge before the door opens (docs/liveness.md)
 * @param maxFrames              at most this many of a track's latest good frames are fused; a track is reported as
 *                               unknown only once it has this many
 * @param windowMs               ... all within this many milliseconds of the newest frame
 * @param minEyeDistancePx       quality gate: eye centres at least this far apart (pixels)
 * @param maxYawDegrees          quality gate: head turn left or right at most this many degrees
 * @param maxPitchDegrees        quality gate: head nod up or down at most this many degrees
 * @param minSharpness           quality gate: the aligned face's Laplacian-to-contrast ratio at least this (0: off)
 * @param minNormRatio           quality gate: the embedding's norm before normalisation (the model's own confidence)
 *                               must reach this share of the calibration photos' median norm; 0: off
 * @param livenessEnabled        presentation-attack checks on a match: the mean live probability over the fused
 *                               frames that have one must reach the threshold (none at all fails), and, with
 *                               planarity on, the track must not move as a plane
 * @param livenessThreshold      minimum mean live probability ({@code facegate calibrate liveness} sets it)
 * @param planarityEnabled       with liveness on: a track whose landmarks move as one plane (a photo or a screen)
 *                               is refused as SPOOF_SUSPECTED; a track that moved too little abstains
 * @param planarityThreshold     share of the out-of-plane motion that a homography leaves unexplained below which
 *                               the motion is planar (see {@code vision.Planarity})
 * @param planarityMinMotion     out-of-plane motion (what a similarity leaves unexplained, same unit) a pair of
 *                               frames needs before the planarity check says anything
 * @param captureDir             where {@code admin capture} may save face crops (liveness calibration frames), each
 *                               capture in a sub-folder the admin names; unset (the default): capture is refused
 * @param cooldownMs             the same person is not granted again this soon while the door is still open or
 *                               unlocked (counted, not reported as a decision)
 * @param unknownEventIntervalMs at most one UNKNOWN_FACE denial is reported per interval; the rest are counted
 * @param trackTimeoutMs         a track with no frame for this long is forgotten
 * @param timeZone               zone of the schedules (IANA id such as Europe/Berlin); default: the system zone
 * @param defaultSchedule        {@code never} (the default: fail closed, so that a misspelt group name locks out
 *                               instead of letting in around the clock) or {@code always}: what applies to a person
 *                               none of whose groups has an entry in schedules
 * @param schedules              group name to weekly windows; a person is inside the schedule when any window of
 *                               any of their groups contains the current local time
 */
public record AccessConfig(Double targetFpir, Double capacityMaxFnir, java.nio.file.Path calibrationFile,
                           Double minMargin, Integer minFrames, Boolean singleFrameGrant, Integer maxFrames,
                           Long windowMs,
                           Double minEyeDistancePx, Double maxYawDegrees, Double maxPitchDegrees,
                           Double minSharpness, Double minNormRatio,
                           Boolean livenessEnabled, Double livenessThreshold, Boolean planarityEnabled,
                           Double planarityThreshold, Double planarityMinMotion, java.nio.file.Path captureDir,
                           Long cooldownMs,
                           Long unknownEventIntervalMs, Long trackTimeoutMs, String timeZone, String defaultSchedule,
                           Map<String, List<TimeWindow>> schedules) {

    public static final List<String> DEFAULT_SCHEDULES = List.of("never", "always");
    /** See docs/liveness.md for how these were chosen (synthetic clips: honest about it). */
    public static final double DEFAULT_PLANARITY_THRESHOLD = 0.5;
    public static final double DEFAULT_PLANARITY_MIN_MOTION = 0.04;

    public AccessConfig {
        targetFpir = targetFpir == null ? 1e-4 : targetFpir;
        capacityMaxFnir = capacityMaxFnir == null ? 0.2 : capacityMaxFnir;
        minMargin = minMargin == null ? 0.05 : minMargin;
        minFrames = minFrames == null ? 2 : minFrames;
        singleFrameGrant = singleFrameGrant == null || singleFrameGrant;
        maxFrames = maxFrames == null ? 5 : maxFrames;
        windowMs = windowMs == null ? 1500L : windowMs;
        minEyeDistancePx = minEyeDistancePx == null ? 24.0 : minEyeDistancePx;
        maxYawDegrees = maxYawDegrees == null ? 60.0 : maxYawDegrees;
        maxPitchDegrees = maxPitchDegrees == null ? 50.0 : maxPitchDegrees;
        minSharpness = minSharpness == null ? 0.0 : minSharpness;
        minNormRatio = minNormRatio == null ? 0.6 : minNormRatio;
        livenessEnabled = livenessEnabled == null || livenessEnabled;
        livenessThreshold = livenessThreshold == null ? 0.5 : livenessThreshold;
        planarityEnabled = planarityEnabled == null || planarityEnabled;
        planarityThreshold = planarityThreshold == null ? DEFAULT_PLANARITY_THRESHOLD : planarityThreshold;
        planarityMinMotion = planarityMinMotion == null ? DEFAULT_PLANARITY_MIN_MOTION : planarityMinMotion;
        cooldownMs = cooldownMs == null ? 10_000L : cooldownMs;
        unknownEventIntervalMs = unknownEventIntervalMs == null ? 10_000L : unknownEventIntervalMs;
        trackTimeoutMs = trackTimeoutMs == null ? 3000L : trackTimeoutMs;
        timeZone = timeZone == null ? ZoneId.systemDefault().getId() : timeZone.trim();
        defaultSchedule = defaultSchedule == null ? "never" : defaultSchedule.trim().toLowerCase(Locale.ROOT);
        schedules = schedules == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(schedules));

        // above 1e-2 a busy door lets a stranger in every day; 0 would need an infinite threshold
        require(targetFpir > 0 && targetFpir <= 1e-2, "access.target_fpir", "must be in (0, 0.01]");
        require(capacityMaxFnir > 0 && capacityMaxFnir < 1, "access.capacity_max_fnir", "must be in (0, 1)");
        require(calibrationFile == null || !calibrationFile.toString().isBlank(), "access.calibration_file",
                "must name a file (leave it out for the one beside the models)");
        require(minMargin >= 0 && minMargin <= 2, "access.min_margin", "must be 0..2");
        require(minFrames >= 2, "access.min_frames", "must be >= 2 (one frame alone is judged only at the stricter single-frame bar)");
        require(maxFrames >= minFrames && maxFrames <= 100, "access.max_frames", "must be min_frames..100");
        require(windowMs > 0, "access.window_ms", "must be > 0");
        require(minEyeDistancePx >= 0, "access.min_eye_distance_px", "must be >= 0");
        require(maxYawDegrees > 0 && maxYawDegrees <= 90, "access.max_yaw_degrees", "must be in (0, 90]");
        require(maxPitchDegrees > 0 && maxPitchDegrees <= 90, "access.max_pitch_degrees", "must be in (0, 90]");
        require(minSharpness >= 0, "access.min_sharpness", "must be >= 0");
        require(minNormRatio >= 0 && minNormRatio < 1, "access.min_norm_ratio", "must be in [0, 1) (0: off)");
        require(livenessThreshold >= 0 && livenessThreshold <= 1, "access.liveness_threshold", "must be 0..1");
        require(planarityThreshold > 0 && planarityThreshold < 1, "access.planarity_threshold", "must be in (0, 1)");
        require(planarityMinMotion > 0 && planarityMinMotion < 1, "access.planarity_min_motion", "must be in (0, 1)");
        require(captureDir == null || !captureDir.toString().isBlank(), "access.capture_dir",
                "must name a folder (leave it out to refuse captures)");
        require(cooldownMs >= 0, "access.cooldown_ms", "must be >= 0");
        require(unknownEventIntervalMs >= 0, "access.unknown_event_interval_ms", "must be >= 0");
        require(trackTimeoutMs > 0, "access.track_timeout_ms", "must be > 0");
        try {
            ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw new ConfigException("access.time_zone: unknown zone '" + timeZone + "'", e);
        }
        require(DEFAULT_SCHEDULES.contains(defaultSchedule), "access.default_schedule",
                "must be one of " + DEFAULT_SCHEDULES);
        for (Map.Entry<String, List<TimeWindow>> e : schedules.entrySet()) {
            String key = "access.schedules." + e.getKey();
            require(e.getKey() != null && !e.getKey().isBlank(), "access.schedules", "group names must not be empty");
            require(e.getValue() != null, key, "must be a list of windows (an empty list means never)");
            for (TimeWindow w : e.getValue()) {
                require(w != null, key, "must not contain an empty window");
            }
        }
    }

    public static AccessConfig defaults() {
        return new AccessConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null);
    }

    /** The same configuration with liveness on or off (benchmarks separate recognition from liveness). */
    public AccessConfig withLiveness(boolean on) {
        return new AccessConfig(targetFpir, capacityMaxFnir, calibrationFile, minMargin, minFrames, singleFrameGrant, maxFrames,
                windowMs, minEyeDistancePx, maxYawDegrees, maxPitchDegrees, minSharpness, minNormRatio, on,
                livenessThreshold, planarityEnabled, planarityThreshold, planarityMinMotion, captureDir, cooldownMs,
                unknownEventIntervalMs, trackTimeoutMs, timeZone, defaultSchedule,
                schedules);
    }

    /** The same configuration with another default schedule (the demo and benchmarks open it to everyone). */
    public AccessConfig withDefaultSchedule(String schedule) {
        return new AccessConfig(targetFpir, capacityMaxFnir, calibrationFile, minMargin, minFrames, singleFrameGrant, maxFrames,
                windowMs, minEyeDistancePx, maxYawDegrees, maxPitchDegrees, minSharpness, minNormRatio,
                livenessEnabled, livenessThreshold, planarityEnabled, planarityThreshold, planarityMinMotion,
                captureDir, cooldownMs, unknownEventIntervalMs, trackTimeoutMs, timeZone, schedule, schedules);
    }

    /** The calibration file: the configured one, or {@code calibration.json} in {@code modelsDir}. */
    public java.nio.file.Path calibrationIn(java.nio.file.Path modelsDir) {
        return calibrationFile != null ? calibrationFile : modelsDir.resolve("calibration.json");
    }

    public ZoneId zone() {
        return ZoneId.of(timeZone);
    }

    public boolean defaultAlways() {
        return defaultSchedule.equals("always");
    }

    /**
     * One weekly window, in YAML {@code {days: [MON, TUE], from: "07:00", to: "19:00"}}. {@code to} may be
     * {@code "24:00"} for the end of the day; a window whose {@code to} is earlier than its {@code from} runs past
     * midnight into the next day (it belongs to the day it starts on). from == to means the whole day.
     */
    public record TimeWindow(List<String> days, String from, String to) {
        public TimeWindow {
            require(days != null && !days.isEmpty(), "access.schedules[].days", "must list at least one day");
            require(from != null, "access.schedules[].from", "is required (HH:MM)");
            require(to != null, "access.schedules[].to", "is required (HH:MM, or 24:00)");
            days = List.copyOf(days);
            parseDays(days);
            parseFrom(from);
            parseTo(to);
        }

        public Set<DayOfWeek> daySet() {
            return parseDays(days);
        }

        public LocalTime fromTime() {
            return parseFrom(from);
        }

        /** End of the window; null stands for 24:00 (end of the day). */
        public LocalTime toTime() {
            return parseTo(to);
        }

        private static Set<DayOfWeek> parseDays(List<String> days) {
            EnumSet<DayOfWeek> set = EnumSet.noneOf(DayOfWeek.class);
            for (String d : days) {
                set.add(parseDay(d));
            }
            return set;
        }

        private static LocalTime parseFrom(String from) {
            require(!from.trim().equals("24:00"), "access.schedules[].from", "24:00 is only allowed in 'to'");
            return parseTime(from, "from");
        }

        private static LocalTime parseTo(String to) {
            return to.trim().equals("24:00") ? null : parseTime(to, "to");
        }

        private static LocalTime parseTime(String s, String field) {
            try {
                return LocalTime.parse(s.trim());
            } catch (DateTimeParseException e) {
                throw new ConfigException("access.schedules[]." + field + ": '" + s + "' is not a time (HH:MM)", e);
            }
        }

        private static DayOfWeek parseDay(String d) {
            String s = d == null ? "" : d.trim().toUpperCase(Locale.ROOT);
            for (DayOfWeek day : DayOfWeek.values()) {
                if (day.name().equals(s) || (s.length() == 3 && day.name().startsWith(s))) {
                    return day;
                }
            }
            throw new ConfigException("access.schedules[].days: '" + d + "' is not a day (MON..SUN)");
        }
    }
}
