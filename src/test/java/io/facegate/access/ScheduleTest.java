package io.facegate.access;

import io.facegate.config.AccessConfig;
import io.facegate.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Weekly windows in a zone, across midnight and across both daylight-saving changes. */
class ScheduleTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static Schedule schedule(boolean defaultAlways, Map<String, List<AccessConfig.TimeWindow>> w) {
        return new Schedule(BERLIN, defaultAlways, w);
    }

    private static AccessConfig.TimeWindow w(String from, String to, String... days) {
        return new AccessConfig.TimeWindow(List.of(days), from, to);
    }

    /** Local Berlin wall-clock time to an instant (earlier offset in an overlap). */
    private static Instant at(String local) {
        return LocalDateTime.parse(local).atZone(BERLIN).toInstant();
    }

    @Test
    void officeHoursOnWeekdays() {
        Schedule s = schedule(false, Map.of("staff", List.of(w("07:00", "19:00", "MON", "TUE", "WED", "THU", "FRI"))));
        Set<String> staff = Set.of("staff");
        assertTrue(s.allows(staff, at("2025-01-06T07:00:00")), "Monday 07:00 is inside (from is inclusive)");
        assertTrue(s.allows(staff, at("2025-01-06T18:59:59")));
        assertFalse(s.allows(staff, at("2025-01-06T19:00:00")), "to is exclusive");
        assertFalse(s.allows(staff, at("2025-01-06T06:59:59")));
        assertFalse(s.allows(staff, at("2025-01-11T10:00:00")), "Saturday");
        assertFalse(s.allows(Set.of("visitors"), at("2025-01-06T10:00:00")), "no entry: default never");
        assertFalse(s.allows(Set.of(), at("2025-01-06T10:00:00")), "no group: default never");
        assertTrue(s.allows(Set.of("visitors", "staff"), at("2025-01-06T10:00:00")), "any group suffices");
    }

    @Test
    void defaultAlwaysOnlyForPeopleWithoutAnyScheduledGroup() {
        Schedule s = schedule(true, Map.of("staff", List.of(w("07:00", "19:00", "MON"))));
        assertTrue(s.allows(Set.of("visitors"), at("2025-01-11T03:00:00")));
        assertTrue(s.allows(Set.of(), at("2025-01-11T03:00:00")));
        assertFalse(s.allows(Set.of("staff", "visitors"), at("2025-01-11T03:00:00")),
                "a scheduled group restricts even if another group has no entry");
    }

    @Test
    void emptyWindowListMeansNever() {
        Schedule s = schedule(true, Map.of("banned", List.of()));
        assertFalse(s.allows(Set.of("banned"), at("2025-01-06T10:00:00")));
    }

    @Test
    void nightShiftRunsPastMidnightIntoTheNextDay() {
        Schedule s = schedule(false, Map.of("night", List.of(w("22:00", "06:00", "FRI"))));
        Set<String> night = Set.of("night");
        assertTrue(s.allows(night, at("2025-01-10T22:00:00")), "Friday 22:00");
        assertTrue(s.allows(night, at("2025-01-11T05:59:59")), "Saturday early morning belongs to Friday's shift");
        assertFalse(s.allows(night, at("2025-01-11T06:00:00")));
        assertFalse(s.allows(night, at("2025-01-11T23:00:00")), "Saturday night is not a shift");
        assertFalse(s.allows(night, at("2025-01-10T05:00:00")), "Friday early morning belongs to Thursday");
        Schedule sunday = schedule(false, Map.of("night", List.of(w("22:00", "06:00", "SUN"))));
        assertTrue(sunday.allows(night, at("2025-01-13T03:00:00")), "Sunday's shift ends on Monday (week wraps)");
    }

    @Test
    void untilMidnightAndWholeDay() {
        Schedule s = schedule(false, Map.of("late", List.of(w("18:00", "24:00", "MON")),
                "allday", List.of(w("00:00", "00:00", "TUE"))));
        assertTrue(s.allows(Set.of("late"), at("2025-01-06T23:59:59.999")));
        assertFalse(s.allows(Set.of("late"), at("2025-01-07T00:00:00")));
        assertTrue(s.allows(Set.of("allday"), at("2025-01-07T00:00:00")));
        assertTrue(s.allows(Set.of("allday"), at("2025-01-07T23:59:59")));
        assertFalse(s.allows(Set.of("allday"), at("2025-01-08T00:00:00")));
    }

    @Test
    void springForwardFollowsTheWallClock() {
        // 2025-03-30: 02:00 CET jumps to 03:00 CEST
        Schedule s = schedule(false, Map.of("staff", List.of(w("07:00", "19:00", "SUN")),
                "early", List.of(w("02:00", "03:30", "SUN"))));
        assertTrue(s.allows(Set.of("staff"), Instant.parse("2025-03-30T05:00:00Z")), "07:00 CEST");
        assertFalse(s.allows(Set.of("staff"), Instant.parse("2025-03-30T04:59:59Z")), "06:59:59 CEST");
        assertTrue(s.allows(Set.of("staff"), Instant.parse("2025-03-30T16:59:59Z")), "18:59:59 CEST");
        assertFalse(s.allows(Set.of("staff"), Instant.parse("2025-03-30T17:00:00Z")), "19:00 CEST");
        // the window 02:00-03:30 is only 30 minutes long on that day: 03:00 to 03:30 CEST
        assertFalse(s.allows(Set.of("early"), Instant.parse("2025-03-30T00:59:59Z")), "01:59:59 CET");
        assertTrue(s.allows(Set.of("early"), Instant.parse("2025-03-30T01:00:00Z")), "03:00 CEST");
        assertTrue(s.allows(Set.of("early"), Instant.parse("2025-03-30T01:29:59Z")), "03:29:59 CEST");
        assertFalse(s.allows(Set.of("early"), Instant.parse("2025-03-30T01:30:00Z")), "03:30 CEST");
    }

    @Test
    void fallBackRepeatsTheHourInsideTheWindow() {
        // 2025-10-26: 03:00 CEST falls back to 02:00 CET; 02:00-03:00 happens twice
        Schedule s = schedule(false, Map.of("staff", List.of(w("07:00", "19:00", "SUN")),
                "early", List.of(w("02:15", "02:45", "SUN"))));
        assertTrue(s.allows(Set.of("staff"), Instant.parse("2025-10-26T06:00:00Z")), "07:00 CET");
        assertFalse(s.allows(Set.of("staff"), Instant.parse("2025-10-26T05:59:59Z")), "06:59:59 CET");
        assertTrue(s.allows(Set.of("early"), Instant.parse("2025-10-26T00:20:00Z")), "02:20 CEST, first pass");
        assertTrue(s.allows(Set.of("early"), Instant.parse("2025-10-26T01:20:00Z")), "02:20 CET, second pass");
        assertFalse(s.allows(Set.of("early"), Instant.parse("2025-10-26T00:50:00Z")), "02:50 CEST");
    }

    @Test
    void badWindowsAreConfigErrorsNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> w("7 am", "19:00", "MON"));
        assertTrue(e.getMessage().startsWith("access.schedules[].from"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> w("07:00", "19:00", "MONTAG"));
        assertTrue(e.getMessage().startsWith("access.schedules[].days"), e.getMessage());
        assertThrows(ConfigException.class, () -> w("24:00", "19:00", "MON"));
        assertThrows(ConfigException.class, () -> new AccessConfig.TimeWindow(List.of(), "07:00", "08:00"));
        assertEquals(Set.of(java.time.DayOfWeek.MONDAY, java.time.DayOfWeek.SUNDAY),
                w("07:00", "08:00", "monday", "Sun").daySet());
    }
}
