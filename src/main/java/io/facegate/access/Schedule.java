package io.facegate.access;

import io.facegate.config.AccessConfig;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Weekly access windows per group, in one time zone. An instant is turned into local wall-clock time with the
 * zone's rules of that day, so windows follow daylight-saving changes: "07:00-19:00" means 07:00 to 19:00 on the
 * wall clock in summer and in winter. On the spring-forward day the skipped hour simply does not occur; on the
 * fall-back day the repeated hour is inside a window both times if its wall-clock time is.
 *
 * <p>A person is allowed when any window of any of their groups contains the local time. A person none of whose
 * groups has an entry (including a person with no group) gets {@code access.default_schedule}: never (the
 * default) or always. A group listed with an empty window list is never allowed.
 */
public final class Schedule {
    private record Window(Set<DayOfWeek> days, LocalTime from, LocalTime to) {
        /** to == null: until the end of the day. */
        boolean contains(DayOfWeek day, LocalTime t) {
            if (to != null && from.equals(to)) {
                return days.contains(day); // whole day
            }
            if (to == null || from.isBefore(to)) {
                return days.contains(day) && !t.isBefore(from) && (to == null || t.isBefore(to));
            }
            // runs past midnight: the evening part on its own days, the morning part on the following days
            return (days.contains(day) && !t.isBefore(from)) || (days.contains(day.minus(1)) && t.isBefore(to));
        }
    }

    private final ZoneId zone;
    private final boolean defaultAlways;
    private final Map<String, List<Window>> byGroup;

    public Schedule(ZoneId zone, boolean defaultAlways, Map<String, List<AccessConfig.TimeWindow>> windows) {
        this.zone = Objects.requireNonNull(zone);
        this.defaultAlways = defaultAlways;
        this.byGroup = windows.entrySet().stream().collect(java.util.stream.Collectors.toUnmodifiableMap(
                Map.Entry::getKey,
                e -> e.getValue().stream().map(w -> new Window(w.daySet(), w.fromTime(), w.toTime())).toList()));
    }

    public static Schedule of(AccessConfig c) {
        return new Schedule(c.zone(), c.defaultAlways(), c.schedules());
    }

    public ZoneId zone() {
        return zone;
    }

    /** True when a member of {@code groups} may enter at {@code t}. */
    public boolean allows(Set<String> groups, Instant t) {
        ZonedDateTime local = t.atZone(zone);
        DayOfWeek day = local.getDayOfWeek();
        LocalTime time = local.toLocalTime();
        boolean anyScheduled = false;
        for (String g : groups) {
            List<Window> ws = byGroup.get(g);
            if (ws == null) {
                continue;
            }
            anyScheduled = true;
            for (Window w : ws) {
                if (w.contains(day, time)) {
                    return true;
                }
            }
        }
        return !anyScheduled && defaultAlways;
    }
}
