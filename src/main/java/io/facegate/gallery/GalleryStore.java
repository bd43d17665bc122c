package io.facegate.gallery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteException;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The persistent gallery: one SQLite file in WAL mode with {@code synchronous=FULL}.
 *
 * <p>Every change runs in one transaction that also increments the gallery version and updates the content
 * hash, so a crash at any moment (even {@code kill -9} or power loss) leaves the old state or the new, never a
 * half. The file is checked ({@code PRAGMA quick_check}) and migrated when opened; a file that is not a
 * facegate gallery, is corrupt or comes from a newer version is an error and is never replaced.
 *
 * <p>The content hash ({@link ContentHash}) is updated in O(change) inside the change's own transaction;
 * {@link #verify()} recomputes it from the rows. The schema and its migrations are {@link GallerySchema}'s, the
 * bytes of an embedding {@link TemplateCodec}'s.
 *
 * <p>Templates are checked ({@link Template#defect}) before a change's transaction starts, so nothing invalid is
 * stored; rows stored by older versions are reported by {@link #verify()} and skipped when loaded.
 *
 * <p>Thread-safe: one connection, all methods synchronised.
 */
public final class GalleryStore implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration BUSY_TIMEOUT = Duration.ofSeconds(10);
    private static final com.fasterxml.jackson.databind.ObjectReader GROUPS =
            JSON.readerFor(new TypeReference<Set<String>>() { });

    private final Path file;
    private final Connection db;
    private final Clock clock;

    private GalleryStore(Path file, Connection db, Clock clock) {
        this.file = file;
        this.db = db;
        this.clock = clock;
    }

    public static GalleryStore open(Path file) {
        return open(file, Clock.systemUTC());
    }

    /**
     * Opens (creating when absent) and checks the gallery file.
     *
     * @throws GalleryException when the file is not a usable facegate gallery; it is left untouched
     */
    public static GalleryStore open(Path file, Clock clock) {
        return open(file, clock, BUSY_TIMEOUT);
    }

    /** As {@link #open(Path, Clock)}, waiting at most {@code busyTimeout} for another process's write lock. */
    static GalleryStore open(Path file, Clock clock, Duration busyTimeout) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new GalleryException("cannot create gallery directory for " + file + ": " + e.getMessage(), e);
        }
        boolean existed = Files.exists(file);
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        cfg.enforceForeignKeys(true);
        cfg.setBusyTimeout((int) busyTimeout.toMillis());
        Connection c;
        try {
            c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), cfg.toProperties());
        } catch (SQLException e) {
            throw openFailed(file, e);
        }
        try {
            GalleryStore s = new GalleryStore(file, c, clock);
            s.checkMillis = GallerySchema.checkAndMigrate(c, file, existed);
            return s;
        } catch (RuntimeException | SQLException | IOException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing
            }
            if (e instanceof GalleryException ge) {
                throw ge;
            }
            throw openFailed(file, e);
        }
    }

    /** A read-only file or directory is not a damaged gallery: say which it is. */
    private static GalleryException openFailed(Path file, Exception e) {
        Path dir = file.toAbsolutePath().getParent();
        if ((dir != null && !Files.isWritable(dir)) || (Files.exists(file) && !Files.isWritable(file))) {
            return new GalleryWriteException("gallery file " + file + " cannot be opened: it or its directory is"
                    + " read-only (SQLite keeps gallery.db-wal and gallery.db-shm next to it), so this door could not"
                    + " record a change, not even a revocation (" + e.getMessage() + ")", e);
        }
        return corrupt(file, e);
    }

    private static GalleryException corrupt(Path file, Exception e) {
        return new GalleryException("gallery file " + file + " is not a readable facegate gallery ("
                + e.getMessage() + "). It was left untouched: restore it from a backup or an export, or move it"
                + " away to start an empty gallery.", e);
    }

    private long checkMillis;

    /** Milliseconds the open-time check (quick_check) and migration took. */
    public long checkMillis() {
        return checkMillis;
    }

    // ------------------------------------------------------------------ reads

    public Path file() {
        return file;
    }

    public synchronized long version() {
        return Long.parseLong(meta("version"));
    }

    /** Hex SHA-256 of the additive content sum: equal on two doors exactly when they hold the same gallery. */
    public synchronized String contentHash() {
        return ContentHash.hashOfSum(new BigInteger(meta("content_sum"), 16));
    }

    public synchronized List<Person> persons() {
        try (PreparedStatement ps = db.prepareStatement("SELECT * FROM persons ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            List<Person> out = new ArrayList<>();
            while (rs.next()) {
                out.add(readPerson(rs));
            }
            return out;
        } catch (SQLException e) {
            throw fail("list persons", e);
        }
    }

    public synchronized Optional<Person> person(String id) {
        try (PreparedStatement ps = db.prepareStatement("SELECT * FROM persons WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(readPerson(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw fail("read person " + id, e);
        }
    }

    public synchronized List<Template> templates(String personId) {
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT * FROM templates WHERE person_id = ? ORDER BY id")) {
            ps.setString(1, personId);
            try (ResultSet rs = ps.executeQuery()) {
                List<Template> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(readTemplate(rs));
                }
                return out;
            }
        } catch (SQLException e) {
            throw fail("read templates of " + personId, e);
        }
    }

    public synchronized int templateCount(String personId) {
        try (PreparedStatement ps = db.prepareStatement("SELECT count(*) FROM templates WHERE person_id = ?")) {
            ps.setString(1, personId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        } catch (SQLException e) {
            throw fail("count templates", e);
        }
    }

    /** Template counts per feature model: key is "modelId sha256". */
    public synchronized Map<String, Integer> templateCountsByModel() {
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT model_id, model_sha256, count(*) FROM templates GROUP BY model_id, model_sha256");
             ResultSet rs = ps.executeQuery()) {
            Map<String, Integer> out = new TreeMap<>();
            while (rs.next()) {
                out.put(rs.getString(1) + " " + rs.getString(2), rs.getInt(3));
            }
            return out;
        } catch (SQLException e) {
            throw fail("count templates by model", e);
        }
    }

    /** Receives templates of one model in storage order, as raw little-endian float32 bytes. */
    @FunctionalInterface
    public interface RawTemplateSink {
        void accept(long templateId, String personId, int dim, byte[] embeddingLe);
    }

    /**
     * What is wrong with a stored embedding ({@link Template#defect} on the raw bytes, without a copy), or null.
     *
     * @param modelDim the dimension of the model's templates (0: unknown)
     */
    static String defect(int dim, byte[] embeddingLe, int modelDim) {
        if (embeddingLe == null || embeddingLe.length != dim * Float.BYTES || dim <= 0) {
            return "blob of " + (embeddingLe == null ? 0 : embeddingLe.length) + " bytes does not hold " + dim
                    + " float32 values";
        }
        return Template.defect(TemplateCodec.floats(embeddingLe), modelDim);
    }

    /** Streams every template made by the model with this SHA-256 (the fast start-up path). */
    public synchronized int forEachTemplate(String modelSha256, RawTemplateSink sink) {
        try (PreparedStatement ps = db.prepareStatement(
                // A plain scan in row order: through the model index every row would be a separate b-tree lookup
                // (measured 2-10x slower at 100k templates).
                "SELECT id, person_id, dim, embedding FROM templates NOT INDEXED WHERE model_sha256 = ? ORDER BY id")) {
            ps.setString(1, modelSha256);
            int n = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sink.accept(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getBytes(4));
                    n++;
                }
            }
            return n;
        } catch (SQLException e) {
            throw fail("load templates", e);
        }
    }

    // ------------------------------------------------------------------ changes (one transaction each)

    /** The state after a change. */
    public record Change(long version, String contentHash) {
    }

    /** Inserts a person or updates its attributes (templates untouched). */
    public synchronized Change putPerson(Person p) {
        return change("update " + p.id(), sum -> upsertPerson(p, sum));
    }

    /**
     * Creates or updates the person and adds templates, all in one transaction.
     *
     * @param replace drop the person's existing templates first
     * @param maxTemplates refuse (change nothing) when the person would end up with more templates
     */
    public synchronized Change enroll(Person p, List<Template> add, boolean replace, int maxTemplates) {
        for (Template t : add) {
            if (!t.personId().equals(p.id())) {
                throw new GalleryException("template of " + t.personId() + " given for " + p.id());
            }
        }
        requireValid(add);
        int before = replace ? 0 : templateCount(p.id());
        if (before + add.size() > maxTemplates) {
            throw new GalleryException("person " + p.id() + " would have " + (before + add.size())
                    + " templates, more than gallery.max_templates_per_person = " + maxTemplates);
        }
        return change("enroll " + p.id(), sum -> {
            BigInteger s = upsertPerson(p, sum);
            if (replace) {
                s = deleteTemplates(p.id(), s);
            }
            int have = countIn(p.id());
            if (have + add.size() > maxTemplates) {
                throw new GalleryException("person " + p.id() + " would have " + (have + add.size())
                        + " templates, more than gallery.max_templates_per_person = " + maxTemplates);
            }
            for (Template t : add) {
                s = insertTemplate(t, s);
            }
            return s;
        });
    }

    /** Removes a person and all their templates; false when unknown (and nothing changes). */
    public synchronized Optional<Change> removePerson(String id) {
        if (person(id).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(change("remove " + id, sum -> {
            BigInteger s = deleteTemplates(id, sum);
            Person old = person(id).orElseThrow();
            s = s.subtract(ContentHash.digestOf(old)).mod(ContentHash.MOD);
            try (PreparedStatement ps = db.prepareStatement("DELETE FROM persons WHERE id = ?")) {
                ps.setString(1, id);
                ps.executeUpdate();
            }
            return s;
        }));
    }

    /** A person with their templates, as exported and imported. */
    public record Entry(Person person, List<Template> templates) {
    }

    /** Adds or replaces (person attributes and all their templates) every entry, in one transaction. */
    public synchronized Change importEntries(List<Entry> entries, int maxTemplates) {
        List<Template> all = new ArrayList<>();
        for (Entry e : entries) {
            if (e.templates().size() > maxTemplates) {
                throw new GalleryException("import: person " + e.person().id() + " has "
                        + e.templates().size() + " templates, more than " + maxTemplates);
            }
            for (Template t : e.templates()) {
                if (!t.personId().equals(e.person().id())) {
                    throw new GalleryException("import: template of " + t.personId() + " given for "
                            + e.person().id());
                }
                all.add(t);
            }
        }
        requireValid(all);
        return change("import of " + entries.size() + " persons", sum -> {
            BigInteger s = sum;
            for (Entry e : entries) {
                s = upsertPerson(e.person(), s);
                s = deleteTemplates(e.person().id(), s);
                for (Template t : e.templates()) {
                    s = insertTemplate(t, s);
                }
            }
            return s;
        });
    }

    public synchronized List<Entry> exportEntries() {
        List<Entry> out = new ArrayList<>();
        for (Person p : persons()) {
            out.add(new Entry(p, templates(p.id())));
        }
        return out;
    }

    /**
     * Refuses the batch when any template is invalid ({@link Template#defect}): its length must also equal the
     * dimension of the templates already stored for its model, or of the batch's first one for a new model.
     */
    private void requireValid(List<Template> templates) {
        Map<String, Integer> dims = new HashMap<>();
        for (Template t : templates) {
            int dim = dims.computeIfAbsent(t.modelSha256(), sha -> {
                int stored = modelDimension(sha);
                return stored > 0 ? stored : t.embedding().length;
            });
            t.requireValid(dim);
        }
    }

    /** The dimension most of this model's stored templates have (0 when there are none). */
    synchronized int modelDimension(String modelSha256) {
        try (PreparedStatement ps = db.prepareStatement("SELECT dim FROM templates WHERE model_sha256 = ?"
                + " GROUP BY dim ORDER BY count(*) DESC, dim LIMIT 1")) {
            ps.setString(1, modelSha256);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        } catch (SQLException e) {
            throw fail("read the dimension of model " + modelSha256, e);
        }
    }

    /**
     * Fails, naming the cause, when this file cannot take a change (read-only file or directory, locked by
     * another process): a door must be able to record a revocation. Changes nothing.
     */
    synchronized void requireWritable() {
        try {
            Sqlite.inTransaction(db, () -> {
                try (Statement st = db.createStatement()) {
                    st.executeUpdate("UPDATE meta SET value = value WHERE key = 'version'");
                }
                throw new ProbeDone();
            });
        } catch (ProbeDone expected) {
            // the write went through and was rolled back
        } catch (SQLException e) {
            throw new GalleryWriteException(fail("a test write (rolled back)", e).getMessage()
                    + ". This door could not record a change, not even a revocation.", e);
        }
    }

    private static final class ProbeDone extends RuntimeException {
        ProbeDone() {
            super(null, null, false, false);
        }
    }

    /** Fault injection for tests: caps the file at its current size plus {@code extraPages} pages ("disk full"). */
    synchronized void limitSize(int extraPages) {
        try {
            long pages = Sqlite.queryInt(db, "PRAGMA page_count");
            Sqlite.queryInt(db, "PRAGMA max_page_count = " + (pages + extraPages));
        } catch (SQLException e) {
            throw fail("limit size", e);
        }
    }

    // ------------------------------------------------------------------ verification

    /** Result of recomputing the content hash from the rows. */
    public record Verification(boolean consistent, int persons, int templates, long version, String storedHash,
                               String recomputedHash, List<String> problems, List<InvalidTemplate> invalid) {
    }

    /** A stored template row that must not be matched (stored by an older version, or damaged). */
    public record InvalidTemplate(String personId, long templateId, String problem) {
        @Override
        public String toString() {
            return "person " + personId + ", template " + templateId + ": " + problem;
        }
    }

    /** Full integrity check plus a recomputation of every digest and the content sum (slow; for tools and tests). */
    public synchronized Verification verify() {
        List<String> problems = new ArrayList<>();
        try {
            String ic = Sqlite.queryString(db, "PRAGMA integrity_check");
            if (!"ok".equals(ic)) {
                problems.add("integrity_check: " + ic);
            }
            try (Statement st = db.createStatement();
                 ResultSet rs = st.executeQuery("PRAGMA foreign_key_check")) {
                if (rs.next()) {
                    problems.add("foreign_key_check: template rows without a person");
                }
            }
            BigInteger sum = BigInteger.ZERO;
            List<Person> ps = persons();
            for (Person p : ps) {
                sum = sum.add(ContentHash.digestOf(p));
            }
            int templates = 0;
            List<InvalidTemplate> invalid = new ArrayList<>();
            Map<String, Integer> dims = new HashMap<>();
            try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM templates")) {
                while (rs.next()) {
                    long id = rs.getLong("id");
                    String personId = rs.getString("person_id");
                    templates++;
                    byte[] raw = rs.getBytes("embedding");
                    int dim = dims.computeIfAbsent(rs.getString("model_sha256"), this::modelDimension);
                    String defect = defect(rs.getInt("dim"), raw, dim);
                    if (defect != null) {
                        invalid.add(new InvalidTemplate(personId, id, defect));
                        sum = sum.add(new BigInteger(1, rs.getBytes("digest"))); // as stored; unreadable content
                        continue;
                    }
                    Template t = readTemplate(rs);
                    byte[] d = ContentHash.templateDigest(t);
                    if (!java.util.Arrays.equals(d, rs.getBytes("digest"))) {
                        problems.add("template row " + id + ": digest does not match its content");
                    }
                    sum = sum.add(new BigInteger(1, d));
                }
            }
            invalid.forEach(i -> problems.add("invalid " + i));
            String stored = contentHash();
            String recomputed = ContentHash.hashOfSum(sum.mod(ContentHash.MOD));
            if (!stored.equals(recomputed)) {
                problems.add("stored content hash differs from the rows");
            }
            return new Verification(problems.isEmpty(), ps.size(), templates, version(), stored, recomputed,
                    problems, invalid);
        } catch (SQLException e) {
            throw fail("verify", e);
        }
    }

    // ------------------------------------------------------------------ internals

    @FunctionalInterface
    private interface SumChange {
        BigInteger apply(BigInteger sum) throws SQLException;
    }

    /**
     * Runs one change: its rows, the version + 1 and the new content sum commit together or not at all.
     *
     * @throws GalleryWriteException when it could not be committed (nothing was)
     */
    private Change change(String what, SumChange body) {
        try {
            return Sqlite.inTransaction(db, () -> {
                BigInteger sum = new BigInteger(meta("content_sum"), 16);
                BigInteger next = body.apply(sum).mod(ContentHash.MOD);
                long version = Long.parseLong(meta("version")) + 1;
                setMeta("content_sum", next.toString(16));
                setMeta("version", Long.toString(version));
                return new Change(version, ContentHash.hashOfSum(next));
            });
        } catch (SQLException e) {
            GalleryException f = fail(what, e);
            throw new GalleryWriteException(f.getMessage() + " - NOT committed, the gallery file is unchanged", e);
        }
    }

    private BigInteger upsertPerson(Person p, BigInteger sum) throws SQLException {
        long now = clock.millis();
        Optional<Person> old = person(p.id());
        BigInteger s = sum;
        if (old.isPresent()) {
            s = s.subtract(ContentHash.digestOf(old.get()));
            try (PreparedStatement ps = db.prepareStatement("UPDATE persons SET display_name = ?, groups_json = ?,"
                    + " enabled = ?, valid_from = ?, valid_until = ?, updated_at = ? WHERE id = ?")) {
                bindPerson(ps, p);
                ps.setLong(6, now);
                ps.setString(7, p.id());
                ps.executeUpdate();
            }
        } else {
            try (PreparedStatement ps = db.prepareStatement("INSERT INTO persons(display_name, groups_json,"
                    + " enabled, valid_from, valid_until, updated_at, id, created_at) VALUES (?,?,?,?,?,?,?,?)")) {
                bindPerson(ps, p);
                ps.setLong(6, now);
                ps.setString(7, p.id());
                ps.setLong(8, p.createdAt() == null ? now : p.createdAt().toEpochMilli());
                ps.executeUpdate();
            }
        }
        return s.add(ContentHash.digestOf(p));
    }

    private static void bindPerson(PreparedStatement ps, Person p) throws SQLException {
        ps.setString(1, p.displayName());
        try {
            ps.setString(2, JSON.writeValueAsString(p.groups()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        ps.setInt(3, p.enabled() ? 1 : 0);
        setInstant(ps, 4, p.validFrom());
        setInstant(ps, 5, p.validUntil());
    }

    private static void setInstant(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setLong(i, t.toEpochMilli());
        }
    }

    private BigInteger insertTemplate(Template t, BigInteger sum) throws SQLException {
        byte[] digest = ContentHash.templateDigest(t);
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO templates(person_id, dim, embedding, model_id,"
                + " model_sha256, quality, photo_sha256, created_at, digest) VALUES (?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, t.personId());
            ps.setInt(2, t.embedding().length);
            ps.setBytes(3, TemplateCodec.toBytes(t.embedding()));
            ps.setString(4, t.modelId());
            ps.setString(5, t.modelSha256());
            ps.setDouble(6, t.quality());
            ps.setString(7, t.photoSha256());
            ps.setLong(8, t.createdAt().toEpochMilli());
            ps.setBytes(9, digest);
            ps.executeUpdate();
        }
        return sum.add(new BigInteger(1, digest));
    }

    private BigInteger deleteTemplates(String personId, BigInteger sum) throws SQLException {
        BigInteger s = sum;
        try (PreparedStatement ps = db.prepareStatement("SELECT digest FROM templates WHERE person_id = ?")) {
            ps.setString(1, personId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    s = s.subtract(new BigInteger(1, rs.getBytes(1)));
                }
            }
        }
        try (PreparedStatement ps = db.prepareStatement("DELETE FROM templates WHERE person_id = ?")) {
            ps.setString(1, personId);
            ps.executeUpdate();
        }
        return s;
    }

    private int countIn(String personId) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT count(*) FROM templates WHERE person_id = ?")) {
            ps.setString(1, personId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    private Person readPerson(ResultSet rs) throws SQLException {
        Set<String> groups;
        String groupsJson = rs.getString("groups_json");
        try {
            groups = "[]".equals(groupsJson) ? Set.of() : GROUPS.readValue(groupsJson);
        } catch (JsonProcessingException e) {
            throw new GalleryException("person " + rs.getString("id") + ": unreadable groups", e);
        }
        return new Person(rs.getString("id"), rs.getString("display_name"), groups, rs.getInt("enabled") != 0,
                instant(rs, "valid_from"), instant(rs, "valid_until"), instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }

    private static Template readTemplate(ResultSet rs) throws SQLException {
        return new Template(rs.getString("person_id"), TemplateCodec.fromBytes(rs.getBytes("embedding"), rs.getInt("dim")),
                rs.getString("model_id"), rs.getString("model_sha256"), rs.getDouble("quality"),
                rs.getString("photo_sha256"), Instant.ofEpochMilli(rs.getLong("created_at")));
    }

    private static Instant instant(ResultSet rs, String col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    private String meta(String key) {
        try (PreparedStatement ps = db.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new GalleryException("gallery file " + file + " lacks meta key " + key);
                }
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw fail("read meta", e);
        }
    }

    private void setMeta(String key, String value) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("UPDATE meta SET value = ? WHERE key = ?")) {
            ps.setString(1, value);
            ps.setString(2, key);
            ps.executeUpdate();
        }
    }

    private GalleryException fail(String what, SQLException e) {
        String cause = cause(e);
        return new GalleryException("gallery " + file + ": " + what + " failed"
                + (cause == null ? "" : ", " + cause) + ": " + e.getMessage(), e);
    }

    /** The likely cause of an SQLite failure in an operator's words, or null. */
    static String cause(SQLException e) {
        if (!(e instanceof SQLiteException se)) {
            return null;
        }
        return switch (se.getResultCode().code & 0xff) {
            case 5, 6 -> "the gallery is locked by another process";                 // BUSY, LOCKED
            case 8 -> "the gallery file or its directory is read-only";               // READONLY
            case 10 -> "disk I/O error";                                             // IOERR
            case 11, 26 -> "the gallery file is corrupt";                             // CORRUPT, NOTADB
            case 13 -> "the disk is full (or the gallery reached its size limit)";    // FULL
            case 14 -> "the gallery file cannot be opened";                           // CANTOPEN
            default -> null;
        };
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw fail("close", e);
        }
    }

}
