package io.facegate.mqtt;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * What the door remembers about commands, in the state database: ids already used (replay protection) and, per
 * person, the newest applied change (its issued-at and id) so that changes to a person are applied in one order on
 * every door, whatever order they arrive in.
 *
 * <p>The sync version is the newest issued-at (epoch ms) over those per-person heads, tombstones included, and the
 * heads hash is a SHA-256 over the sorted (person, command id, removed) triples: two doors that hold the same newest
 * change for every person report the same version and hash, however they got there.
 *
 * <p>A command to a door or the fleet is {@link #claim claimed} (its id committed as used) before anything it asks
 * for runs, and {@link #complete completed} with its outcome afterwards: a command counts once whatever its outcome,
 * and no failure between the two can leave an executed command replayable. Retained gallery records are instead
 * {@link #record recorded} after they were applied, so that one the door failed to apply is retried at the next
 * connect; their per-person order, not their id, is what keeps a replay harmless.
 */
final class CommandLedger {
    /** The newest applied change of one person. */
    public record Head(String personId, long issuedAtMs, String commandId, boolean removed) {
        /** True when a change issued at {@code issuedAtMs} with {@code id} comes after this head. */
        boolean isOlderThan(long otherIssuedAtMs, String otherId) {
            return issuedAtMs < otherIssuedAtMs || (issuedAtMs == otherIssuedAtMs && commandId.compareTo(otherId) < 0);
        }
    }

    /** Version and hash of the set of applied per-person changes. */
    public record SyncState(long version, String headsHash, int heads) {
    }

    private final StateDb db;

    /** Outcome of a claimed command whose action has not finished (or was cut short by a crash). */
    public static final String CLAIMED = "claimed";

    public CommandLedger(StateDb db) {
        this.db = db;
        db.inTransaction(c -> {
            boolean hasOutcome = false;
            try (var s = c.createStatement(); var rs = s.executeQuery("PRAGMA table_info(applied_commands)")) {
                while (rs.next()) {
                    hasOutcome |= "outcome".equals(rs.getString("name"));
                }
            }
            if (!hasOutcome) { // state files written before outcomes were kept: their rows were all applied
                try (var s = c.createStatement()) {
                    s.execute("ALTER TABLE applied_commands ADD COLUMN outcome TEXT NOT NULL DEFAULT 'ok'");
                }
            }
            return null;
        });
    }

    /**
     * Marks {@code commandId} as used, before its action runs. False when it was used before (a replay): nothing
     * changes then.
     */
    public boolean claim(String commandId, String kind, Instant now, Instant expiresAt) {
        return db.inTransaction(c -> {
            try (var ps = c.prepareStatement("INSERT OR IGNORE INTO applied_commands(id, applied_at, expires_at, kind,"
                    + " outcome) VALUES(?,?,?,?,?)")) {
                ps.setString(1, commandId);
                ps.setLong(2, now.toEpochMilli());
                ps.setLong(3, expiresAt.toEpochMilli());
                ps.setString(4, kind);
                ps.setString(5, CLAIMED);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * Records the outcome of a claimed command ({@code ok} or its error code) and, when given, the person's new head:
     * one transaction.
     */
    public void complete(String commandId, String outcome, Head newHead, String digest) {
        db.inTransaction(c -> {
            try (var ps = c.prepareStatement("UPDATE applied_commands SET outcome=? WHERE id=?")) {
                ps.setString(1, outcome);
                ps.setString(2, commandId);
                if (ps.executeUpdate() != 1) {
                    throw new IllegalStateException("command " + commandId + " was never claimed");
                }
            }
            if (newHead != null) {
                upsertHead(c, newHead, digest);
            }
            return null;
        });
    }

    /** The recorded outcome of a used command id ({@value #CLAIMED}, {@code ok} or an error code), or null. */
    public String outcome(String commandId) {
        return db.inTransaction(c -> {
            try (var ps = c.prepareStatement("SELECT outcome FROM applied_commands WHERE id=?")) {
                ps.setString(1, commandId);
                try (var rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    public boolean applied(String commandId) {
        return db.inTransaction(c -> {
            try (var ps = c.prepareStatement("SELECT 1 FROM applied_commands WHERE id=?")) {
                ps.setString(1, commandId);
                try (var rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    public Head head(String personId) {
        return db.inTransaction(c -> {
            try (var ps = c.prepareStatement(
                    "SELECT issued_at, command_id, removed FROM gallery_heads WHERE person_id=?")) {
                ps.setString(1, personId);
                try (var rs = ps.executeQuery()) {
                    return rs.next() ? new Head(personId, rs.getLong(1), rs.getString(2), rs.getInt(3) != 0) : null;
                }
            }
        });
    }

    /** Records an applied gallery record, and the person's new head: one transaction. */
    public void record(String commandId, String kind, Instant now, Instant expiresAt, Head newHead, String digest) {
        db.inTransaction(c -> {
            try (var ps = c.prepareStatement("INSERT OR IGNORE INTO applied_commands(id, applied_at, expires_at, kind,"
                    + " outcome) VALUES(?,?,?,?,'ok')")) {
                ps.setString(1, commandId);
                ps.setLong(2, now.toEpochMilli());
                ps.setLong(3, expiresAt.toEpochMilli());
                ps.setString(4, kind);
                ps.executeUpdate();
            }
            if (newHead != null) {
                upsertHead(c, newHead, digest);
            }
            return null;
        });
    }

    private static void upsertHead(java.sql.Connection c, Head newHead, String digest) throws java.sql.SQLException {
        try (var ps = c.prepareStatement("INSERT INTO gallery_heads(person_id, issued_at, command_id, removed,"
                + " record_sha256) VALUES(?,?,?,?,?) ON CONFLICT(person_id) DO UPDATE SET"
                + " issued_at=excluded.issued_at, command_id=excluded.command_id, removed=excluded.removed,"
                + " record_sha256=excluded.record_sha256")) {
            ps.setString(1, newHead.personId());
            ps.setLong(2, newHead.issuedAtMs());
            ps.setString(3, newHead.commandId());
            ps.setInt(4, newHead.removed() ? 1 : 0);
            ps.setString(5, digest);
            ps.executeUpdate();
        }
    }

    /**
     * Forgets used ids of non-gallery commands that expired long ago: they would be refused as expired anyway.
     * Person changes are kept because gallery records are exempt from expiry (see docs/mqtt.md).
     */
    public int prune(Instant before) {
        return db.inTransaction(c -> {
            try (var ps = c.prepareStatement("DELETE FROM applied_commands WHERE expires_at < ? AND kind IN"
                    + " ('unlock','lockdown','sync_gallery')")) {
                ps.setLong(1, before.toEpochMilli());
                return ps.executeUpdate();
            }
        });
    }

    public SyncState syncState() {
        return db.inTransaction(c -> {
            MessageDigest md;
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            long version = 0;
            int n = 0;
            try (var s = c.createStatement(); var rs = s.executeQuery(
                    "SELECT person_id, issued_at, command_id, removed FROM gallery_heads ORDER BY person_id")) {
                while (rs.next()) {
                    version = Math.max(version, rs.getLong(2));
                    md.update((rs.getString(1) + "\u0000" + rs.getString(3) + "\u0000" + rs.getInt(4) + "\n")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    n++;
                }
            }
            return new SyncState(version, HexFormat.of().formatHex(md.digest()), n);
        });
    }
}
