package io.facegate.gallery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The gallery file's schema: what makes an SQLite file a facegate gallery, and the migrations that bring an older
 * one up to this version, each in its own transaction. A file this code does not recognise is never touched.
 */
final class GallerySchema {
    /** PRAGMA application_id of a facegate gallery ("FGAL"). */
    static final int APPLICATION_ID = 0x4647414C;
    static final int SCHEMA_VERSION = 1;

    private GallerySchema() {
    }

    /**
     * Checks an opened gallery file and brings it to {@link #SCHEMA_VERSION}; returns the milliseconds it took.
     *
     * @throws GalleryException when the file is not a facegate gallery, is corrupt or is newer than this code
     */
    static long checkAndMigrate(Connection db, Path file, boolean existed) throws SQLException, IOException {
        long t0 = System.nanoTime();
        if (!existed || Files.size(file) == 0) {
            // 32 KiB pages hold 15 template rows (2 KiB embedding each) instead of 1 per 4 KiB page: half the
            // file size and a much faster start-up scan. Must be set before WAL mode fixes the page size.
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA page_size = 32768");
            }
        }
        String mode = Sqlite.queryString(db, "PRAGMA journal_mode = WAL");
        int appId = Sqlite.queryInt(db, "PRAGMA application_id");
        int userVersion = Sqlite.queryInt(db, "PRAGMA user_version");
        int tables = Sqlite.queryInt(db, "SELECT count(*) FROM sqlite_master WHERE type='table'");
        if (tables > 0 && appId != APPLICATION_ID) {
            throw new GalleryException("file " + file + " is an SQLite database but not a facegate gallery"
                    + " (application_id " + appId + "); refusing to touch it");
        }
        String check = Sqlite.queryString(db, "PRAGMA quick_check");
        if (!"ok".equals(check)) {
            throw new GalleryException("gallery file " + file + " is corrupt (quick_check: " + check
                    + "). It was left untouched: restore it from a backup or an export.");
        }
        if (userVersion > SCHEMA_VERSION) {
            throw new GalleryException("gallery file " + file + " has schema version " + userVersion
                    + ", made by a newer facegate (this one knows up to " + SCHEMA_VERSION + ")");
        }
        if (userVersion < 1) {
            if (tables > 0) {
                throw new GalleryException("gallery file " + file + " has tables but no schema version");
            }
            migrateTo1(db);
        }
        // Future migrations: if (userVersion < 2) migrateTo2(); each in its own transaction.
        if (!"wal".equalsIgnoreCase(mode)) {
            throw new GalleryException("gallery file " + file + ": cannot switch to WAL journal mode (" + mode + ")");
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void migrateTo1(Connection db) throws SQLException {
        Sqlite.inTransaction(db, () -> {
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA application_id = " + APPLICATION_ID);
                st.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
                st.execute("CREATE TABLE persons ("
                        + " id TEXT PRIMARY KEY,"
                        + " display_name TEXT NOT NULL,"
                        + " groups_json TEXT NOT NULL,"
                        + " enabled INTEGER NOT NULL,"
                        + " valid_from INTEGER,"
                        + " valid_until INTEGER,"
                        + " created_at INTEGER NOT NULL,"
                        + " updated_at INTEGER NOT NULL)");
                st.execute("CREATE TABLE templates ("
                        + " id INTEGER PRIMARY KEY,"
                        + " person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,"
                        + " dim INTEGER NOT NULL,"
                        + " model_id TEXT NOT NULL,"
                        + " model_sha256 TEXT NOT NULL,"
                        + " quality REAL NOT NULL,"
                        + " photo_sha256 TEXT NOT NULL,"
                        + " created_at INTEGER NOT NULL,"
                        + " digest BLOB NOT NULL," // SHA-256 of the canonical template, for the content hash
                        + " embedding BLOB NOT NULL)"); // dim float32, little-endian; last, so scans of the
                                                         // small columns need not step over it
                st.execute("CREATE INDEX templates_by_person ON templates(person_id)");
                st.execute("CREATE INDEX templates_by_model ON templates(model_sha256, model_id)");
                st.execute("INSERT INTO meta(key, value) VALUES ('version', '0'), ('content_sum', '0')");
                st.execute("PRAGMA user_version = 1");
            }
            return null;
        });
    }
}
