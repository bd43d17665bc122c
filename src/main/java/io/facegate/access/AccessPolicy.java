package io.facegate.access;

import io.facegate.config.AccessConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Turns the frames of tracked faces into at most one decision per verdict per track.
 *
 * <h2>Evidence across frames</h2>
 * A frame counts only when it passes every quality gate of the {@link DecisionRule}; frames below a gate never
 * count toward a grant. A track's evidence is its last {@code access.max_frames} good frames within
 * {@code access.window_ms} of its newest one, fused into one probe (the normalised mean of their unit embeddings:
 * frames of one face are strongly correlated, so a vote of k frames is not k independent tries, while their mean is
 * one cleaner probe). From {@code access.min_frames} good frames on the fused probe is searched and judged by the
 * rule at the threshold for the gallery's size, after every new good frame, so the decision comes as soon as the
 * evidence is strong enough: a match is acted on at once; no match or too small a margin is reported once the window
 * is full ({@code max_frames} good frames), and a track whose {@code max_frames} frames all failed the gates is
 * reported as POOR_QUALITY. Before that, a frame alone may conclude a match, but only at the rule's stricter
 * single-frame bar ({@link DecisionRule#singleFrameThreshold}) and with its own liveness passing; short of that it
 * concludes nothing (no denial comes from one frame alone that the fused frames would not give).
 *
 * <h2>Checks on a match, in this order</h2>
 * liveness, when enabled (mean live probability over the fused frames that have one, none fails; and the
 * landmarks must not move as a plane, see {@link LivenessFusion}) &rarr; SPOOF_SUSPECTED;
 * person no longer in the directory &rarr; UNKNOWN_FACE, or GALLERY_DEGRADED when the gallery cannot vouch for them
 * (a change of theirs could not be committed, or the gallery could not be re-read); disabled &rarr;
 * PERSON_DISABLED; before validFrom
 * &rarr; NOT_YET_VALID; at or after validUntil &rarr; EXPIRED; outside the group schedule &rarr;
 * OUTSIDE_SCHEDULE; lockdown &rarr; LOCKDOWN (so LOCKDOWN means "would have been let in"). Then the cooldown:
 * the same person granted less than {@code cooldown_ms} ago while the door is still open or unlocked is not
 * granted again (counted in {@link AccessStats#cooldownSuppressed()}, no decision). Otherwise: granted.
 *
 * <h2>Once per track</h2>
 * A grant ends the track: later frames of it are ignored until it is forgotten. SPOOF_SUSPECTED ends it too (a
 * suspected spoof gets no second try on the same track). Each denial reason is returned at most once per track; the
 * track keeps being judged as frames arrive, so someone refused while far away is let in once close enough.
 * UNKNOWN_FACE denials are additionally limited to one per {@code unknown_event_interval_ms} across all tracks; the
 * others are counted in {@link AccessStats#unknownSuppressed()}.
 *
 * <p>Validity, schedule, lockdown and cooldown are judged at the injected clock's time of the concluding frame.
 * Thread-safe; one gallery search per good frame, no I/O except the one directory lookup when a probe matches.
 */
public final class AccessPolicy {
    private static final Logger log = LoggerFactory.getLogger(AccessPolicy.class);
    /** Bound on tracks held at once; the least recently seen go first. */
    static final int MAX_TRACKS = 256;

    private final AccessConfig cfg;
    private final DecisionRule rule;
    private final LivenessFusion liveness;
    private final Identifier gallery;
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
        final ArrayDeque<Recognition> good = new ArrayDeque<>();
        final EnumSet<DenialReason> reported = EnumSet.noneOf(DenialReason.class);
        int poorInARow;
        Instant newest;
        Instant lastSeen;
        boolean finished;
    }

    /**
     * @param gallery            the 1:N search the fused probes go through
     * @param directory          who is enrolled and what they may do
     * @param doorOpenOrUnlocked true while the door is open or unlocked (for the cooldown); e.g.
     *                           {@code () -> door.state().openOrUnlocked()}
     * @param lockdown           true during lockdown; e.g. {@code () -> door.state().lockdown()}
     */
    public AccessPolicy(DecisionRule rule, Identifier gallery, PersonDirectory directory, Clock clock,
                        BooleanSupplier doorOpenOrUnlocked, BooleanSupplier lockdown) {
        this.rule = Objects.requireNonNull(rule, "rule");
        this.cfg = rule.config();
        this.liveness = new LivenessFusion(cfg);
        this.gallery = Objects.requireNonNull(gallery, "gallery");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.schedule = Schedule.of(cfg);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.doorOpenOrUnlocked = Objects.requireNonNull(doorOpenOrUnlocked, "doorOpenOrUnlocked");
        this.lockdown = Objects.requireNonNull(lockdown, "lockdown");
        this.window = Duration.ofMillis(cfg.windowMs());
        this.trackTimeout = Duration.ofMillis(cfg.trackTimeoutMs());
        this.cooldown = Duration.ofMillis(cfg.cooldownMs());
        this.unknownInterval = Duration.ofMillis(cfg.unknownEventIntervalMs());
    }

    public DecisionRule rule() {
        return rule;
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
        if (r.time() == null || (t.newest != null && r.time().isBefore(t.newest))) {
            framesIgnored++;
            return Optional.empty();
        }
        t.newest = r.time();
        Optional<String> poor = r.embedding().length == 0 ? Optional.of("not embedded")
                : rule.qualityProblem(r.quality());
        if (poor.isPresent()) {
            framesIgnored++;
            t.poorInARow++;
            if (log.isDebugEnabled()) {
                log.debug("track {}: frame not counted: {}", r.trackId(), poor.get());
            }
            if (t.poorInARow >= cfg.maxFrames() && t.good.isEmpty()) {
                return deny(t, r.trackId(), DenialReason.POOR_QUALITY, null, null, Double.NaN, List.of(), now);
            }
            return Optional.empty();
        }
        t.poorInARow = 0;
        t.good.addLast(r);
        while (t.good.size() > cfg.maxFrames()) {
            t.good.removeFirst();
        }
        Instant oldestAllowed = t.newest.minus(window);
        while (t.good.peekFirst().time().isBefore(oldestAllowed)) {
            t.good.removeFirst();
        }
        try {
            if (t.good.size() >= cfg.minFrames()) {
                return conclude(t, r.trackId(), now);
            }
            return cfg.singleFrameGrant() ? concludeAlone(t, r, now) : Optional.empty();
        } catch (RuntimeException e) {
            // e.g. the directory's database failed: no decision, nothing opens
            log.warn("access decision for track {} failed: {}", r.trackId(), e.toString());
            t.good.clear();
            return Optional.empty();
        }
    }

    private Optional<Decision> conclude(Track t, long trackId, Instant now) {
        List<Recognition> frames = List.copyOf(t.good);
        DecisionRule.Verdict v = rule.identify(gallery, fuse(frames));
        Candidate c = v.candidate();
        boolean windowFull = frames.size() >= cfg.maxFrames();
        return switch (v.outcome()) {
            case MATCH -> judgePerson(t, trackId, c.personId(), c.score(), frames, now);
            case LOW_MARGIN -> windowFull
                    ? deny(t, trackId, DenialReason.LOW_MARGIN, c.personId(), null, c.score(), frames, now)
                    : Optional.empty();
            case NO_MATCH -> windowFull
                    ? deny(t, trackId, DenialReason.UNKNOWN_FACE, null, null, c.score(), frames, now)
                    : Optional.empty();
        };
    }

    /**
     * Before min_frames good frames: the newest frame alone may conclude a match when it clears the rule's stricter
     * single-frame bar ({@link DecisionRule#singleFrameThreshold}). Short of that, or when its own liveness is in
     * doubt, it concludes nothing: the fused frames decide, including every denial.
     */
    private Optional<Decision> concludeAlone(Track t, Recognition r, Instant now) {
        DecisionRule.Verdict v = rule.judgeSingleFrame(gallery.best(r.embedding()), gallery.searchedTemplates());
        if (!v.matched() || (cfg.livenessEnabled() && !(r.liveness() >= cfg.livenessThreshold()))) {
            return Optional.empty();
        }
        return judgePerson(t, r.trackId(), v.candidate().personId(), v.candidate().score(), List.of(r), now);
    }

    /** The normalised mean of the frames' unit embeddings. */
    static float[] fuse(List<Recognition> frames) {
        int dim = frames.get(0).embedding().length;
        double[] sum = new double[dim];
        for (Recognition f : frames) {
            float[] e = f.embedding();
            if (e.length != dim) {
                throw new IllegalArgumentException("embeddings of one track differ in length");
            }
            for (int i = 0; i < dim; i++) {
                sum[i] += e[i];
            }
        }
        double norm = 0;
        for (double v : sum) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        float[] out = new float[dim];
        for (int i = 0; i < dim; i++) {
            out[i] = (float) (sum[i] / norm);
        }
        return out;
    }

    private Optional<Decision> judgePerson(Track t, long trackId, String personId, double score,
                                           List<Recognition> frames, Instant now) {
        double live = LivenessFusion.meanLiveness(frames);
        if (cfg.livenessEnabled()) {
            LivenessFusion.Verdict v = liveness.judge(frames);
            if (!v.live()) {
                log.info("track {}: presentation attack suspected: {}", trackId, v.why());
                t.finished = true;
                return deny(t, trackId, DenialReason.SPOOF_SUSPECTED, personId, null, score, frames, now);
            }
        }
        Optional<PersonAccess> found = directory.find(personId);
        if (found.isEmpty()) {
            DenialReason why = directory.vouchesFor(personId) ? DenialReason.UNKNOWN_FACE
                    : DenialReason.GALLERY_DEGRADED;
            return deny(t, trackId, why, personId, null, score, frames, now);
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
            return deny(t, trackId, reason, personId, p.displayName(), score, frames, now);
        }
        Instant last = lastGrant.get(personId);
        if (last != null && now.isBefore(last.plus(cooldown)) && doorOpenOrUnlocked.getAsBoolean()) {
            cooldownSuppressed++;
            return Optional.empty();
        }
        lastGrant.put(personId, now);
        t.finished = true;
        granted++;
        return Optional.of(Decision.grant(personId, p.displayName(), score, live, trackId, now));
    }

    private Optional<Decision> deny(Track t, long trackId, DenialReason reason, String personId,
                                    String displayName, double score, List<Recognition> frames, Instant now) {
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
        return Optional.of(Decision.deny(reason, personId, displayName, score, LivenessFusion.meanLiveness(frames),
                trackId, now));
    }

    /**
     * Whether this track's verdict is final (granted, or a suspected spoof): its later frames change nothing, so
     * they need no liveness. They are still offered, which keeps the track from expiring while the face stays.
     */
    public synchronized boolean finished(long trackId) {
        Track t = tracks.get(trackId);
        return t != null && t.finished;
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

}
