package io.facegate.access;

import io.facegate.config.AccessConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Turns the per-frame recognitions of tracked faces into at most one decision per verdict per track.
 *
 * <h2>Voting</h2>
 * Each frame gets a verdict: <em>person P</em> (matched P with margin &ge; {@code access.min_margin}),
 * <em>low margin</em> (matched, margin too small or unknown) or <em>unknown</em> (no match). The window of a
 * track is its last {@code vote_n} frames within {@code vote_window_ms} of its newest frame. A verdict concludes
 * when {@code vote_k} frames of the window share it; because {@code 2*vote_k > vote_n} only one verdict can.
 * A single frame never concludes anything ({@code vote_k >= 2}).
 *
 * <h2>Checks on a person verdict, in this order</h2>
 * liveness (mean live probability over the voting frames, when enabled; NaN fails) &rarr; SPOOF_SUSPECTED;
 * person no longer in the directory &rarr; UNKNOWN_FACE; disabled &rarr; PERSON_DISABLED; before validFrom
 * &rarr; NOT_YET_VALID; at or after validUntil &rarr; EXPIRED; outside the group schedule &rarr;
 * OUTSIDE_SCHEDULE; lockdown &rarr; LOCKDOWN (so LOCKDOWN means "would have been let in"). Then the cooldown:
 * the same person granted less than {@code cooldown_ms} ago while the door is still open or unlocked is not
 * granted again (counted in {@link AccessStats#cooldownSuppressed()}, no decision). Otherwise: granted.
 *
 * <h2>Once per track</h2>
 * A grant ends the track: later frames of it are ignored until it is forgotten. SPOOF_SUSPECTED ends it too (a
 * suspected spoof gets no second try on the same track). Any other denial clears the window, so a later verdict
 * needs {@code vote_k} fresh frames, and each denial reason is returned at most once per track. UNKNOWN_FACE
 * denials are additionally limited to one per {@code unknown_event_interval_ms} across all tracks; the others are
 * counted in {@link AccessStats#unknownSuppressed()}.
 *
 * <p>Validity, schedule, lockdown and cooldown are judged at the injected clock's time of the concluding frame.
 * Thread-safe; cheap enough to call on every frame (no allocation beyond the window, no I/O except the one
 * directory lookup when a person verdict concludes).
 */
public final class AccessPolicy {
    private static final Logger log = LoggerFactory.getLogger(AccessPolicy.class);
    /** Bound on tracks held at once; the least recently seen go first. */
    static final int MAX_TRACKS = 256;

    private final AccessConfig cfg;
    private final PersonDirectory directory;
    private final Schedule schedule;
    private final Clock clock;
    private final BooleanSupplier doorOpenOrUnlocked;
    private final BooleanSupplier lockdown;
    private final Duration window;
    private final Duration trackTimeout;
    private final Duration cooldown;
    private final Duration unknownInterval;

    // guarded by this
    private final LinkedHashMap<Long, Track> tracks = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Instant> lastGrant = new HashMap<>();
    private final EnumMap<DenialReason, Long> denied = new EnumMap<>(DenialReason.class);
    private Instant lastUnknownReported;
    private long granted;
    private long unknownSuppressed;
    private long cooldownSuppressed;
    private long framesIgnored;

    private static final class Track {
        final ArrayDeque<Recognition> frames = new ArrayDeque<>();
        final EnumSet<DenialReason> reported = EnumSet.noneOf(DenialReason.class);
        Instant newest;
        Instant lastSeen;
        boolean finished;
    }

    /**
     * @param doorOpenOrUnlocked true while the door is open or unlocked (for the cooldown); e.g.
     *                           {@code () -> door.state().openOrUnlocked()}
     * @param lockdown           true during lockdown; e.g. {@code () -> door.state().lockdown()}
     */
    public AccessPolicy(AccessConfig config, PersonDirectory directory, Clock clock,
                        BooleanSupplier doorOpenOrUnlocked, BooleanSupplier lockdown) {
        this.cfg = Objects.requireNonNull(config, "config");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.schedule = Schedule.of(config);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.doorOpenOrUnlocked = Objects.requireNonNull(doorOpenOrUnlocked, "doorOpenOrUnlocked");
        this.lockdown = Objects.requireNonNull(lockdown, "lockdown");
        this.window = Duration.ofMillis(config.voteWindowMs());
        this.trackTimeout = Duration.ofMillis(config.trackTimeoutMs());
        this.cooldown = Duration.ofMillis(config.cooldownMs());
        this.unknownInterval = Duration.ofMillis(config.unknownEventIntervalMs());
    }

    /** Takes one frame of one tracked face; returns a decision when this frame concludes a verdict. */
    public synchronized Optional<Decision> offer(Recognition r) {
        Objects.requireNonNull(r, "recognition");
        Instant now = clock.instant();
        expire(now);
        Track t = tracks.computeIfAbsent(r.trackId(), id -> new Track());
        t.lastSeen = now;
        if (tracks.size() > MAX_TRACKS) {
            Long eldest = tracks.keySet().iterator().next();
            tracks.remove(eldest);
        }
        if (t.finished) {
            return Optional.empty();
        }
        if (r.time() == null || (t.newest != null && r.time().isBefore(t.newest))
                || !(r.faceSizePx() >= cfg.minFacePx())) {
            framesIgnored++;
            return Optional.empty();
        }
        t.newest = r.time();
        t.frames.addLast(r);
        while (t.frames.size() > cfg.voteN()) {
            t.frames.removeFirst();
        }
        Instant oldestAllowed = t.newest.minus(window);
        while (t.frames.peekFirst().time().isBefore(oldestAllowed)) {
            t.frames.removeFirst();
        }
        try {
            return conclude(t, r.trackId(), now);
        } catch (RuntimeException e) {
            // e.g. the directory's database failed: no decision, nothing opens
            log.warn("access decision for track {} failed: {}", r.trackId(), e.toString());
            t.frames.clear();
            return Optional.empty();
        }
    }

    private Optional<Decision> conclude(Track t, long trackId, Instant now) {
        int k = cfg.voteK();
        List<Recognition> unknown = new ArrayList<>();
        List<Recognition> lowMargin = new ArrayList<>();
        Map<String, List<Recognition>> good = new HashMap<>();
        for (Recognition f : t.frames) {
            if (f.personId() == null) {
                unknown.add(f);
            } else if (!(f.margin() >= cfg.minMargin())) {
                lowMargin.add(f);
            } else {
                good.computeIfAbsent(f.personId(), p -> new ArrayList<>()).add(f);
            }
        }
        for (Map.Entry<String, List<Recognition>> e : good.entrySet()) {
            if (e.getValue().size() >= k) {
                return judgePerson(t, trackId, e.getKey(), e.getValue(), now);
            }
        }
        if (lowMargin.size() >= k) {
            String likely = lowMargin.stream().collect(Collectors.groupingBy(Recognition::personId,
                            Collectors.counting())).entrySet().stream()
                    .max(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey(
                            Comparator.reverseOrder())))
                    .map(Map.Entry::getKey).orElse(null);
            return deny(t, trackId, DenialReason.LOW_MARGIN, likely, null, lowMargin, now);
        }
        if (unknown.size() >= k) {
            return deny(t, trackId, DenialReason.UNKNOWN_FACE, null, null, unknown, now);
        }
        return Optional.empty();
    }

    private Optional<Decision> judgePerson(Track t, long trackId, String personId, List<Recognition> votes,
                                           Instant now) {
        double live = mean(votes, Recognition::liveness);
        if (cfg.livenessEnabled() && !(live >= cfg.livenessThreshold())) {
            t.finished = true;
            return deny(t, trackId, DenialReason.SPOOF_SUSPECTED, personId, null, votes, now);
        }
        Optional<PersonAccess> found = directory.find(personId);
        if (found.isEmpty()) {
            DenialReason why = directory.vouchesFor(personId) ? DenialReason.UNKNOWN_FACE
                    : DenialReason.GALLERY_DEGRADED;
            return deny(t, trackId, why, personId, null, votes, now);
        }
        PersonAccess p = found.get();
        DenialReason reason = null;
        if (!p.enabled()) {
            reason = DenialReason.PERSON_DISABLED;
        } else if (p.validFrom() != null && now.isBefore(p.validFrom())) {
            reason = DenialReason.NOT_YET_VALID;
        } else if (p.validUntil() != null && !now.isBefore(p.validUntil())) {
            reason = DenialReason.EXPIRED;
        } else if (!schedule.allows(p.groups(), now)) {
            reason = DenialReason.OUTSIDE_SCHEDULE;
        } else if (lockdown.getAsBoolean()) {
            reason = DenialReason.LOCKDOWN;
        }
        if (reason != null) {
            return deny(t, trackId, reason, personId, p.displayName(), votes, now);
        }
        Instant last = lastGrant.get(personId);
        if (last != null && now.isBefore(last.plus(cooldown)) && doorOpenOrUnlocked.getAsBoolean()) {
            cooldownSuppressed++;
            t.frames.clear();
            return Optional.empty();
        }
        lastGrant.put(personId, now);
        t.finished = true;
        granted++;
        return Optional.of(Decision.grant(personId, p.displayName(), mean(votes, Recognition::score), live,
                trackId, now));
    }

    private Optional<Decision> deny(Track t, long trackId, DenialReason reason, String personId,
                                    String displayName, List<Recognition> votes, Instant now) {
        t.frames.clear();
        if (!t.reported.add(reason)) {
            return Optional.empty(); // this track already got this answer
        }
        denied.merge(reason, 1L, Long::sum);
        if (reason == DenialReason.UNKNOWN_FACE) {
            if (lastUnknownReported != null && now.isBefore(lastUnknownReported.plus(unknownInterval))) {
                unknownSuppressed++;
                return Optional.empty();
            }
            lastUnknownReported = now;
        }
        return Optional.of(Decision.deny(reason, personId, displayName, mean(votes, Recognition::score),
                mean(votes, Recognition::liveness), trackId, now));
    }

    /** Drops a track (the tracker lost the face). */
    public synchronized void forget(long trackId) {
        tracks.remove(trackId);
    }

    /** Drops tracks without a frame for {@code access.track_timeout_ms}; also done on every offer. */
    public synchronized void expire() {
        expire(clock.instant());
    }

    private void expire(Instant now) {
        tracks.values().removeIf(t -> !now.isBefore(t.lastSeen.plus(trackTimeout)));
        lastGrant.values().removeIf(at -> !now.isBefore(at.plus(cooldown)));
    }

    public synchronized AccessStats stats() {
        return new AccessStats(granted, denied, unknownSuppressed, cooldownSuppressed, framesIgnored, tracks.size());
    }

    private static double mean(List<Recognition> frames, java.util.function.ToDoubleFunction<Recognition> f) {
        double sum = 0;
        for (Recognition r : frames) {
            sum += f.applyAsDouble(r);
        }
        return frames.isEmpty() ? Double.NaN : sum / frames.size();
    }

}
