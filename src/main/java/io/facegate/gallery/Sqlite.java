package io.facegate.gallery;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The gallery's few ways of talking to SQLite that the store and its schema migration share. */
final class Sqlite {
    private Sqlite() {
    }

    @FunctionalInterface
    interface Tx<T> {
        T run() throws SQLException;
    }

    /**
     * One write transaction, begun, committed and rolled back with explicit statements on a connection that stays
     * in auto-commit mode. (The driver's setAutoCommit/commit/rollback keep their own idea of an open transaction:
     * once SQLite rolled one back by itself, e.g. on SQLITE_FULL, every later "transaction" ran statement by
     * statement and its commit failed with "no transaction is active" after the rows were written.)
     */
    static <T> T inTransaction(Connection db, Tx<T> body) throws SQLException {
        try (Statement st = db.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
        }
        try {
            T out = body.run();
            try (Statement st = db.createStatement()) {
                st.execute("COMMIT");
            }
            return out;
        } catch (SQLException | RuntimeException e) {
            rollback(db, e);
            throw e;
        }
    }

    /** Rolls back whatever is still open; SQLite may already have rolled back by itself (full, I/O error). */
    private static void rollback(Connection db, Exception cause) {
        try (Statement st = db.createStatement()) {
            st.execute("ROLLBACK");
        } catch (SQLException e) {
            if (!String.valueOf(e.getMessage()).contains("no transaction is active")) {
                cause.addSuppressed(e);
            }
        }
    }

    static int queryInt(Connection db, String sql) throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    static String queryString(Connection db, String sql) throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : "";
        }
    }
}
