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
 * YAML section {@code access}: when a tracked face opens the door. The match threshold itself belongs to the
 * gallery matcher (a {@code Recognition} carries a person only when it passed that threshold); everything here is
 * the policy applied on top of it.
 *
 * @param minMargin              a frame votes for its person only when its score beats every other person's by
 *                               this much; frames below it vote for LOW_MARGIN
 * @param voteK                  a verdict needs this many agreeing frames (at least 2: one frame never unlocks) ...
 * @param voteN                  ... among the last voteN frames of the track (2*voteK > voteN, so only one verdict
 *                               can ever win a window)
 * @param voteWindowMs           ... all within this many milliseconds of the newest frame
 * @param livenessEnabled        when on, the mean live probability over the voting frames must reach the threshold
 *                               (a frame without liveness counts as failing)
 * @param livenessThreshold      minimum mean live probability
 * @param minFacePx              frames whose face is narrower than this are not voted on (counted as ignored)
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
public record AccessConfig(Double minMargin, Integer voteK, Integer voteN, Long voteWindowMs, Boolean livenessEnabled,
                           Double livenessThreshold, Double minFacePx, Long cooldownMs, Long unknownEventIntervalMs,
                           Long trackTimeoutMs, String timeZone, String defaultSchedule,
                           Map<String, List<TimeWindow>> schedules) {

    public static final List<String> DEFAULT_SCHEDULES = List.of("never", "always");

    public AccessConfig {
        minMargin = minMargin == null ? 0.05 : minMargin;
        voteK = voteK == null ? 3 : voteK;
        voteN = voteN == null ? 5 : voteN;
        voteWindowMs = voteWindowMs == null ? 1500L : voteWindowMs;
        livenessEnabled = livenessEnabled == null || livenessEnabled;
        livenessThreshold = livenessThreshold == null ? 0.5 : livenessThreshold;
        minFacePx = minFacePx == null ? 40.0 : minFacePx;
        cooldownMs = cooldownMs == null ? 10_000L : cooldownMs;
        unknownEventIntervalMs = unknownEventIntervalMs == null ? 10_000L : unknownEventIntervalMs;
        trackTimeoutMs = trackTimeoutMs == null ? 3000L : trackTimeoutMs;
        timeZone = timeZone == null ? ZoneId.systemDefault().getId() : timeZone.trim();
        defaultSchedule = defaultSchedule == null ? "never" : defaultSchedule.trim().toLowerCase(Locale.ROOT);
        schedules = schedules == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(schedules));

        require(minMargin >= 0 && minMargin <= 2, "access.min_margin", "must be 0..2");
        require(voteK >= 2, "access.vote_k", "must be >= 2 (a single frame must never unlock)");
        require(voteN >= voteK && voteN <= 100, "access.vote_n", "must be vote_k..100");
        require(2 * voteK > voteN, "access.vote_k", "must be more than half of access.vote_n");
        require(voteWindowMs > 0, "access.vote_window_ms", "must be > 0");
        require(livenessThreshold >= 0 && livenessThreshold <= 1, "access.liveness_threshold", "must be 0..1");
        require(minFacePx >= 0, "access.min_face_px", "must be >= 0");
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
        return new AccessConfig(null, null, null, null, null, null, null, null, null, null, null, null, null);
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
