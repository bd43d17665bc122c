package io.facegate.mqtt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The door's MQTT state in one SQLite file: the event outbox, the ids of applied commands (replay protection)
 * and the newest applied record per person (gallery sync). WAL with synchronous=FULL: a row that was committed
 * survives a killed process and a power cut, which is what "the broker acknowledged it / the admin was told ok"
 * promises.
 *
 * <p>One connection guarded by this object's monitor: writes are small and rare next to the camera loop.
 */
final class StateDb implements AutoCloseable {
    private final Connection conn;
    private final Path path;

    private StateDb(Path path, Connection conn) {
        this.path = path;
        this.conn = conn;
    }

    public static StateDb open(Path path) {
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + path.toAbsolutePath());
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                        + " event_id TEXT NOT NULL, payload BLOB NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS applied_commands (id TEXT PRIMARY KEY,"
                        + " applied_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, kind TEXT NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS gallery_heads (person_id TEXT PRIMARY KEY,"
                        + " issued_at INTEGER NOT NULL, command_id TEXT NOT NULL, removed INTEGER NOT NULL,"
                        + " record_sha256 TEXT NOT NULL)");
            }
            return new StateDb(path, c);
        } catch (Exception e) {
            throw new MqttStateException("cannot open MQTT state database " + path + ": " + e.getMessage(), e);
        }
    }

    Connection connection() {
        return conn;
    }

    public Path path() {
        return path;
    }

    long meta(String key) throws SQLException {
        try (var ps = conn.prepareStatement("SELECT value FROM meta WHERE key=?")) {
            ps.setString(1, key);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        }
    }

    void setMeta(String key, long value) throws SQLException {
        try (var ps = conn.prepareStatement("INSERT INTO meta(key,value) VALUES(?,?)"
                + " ON CONFLICT(key) DO UPDATE SET value=excluded.value")) {
            ps.setString(1, key);
            ps.setLong(2, value);
            ps.executeUpdate();
        }
    }

    /** Runs {@code work} in one transaction under this object's lock. */
    synchronized <T> T inTransaction(SqlWork<T> work) {
        try {
            conn.setAutoCommit(false);
            try {
                T result = work.run(conn);
                conn.commit();
                return result;
            } catch (Exception e) {
                conn.rollback();
                throw e;
            } finally {
                conn.setAutoCommit(true);
            }
        } catch (MqttStateException e) {
            throw e;
        } catch (Exception e) {
            throw new MqttStateException("MQTT state database " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            conn.close();
        } catch (SQLException e) {
            throw new MqttStateException("closing " + path + ": " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws Exception;
    }

    /** The state file cannot be read or written: the caller fails closed. */
    public static final class MqttStateException extends RuntimeException {
        public MqttStateException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
