package io.facegate.demo;

import io.facegate.access.Decision;
import io.facegate.daemon.EventSink;
import io.facegate.door.DoorEvent;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Ties what the door decided to who was walking up: each decision belongs to the visit being shown when it was
 * taken (visits are separated by empty frames). Counts who was let in and how long it took from the visitor's
 * first frame to the grant, which the pipeline makes after switching the relay.
 */
public final class VisitRecorder implements EventSink, VisitFrameSource.VisitListener {

    /** One line of what happened, for a live display. */
    public record Line(long nanos, String kind, String text) {
    }

    public record Summary(int enrolledVisits, int strangerVisits, int enrolledPeopleGranted, int enrolledPeopleVisiting,
                          int grantedEnrolledVisits, int grantedStrangerVisits, int wrongPersonGrants,
                          int deniedStrangerVisits, Map<String, Integer> denials, List<Double> timeToUnlockMs) {
    }

    private final List<Scenario.Visitor> visitors;
    private final java.util.Set<String> enrolled;
    private final Consumer<Line> display;
    private final long startNanos = System.nanoTime();
    private final Map<Integer, Long> visitStart = new HashMap<>();
    private final Map<Integer, Decision> grantOf = new HashMap<>();
    private final Map<Integer, List<Decision>> denialsOf = new HashMap<>();
    private final List<Double> timeToUnlock = new ArrayList<>();
    private final Map<io.facegate.access.DenialReason, Integer> denials = new EnumMap<>(io.facegate.access.DenialReason.class);
    private volatile int current = -1;

    /**
     * @param enrolled who is in the gallery: a visitor whose enrollment photos were all refused is a stranger
     */
    public VisitRecorder(List<Scenario.Visitor> visitors, java.util.Set<String> enrolled, Consumer<Line> display) {
        this.visitors = visitors;
        this.enrolled = java.util.Set.copyOf(enrolled);
        this.display = display == null ? l -> { } : display;
    }

    @Override
    public synchronized void onVisitStart(int index, VisitFrameSource.Visit visit, long firstFrameNanos) {
        current = index;
        visitStart.put(index, firstFrameNanos);
        Scenario.Visitor v = visitors.get(index);
        display.accept(new Line(firstFrameNanos - startNanos, "visit",
                v.visit().label() + " walks up" + (enrolled.contains(v.id()) ? " (enrolled)" : " (stranger)")));
    }

    @Override
    public synchronized void decision(Decision d) {
        long now = System.nanoTime();
        int visit = current;
        if (visit < 0) {
            return;
        }
        if (d.granted()) {
            if (!grantOf.containsKey(visit)) {
                grantOf.put(visit, d);
                timeToUnlock.add((now - visitStart.get(visit)) / 1e6);
            }
            display.accept(new Line(now - startNanos, "granted", String.format(java.util.Locale.ROOT,
                    "GRANTED %s (score %.2f, live %.2f) %.0f ms after the first frame", d.personId(), d.score(),
                    d.liveness(), (now - visitStart.get(visit)) / 1e6)));
        } else {
            denialsOf.computeIfAbsent(visit, k -> new ArrayList<>()).add(d);
            denials.merge(d.reason(), 1, Integer::sum);
            display.accept(new Line(now - startNanos, "denied", String.format(java.util.Locale.ROOT,
                    "DENIED %s%s (score %.2f)", d.reason(), d.personId() == null ? "" : " " + d.personId(),
                    d.score())));
        }
    }

    @Override
    public void door(DoorEvent e) {
        display.accept(new Line(System.nanoTime() - startNanos, "door", "door " + e.type()
                + (e.detail() == null ? "" : " (" + e.detail() + ")")));
    }

    @Override
    public void system(String type, String detail) {
        display.accept(new Line(System.nanoTime() - startNanos, "system", type + (detail == null ? "" : ": " + detail)));
    }

    public synchronized Summary summary() {
        int enrolledVisits = 0;
        int strangerVisits = 0;
        int grantedEnrolled = 0;
        int grantedStrangers = 0;
        int wrongPerson = 0;
        int deniedStrangers = 0;
        java.util.Set<String> enrolledVisiting = new java.util.HashSet<>();
        java.util.Set<String> enrolledGranted = new java.util.HashSet<>();
        for (int i = 0; i < visitors.size(); i++) {
            Scenario.Visitor v = visitors.get(i);
            Decision g = grantOf.get(i);
            if (enrolled.contains(v.id())) {
                enrolledVisits++;
                enrolledVisiting.add(v.id());
                if (g != null && g.personId().equals(v.id())) {
                    grantedEnrolled++;
                    enrolledGranted.add(v.id());
                } else if (g != null) {
                    wrongPerson++;
                }
            } else {
                strangerVisits++;
                if (g != null) {
                    grantedStrangers++;
                } else if (denialsOf.containsKey(i)) {
                    deniedStrangers++;
                }
            }
        }
        Map<String, Integer> reasons = new java.util.LinkedHashMap<>();
        denials.forEach((r, n) -> reasons.put(r.name(), n));
        return new Summary(enrolledVisits, strangerVisits, enrolledGranted.size(), enrolledVisiting.size(),
                grantedEnrolled, grantedStrangers, wrongPerson, deniedStrangers, reasons, List.copyOf(timeToUnlock));
    }
}
