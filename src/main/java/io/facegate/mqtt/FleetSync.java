package io.facegate.mqtt;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The door's side of fleet gallery sync, driven by the signed fleet manifest instead of one big wildcard delivery
 * of every retained record (which a broker's queue limit cuts short: Mosquitto drops what exceeds
 * {@code max_inflight_messages + max_queued_messages}, 1,020 by default).
 *
 * <ul>
 *   <li>Every verified manifest is merged into the heads this door must reach: per person the newest
 *       (issued_at, command id) any manifest named, kept in the state database. Merging is a per-person maximum, so
 *       an older manifest delivered later changes nothing and manifests of two admins converge in any order.</li>
 *   <li>A person whose manifest head is a removal is removed at once, even if the tombstone record itself never
 *       arrives (withheld or deleted on the broker).</li>
 *   <li>A record older than the manifest head of its person is never applied ({@link #floor}), so an old enroll
 *       record republished by the broker cannot bring a removed person back.</li>
 *   <li>Persons whose newest record this door lacks are fetched by subscribing to their own topics, at most
 *       {@link #BATCH} at a time (a finished one makes room for the next at once), far below any broker queue
 *       limit; what does not arrive is retried and reported.</li>
 *   <li>Records and the manifest's heads are sealed to the fleet key ({@link FleetKeyRing}); topics carry opaque
 *       references of person ids, computed under the epoch of the newest manifest.</li>
 * </ul>
 *
 * <p>Runs on the door's single command thread; {@link #status()} may be read from any thread.
 */
final class FleetSync {
    private static final Logger LOG = LoggerFactory.getLogger(FleetSync.class);
    /** Persons fetched at once: with about one retained record each, far below Mosquitto's queue limits. */
    static final int BATCH = 20;
    /** In-flight fetches during which no record arrived for this long are given up for this round, retried later. */
    static final Duration BATCH_TIMEOUT = Duration.ofSeconds(5);
    /** After a round left persons missing, the next round waits this long, doubling up to {@link #RETRY_MAX}: a
     *  record lost in transit comes soon, a refused one is not re-fetched in a tight loop. */
    static final Duration RETRY_MIN = Duration.ofSeconds(2);
    static final Duration RETRY_MAX = Duration.ofSeconds(60);

    /** Subscribes to or drops one person's record topic, named by its opaque reference ({@link FleetKeyRing#ref}). */
    interface Fetcher {
        void fetch(String ref);

        void drop(String ref);

        /**
         * A removal was taken from the manifest because its tombstone record never arrived (withheld or lost by the
         * broker): the door answers for it as if the record had come, so the admin still hears from every door.
         */
        default void removedFromManifest(CommandLedger.Head head) {
        }
    }

    /**
     * What health reports.
     *
     * @param state            {@code no_manifest}, {@code complete}, {@code fetching} or {@code incomplete}
     * @param missing          persons whose newest record (per the manifest) this door does not hold
     * @param manifestIssuedAt issue time of the newest manifest verified, or null
     * @param lastError        why the last manifest or removal was refused, or null
     */
    record Status(String state, int missing, Instant manifestIssuedAt, String lastError) {
        Map<String, Object> toMap(Instant now) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("state", state);
            m.put("missing", missing);
            m.put("manifest_issued_at", manifestIssuedAt == null ? null : manifestIssuedAt.toString());
            m.put("manifest_age_s", manifestIssuedAt == null ? null
                    : Math.max(0, Duration.between(manifestIssuedAt, now).toSeconds()));
            m.put("last_error", lastError);
            return m;
        }
    }

    private final StateDb db;
    private final CommandLedger ledger;
    private final DeviceActions actions;
    private final Map<String, PublicKey> keys;
    private final Duration skew;
    private final Clock clock;
    private final Fetcher fetcher;
    private final FleetKeyRing fleetKey;
    /** The topic reference each in-flight person is fetched under, and back. */
    private final Map<String, String> refOfPerson = new TreeMap<>();
    private final Map<String, String> personOfRef = new TreeMap<>();
    /** The fleet key epoch of the newest manifest: records are fetched under that epoch's topics. */
    private int epoch;
    private final Map<String, CommandLedger.Head> manifestHeads = new TreeMap<>();
    private final Set<String> missing = new TreeSet<>();
    private final Set<String> inFlight = new TreeSet<>();
    /** Manifest removals the gallery refused: never recorded as done, retried on every tick. */
    private final Set<String> removalFailed = new TreeSet<>();
    private final Deque<String> queue = new ArrayDeque<>();
    /** When the in-flight fetches last made progress (a fetch started or a person came up to date); null: none. */
    private Instant lastProgress;
    private boolean checkedAll;
    private Instant nextRound = Instant.MIN;
    private Duration retry = RETRY_MIN;
    private Instant manifestIssuedAt;
    private String lastError;

    FleetSync(StateDb db, CommandLedger ledger, DeviceActions actions, Map<String, PublicKey> keys, Duration skew,
              Clock clock, FleetKeyRing fleetKey, Fetcher fetcher) {
        this.db = db;
        this.ledger = ledger;
        this.actions = actions;
        this.keys = Map.copyOf(keys);
        this.skew = skew;
        this.clock = clock;
        this.fetcher = fetcher;
        this.fleetKey = fleetKey;
        this.epoch = fleetKey.currentEpoch();
        db.inTransaction(c -> {
            try (var s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS fleet_manifest_heads (person_id TEXT PRIMARY KEY,"
                        + " issued_at INTEGER NOT NULL, command_id TEXT NOT NULL, removed INTEGER NOT NULL)");
            }
            try (var s = c.createStatement(); var rs = s.executeQuery(
                    "SELECT person_id, issued_at, command_id, removed FROM fleet_manifest_heads")) {
                while (rs.next()) {
                    manifestHeads.put(rs.getString(1), new CommandLedger.Head(rs.getString(1), rs.getLong(2),
                            rs.getString(3), rs.getInt(4) != 0));
                }
            }
            long at = db.meta("fleet_manifest_issued_at");
            manifestIssuedAt = at == 0 ? null : Instant.ofEpochMilli(at);
            return null;
        });
    }

    /** A retained or live manifest arrived: verify, merge, remove what it says is removed, fetch what is missing. */
    synchronized void onManifest(byte[] payload) {
        if (payload.length == 0) {
            return; // cleared on the broker: what this door verified before still holds
        }
        FleetManifest m;
        try {
            m = FleetManifest.verify(payload, keys, fleetKey);
        } catch (IllegalArgumentException e) {
            lastError = e.getMessage();
            LOG.warn("fleet manifest refused: {}", e.getMessage());
            return;
        }
        if (m.issuedAt().isAfter(clock.instant().plus(skew))) {
            lastError = "manifest " + m.id() + " issued at " + m.issuedAt() + ", in the future";
            LOG.warn("fleet manifest refused: {}", lastError);
            return;
        }
        lastError = null;
        if (manifestIssuedAt == null || !m.issuedAt().isBefore(manifestIssuedAt)) {
            epoch = m.epoch();
        }
        Set<String> changed = merge(m);
        if (!changed.isEmpty()) {
            retry = RETRY_MIN; // news: what is missing now is worth fetching soon
        }
        if (!checkedAll) {
            // the first manifest since start: the door may have missed anything while it was down
            changed = manifestHeads.keySet();
            checkedAll = true;
        }
        reconcile(changed);
    }

    /** An admin's sync request: check every person against the manifest again when it is re-delivered. */
    synchronized void recheckAll() {
        checkedAll = false;
        retry = RETRY_MIN;
        nextRound = Instant.MIN;
    }

    /** The newest head any verified manifest named for {@code personId}: older records are never applied. */
    synchronized CommandLedger.Head floor(String personId) {
        return manifestHeads.get(personId);
    }

    /** A record under topic reference {@code ref} was handled: count it in if it brought its person up to date. */
    synchronized void onRecord(String ref) {
        String personId = personOfRef.get(ref);
        if (personId != null && !behind(personId)) {
            missing.remove(personId);
            if (inFlight.remove(personId)) {
                drop(personId);
                lastProgress = clock.instant();
            }
        }
        // keep BATCH in flight: the next person is fetched now, not when the slowest of the batch arrives
        nextBatch();
    }

    /** Periodic: give up a stalled batch, and start another round for persons still missing. */
    synchronized void tick() {
        if (!inFlight.isEmpty() && lastProgress != null
                && clock.instant().isAfter(lastProgress.plus(BATCH_TIMEOUT))) {
            LOG.warn("fleet sync: no record arrived for {} s; {} fetch(es) given up for now: {}",
                    BATCH_TIMEOUT.toSeconds(), inFlight.size(), inFlight);
            for (String p : inFlight) {
                drop(p);
                CommandLedger.Head h = manifestHeads.get(p);
                if (h.removed() && behind(p) && !removalFailed.contains(p)) {
                    // the tombstone is withheld: the manifest vouches for it, and the person is already removed
                    Instant now = clock.instant();
                    ledger.record(h.commandId(), CommandKind.REMOVE_PERSON.wire(), now, now, h, "manifest");
                    missing.remove(p);
                    LOG.warn("fleet sync: tombstone {} of {} never arrived; removal taken from the manifest",
                            h.commandId(), p);
                    fetcher.removedFromManifest(h);
                }
            }
            inFlight.clear();
            nextRound = clock.instant().plus(retry);
            retry = retry.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : retry.multipliedBy(2);
            nextBatch();
        } else if (inFlight.isEmpty() && queue.isEmpty() && !missing.isEmpty()
                && !clock.instant().isBefore(nextRound)) {
            reconcile(Set.of());
        }
    }

    synchronized Status status() {
        String state = manifestIssuedAt == null ? "no_manifest"
                : missing.isEmpty() ? "complete" : !inFlight.isEmpty() || !queue.isEmpty() ? "fetching" : "incomplete";
        return new Status(state, missing.size(), manifestIssuedAt, lastError);
    }

    /** Merges the manifest's heads into the known ones; returns the persons whose head moved. */
    private Set<String> merge(FleetManifest m) {
        Map<String, CommandLedger.Head> changed = new TreeMap<>();
        for (CommandLedger.Head h : m.heads().values()) {
            CommandLedger.Head mine = manifestHeads.get(h.personId());
            if (FleetManifest.newer(mine, h) != mine) {
                changed.put(h.personId(), h);
            }
        }
        boolean newer = manifestIssuedAt == null || m.issuedAt().isAfter(manifestIssuedAt);
        if (changed.isEmpty() && !newer) {
            return Set.of();
        }
        db.inTransaction(c -> {
            try (var ps = c.prepareStatement("INSERT INTO fleet_manifest_heads(person_id, issued_at, command_id,"
                    + " removed) VALUES(?,?,?,?) ON CONFLICT(person_id) DO UPDATE SET issued_at=excluded.issued_at,"
                    + " command_id=excluded.command_id, removed=excluded.removed")) {
                for (CommandLedger.Head h : changed.values()) {
                    ps.setString(1, h.personId());
                    ps.setLong(2, h.issuedAtMs());
                    ps.setString(3, h.commandId());
                    ps.setInt(4, h.removed() ? 1 : 0);
                    ps.executeUpdate();
                }
            }
            if (newer) {
                db.setMeta("fleet_manifest_issued_at", m.issuedAt().toEpochMilli());
            }
            return null;
        });
        manifestHeads.putAll(changed);
        if (newer) {
            manifestIssuedAt = m.issuedAt();
        }
        LOG.info("fleet manifest {} from key {} ({} heads, {} newer than known)", m.id(), m.keyId(),
                m.heads().size(), changed.size());
        return changed.keySet();
    }

    /**
     * Applies manifest removals this door has not applied, and queues every person it is behind on, looking at
     * {@code candidates} and the persons already missing (the others were up to date and only records move them).
     */
    private void reconcile(Set<String> candidates) {
        Set<String> check = new TreeSet<>(missing);
        check.addAll(candidates);
        missing.clear();
        for (String p : check) {
            CommandLedger.Head h = manifestHeads.get(p);
            if (h == null || !behind(p)) {
                continue;
            }
            if (h.removed()) {
                // removed at once; the tombstone is still fetched so the door replies and records it as usual
                removeNow(h);
            }
            missing.add(h.personId());
        }
        queue.clear();
        for (String p : missing) {
            if (!inFlight.contains(p)) {
                queue.add(p);
            }
        }
        nextBatch();
    }

    /** The door's head for the person is older than the manifest's. */
    private boolean behind(String personId) {
        CommandLedger.Head want = manifestHeads.get(personId);
        if (want == null) {
            return false;
        }
        CommandLedger.Head have = ledger.head(personId);
        return have == null || have.isOlderThan(want.issuedAtMs(), want.commandId());
    }

    /** A removal the manifest vouches for: applied before (or without) the tombstone record, which may never come. */
    private void removeNow(CommandLedger.Head h) {
        removalFailed.add(h.personId());
        CommandResult r;
        try {
            r = actions.removePerson(h.personId());
        } catch (RuntimeException e) {
            r = CommandResult.error("internal", e.toString());
        }
        if (!r.ok()) {
            lastError = "removing " + h.personId() + " (manifest head " + h.commandId() + ") failed: " + r.message();
            LOG.error("fleet sync: {}", lastError);
            return;
        }
        removalFailed.remove(h.personId());
        LOG.info("fleet sync: removed {} as the manifest says (head {})", h.personId(), h.commandId());
    }

    private void nextBatch() {
        while (inFlight.size() < BATCH && !queue.isEmpty()) {
            String p = queue.poll();
            if (behind(p)) {
                inFlight.add(p);
                lastProgress = clock.instant();
                String ref = fleetKey.ref(epoch, p);
                refOfPerson.put(p, ref);
                personOfRef.put(ref, p);
                fetcher.fetch(ref);
            } else {
                missing.remove(p);
            }
        }
        if (inFlight.isEmpty()) {
            lastProgress = null;
        }
    }

    private void drop(String personId) {
        String ref = refOfPerson.remove(personId);
        if (ref != null) {
            personOfRef.remove(ref);
            fetcher.drop(ref);
        }
    }
}
