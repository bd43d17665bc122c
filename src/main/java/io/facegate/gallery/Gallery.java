package io.facegate.gallery;

import io.facegate.access.Candidate;
import io.facegate.access.Identifier;
import io.facegate.access.PersonAccess;
import io.facegate.access.PersonDirectory;
import io.facegate.config.GalleryConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The daemon's view of the gallery: the SQLite store plus the in-memory matcher for the loaded feature model.
 *
 * <p>Changes are validated, then committed to the store (one transaction each), then applied to memory; a refused
 * change leaves both as they were. Queries ({@link #identify}, {@link #find}) never wait for changes. Templates made by another
 * model than the loaded one stay in the store but are never compared; they are logged at start and reported by
 * {@link #foreignTemplates()}.
 *
 * <h2>Failing closed</h2>
 * The door denies everyone it cannot vouch for. A removal takes effect in memory first, before anything that can
 * fail: the person is neither matched nor found from then on, whether or not the store commits it (until it does,
 * every reload keeps them out). A person whose update or enrollment could not be committed is not vouched for
 * ({@link #vouchesFor}) until a later change of theirs commits. When the store cannot be read at a reload, nobody
 * is vouched for until a reload succeeds. A stored template that is invalid (written by an older version) is
 * skipped at load, never matched, and reported. {@link #problem()} says all of this for health.
 */
public final class Gallery implements PersonDirectory, Identifier, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gallery.class);

    private final GalleryConfig config;
    private final GalleryStore store;
    private final String modelId;
    private final String modelSha256;
    private final ScoreKernel kernel;
    private volatile Map<String, Person> persons;
    private long loadedVersion; // guarded by this
    private final List<GalleryListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> foreign; // as found at open
    private volatile TemplateMatrix matrix;
    private final long loadMillis;
    private volatile boolean fromPack;
    /** Removed in memory, the store's removal not (yet) committed: never matched, never found. */
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    /** A change of theirs is in flight or failed to commit: not vouched for. */
    private final Set<String> unvouched = ConcurrentHashMap.newKeySet();
    /** Why, per person, for health; only failures (not changes in flight). */
    private final Map<String, String> failedChanges = new ConcurrentHashMap<>();
    /** Committed to the store but not applied in memory: a full reload settles them. */
    private final Set<String> reloadSettles = ConcurrentHashMap.newKeySet();
    private volatile String readFailure;
    private volatile List<GalleryStore.InvalidTemplate> quarantined = List.of();

    private Gallery(GalleryConfig config, GalleryStore store, String modelId, String modelSha256) {
        this.config = config;
        this.store = store;
        this.modelId = modelId;
        this.modelSha256 = modelSha256;
        this.kernel = Kernels.choose(config.simd());
        long t0 = System.nanoTime();
        Loaded l = load();
        this.persons = l.persons();
        this.matrix = l.matrix();
        this.foreign = l.foreign();
        this.loadedVersion = l.version();
        this.quarantined = l.quarantined();
        this.fromPack = l.fromPack();
        this.loadMillis = (System.nanoTime() - t0) / 1_000_000;
        LOG.info("gallery {}: version {}, {} persons, {} templates of model {} loaded in {} ms (+{} ms check),"
                        + " matcher {}{}{}", store.file(), l.version(), persons.size(), templateCount(), modelId,
                loadMillis, store.checkMillis(), kernel.name(), config.int8() ? " int8" : "",
                l.fromPack() ? ", templates from the pack" : "");
        foreign.forEach((model, n) -> LOG.warn("gallery: {} templates made by another model ({}) are not compared"
                + " with the loaded model {} ({}); re-enroll those persons", n, model, modelId, modelSha256));
    }

    private record Loaded(Map<String, Person> persons, TemplateMatrix matrix, Map<String, Integer> foreign,
                          long version, Set<String> stored, List<GalleryStore.InvalidTemplate> quarantined,
                          boolean fromPack) {
    }

    /**
     * Reads persons and this model's templates into fresh structures (nothing shared is touched). Persons being
     * revoked stay out; invalid template rows are skipped and returned as quarantined. The templates come from the
     * {@link TemplatePack} when there is one of exactly this gallery state, else row by row (writing a fresh pack).
     */
    private Loaded load() {
        long version = store.version();
        String contentHash = store.contentHash();
        Map<String, Person> ps = new ConcurrentHashMap<>();
        Set<String> stored = new HashSet<>();
        for (Person p : store.persons()) {
            stored.add(p.id());
            if (!revoked.contains(p.id())) {
                ps.put(p.id(), p);
            }
        }
        Map<String, Integer> other = new TreeMap<>();
        int mine = 0;
        for (Map.Entry<String, Integer> e : store.templateCountsByModel().entrySet()) {
            if (e.getKey().endsWith(" " + modelSha256)) {
                mine += e.getValue();
            } else {
                other.put(e.getKey(), e.getValue());
            }
        }
        List<GalleryStore.InvalidTemplate> bad = new ArrayList<>();
        Path packFile = TemplatePack.fileFor(store.file());
        TemplatePack.Contents pack = mine == 0 ? null : TemplatePack.read(packFile, version, contentHash,
                modelSha256);
        TemplateMatrix m = fromPack(pack, mine, stored);
        boolean packed = m != null;
        if (packed) {
            bad.addAll(pack.header().quarantined());
        }
        if (!packed && mine > 0) {
            boolean[] skipped = {false};
            m = fromRows(mine, bad, skipped);
            // a pack copies one whole state: none of a scan a change may have cut through, none with rows left out
            if (m != null && !skipped[0] && store.version() == version && store.contentHash().equals(contentHash)) {
                m.publishLoaded();
                TemplatePack.write(packFile, version, contentHash, modelSha256, m, bad);
            }
        }
        if (m != null) {
            m.publishLoaded();
        }
        for (GalleryStore.InvalidTemplate t : bad) {
            LOG.error("gallery {}: QUARANTINED {}: never matched; run `facegate gallery verify`, then re-enroll"
                    + " the person with --replace or remove them", store.file(), t);
        }
        return new Loaded(ps, m, Map.copyOf(other), version, stored, List.copyOf(bad), packed);
    }

    /**
     * The matrix from a pack of exactly this state, or null when it does not fit (another matrix form) or does not
     * add up with the file (its rows and the file's count of this model's templates, its persons and the file's):
     * then the rows are read instead.
     */
    private TemplateMatrix fromPack(TemplatePack.Contents pack, int mine, Set<String> stored) {
        if (pack == null) {
            return null;
        }
        TemplatePack.Header h = pack.header();
        if (h.int8() != config.int8() || h.float32() == config.int8()) {
            return null; // the configuration's matrix form changed: the rows are read and a pack of it written
        }
        if (h.rows() + h.quarantined().size() != mine || !stored.containsAll(h.persons())) {
            LOG.warn("gallery {}: template pack does not match the gallery file; reading the rows", store.file());
            return null;
        }
        TemplateMatrix m = new TemplateMatrix(h.dim(), mine + mine / 4 + 16, kernel, !config.int8(), config.int8());
        for (int r = 0; r < h.rows(); r++) {
            String personId = h.persons().get(pack.owner().get(r));
            if (!revoked.contains(personId)) {
                m.appendPrepared(personId, pack.floatRow(r), pack.int8Row(r), pack.scale(r));
            }
        }
        return m;
    }

    /** The matrix from the file's rows, one by one; {@code skipped[0]} tells whether a revoked person's were left out. */
    private TemplateMatrix fromRows(int mine, List<GalleryStore.InvalidTemplate> bad, boolean[] skipped) {
        int modelDim = store.modelDimension(modelSha256);
        TemplateMatrix[] m = {null};
        store.forEachTemplate(modelSha256, (templateId, personId, dim, raw) -> {
            String defect = GalleryStore.defect(dim, raw, modelDim);
            if (defect != null) {
                bad.add(new GalleryStore.InvalidTemplate(personId, templateId, defect));
                return;
            }
            if (revoked.contains(personId)) {
                skipped[0] = true;
                return;
            }
            if (m[0] == null) {
                m[0] = new TemplateMatrix(dim, mine + mine / 4 + 16, kernel, !config.int8(), config.int8());
            }
            m[0].appendLittleEndian(personId, raw);
        });
        return m[0];
    }

    /**
     * Picks up changes another process (the {@code facegate gallery} or {@code enroll} CLI) committed to the
     * store: when its version differs from the one loaded, everything is reloaded into fresh structures and
     * swapped in; queries keep running on the old ones meanwhile. Cheap when nothing changed (one SELECT), so
     * the daemon can call it every few seconds.
     *
     * @return true when a reload happened
     */
    public synchronized boolean reloadIfChanged() {
        Loaded l;
        String hash;
        try {
            long v = store.version();
            if (v == loadedVersion && readFailure == null) {
                return false;
            }
            l = load();
            hash = store.contentHash();
        } catch (RuntimeException e) {
            // Someone changed the gallery (or we cannot even tell): whom we would let in may be stale.
            readFailure = "cannot read the gallery (" + e.getMessage() + "): denying everyone until it can";
            LOG.error("gallery reload failed: {}", readFailure);
            throw e;
        }
        persons = l.persons();
        matrix = l.matrix();
        loadedVersion = l.version();
        quarantined = l.quarantined();
        fromPack = l.fromPack();
        readFailure = null;
        for (String id : List.copyOf(revoked)) {
            if (!l.stored().contains(id)) {
                settled(id); // the store has them removed too (e.g. the admin repeated it with the CLI)
            }
        }
        List.copyOf(reloadSettles).forEach(this::settled);
        LOG.info("gallery reloaded at version {}: {} persons, {} templates", l.version(), persons.size(),
                templateCount());
        fire(new GalleryStore.Change(l.version(), hash), "reload");
        return true;
    }

    /**
     * Opens the gallery in {@code config.dataDir()} for the feature model identified by id and SHA-256.
     *
     * @throws GalleryException when the file is corrupt or not a facegate gallery (it is left untouched)
     */
    public static Gallery open(GalleryConfig config, String modelId, String modelSha256) {
        return open(config, GalleryStore.open(config.databaseFile()), modelId, modelSha256);
    }

    /**
     * Over an opened store (tests pass one with a short lock timeout); closes it on failure. A store that cannot
     * take a change (read-only, locked) is refused: this door could not record a revocation.
     */
    static Gallery open(GalleryConfig config, GalleryStore store, String modelId, String modelSha256) {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(modelSha256, "modelSha256");
        try {
            store.requireWritable();
            return new Gallery(config, store, modelId, modelSha256);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** Opens the gallery for the pipeline's feature model ({@code FacePipeline.featureModel()}). */
    public static Gallery open(GalleryConfig config, io.facegate.vision.ModelInfo loadedModel) {
        return open(config, loadedModel.id(), loadedModel.sha256());
    }

    public GalleryConfig config() {
        return config;
    }

    public String modelId() {
        return modelId;
    }

    public String modelSha256() {
        return modelSha256;
    }

    /** Whether the last load read the templates from the {@link TemplatePack} rather than row by row. */
    boolean templatesFromPack() {
        return fromPack;
    }

    /** Milliseconds the start-up load (persons + templates into the matrix) took. */
    public long loadMillis() {
        return loadMillis;
    }

    /** True when the matcher searches the int8 form. */
    public boolean int8() {
        TemplateMatrix m = matrix;
        return m != null ? m.int8() : config.int8();
    }

    /** Template counts of other models, keyed "modelId sha256": stored but never compared. */
    public Map<String, Integer> foreignTemplates() {
        return foreign;
    }

    /** Templates in the matcher. */
    public int templateCount() {
        TemplateMatrix m = matrix;
        return m == null ? 0 : m.size();
    }

    /** Name of the matcher kernel in use ("simd-16x32bit" or "scalar"). */
    public String matcherKernel() {
        return kernel.name();
    }

    // ------------------------------------------------------------------ matching

    /**
     * 1:N search: the best person, their score and margin over the next person. Whether that is a match is for
     * the decision rule ({@code access.DecisionRule}) to say. Lock-free and thread-safe.
     */
    @Override
    public Candidate best(float[] unitProbe) {
        TemplateMatrix m = matrix;
        TemplateMatrix.Candidate c = m == null ? null : m.search(unitProbe);
        if (c == null) {
            return Candidate.NONE;
        }
        if (revoked.contains(c.personId())) {
            // only while a reload that began before the removal swaps in: never name them
            return new Candidate(null, Double.NaN, Double.NaN);
        }
        return new Candidate(c.personId(), c.score(), c.margin());
    }

    /** Templates the search compares a probe with (see {@link Identifier#searchedTemplates()}). */
    @Override
    public int searchedTemplates() {
        return templateCount();
    }

    /** The best-scoring person other than {@code excludePersonId}, for the enrollment duplicate check. */
    public record Similar(String personId, double score) {
    }

    /** Most similar person other than {@code excludePersonId} (empty when there is none). */
    public Optional<Similar> mostSimilarOther(float[] embedding, String excludePersonId) {
        TemplateMatrix m = matrix;
        TemplateMatrix.Candidate c = m == null ? null : m.search(embedding);
        if (c == null) {
            return Optional.empty();
        }
        if (!c.personId().equals(excludePersonId)) {
            return Optional.of(new Similar(c.personId(), c.score()));
        }
        return c.otherId() == null ? Optional.empty() : Optional.of(new Similar(c.otherId(), c.otherScore()));
    }

    /** Best score of this person's own templates (empty when they have none in the matcher). */
    public Optional<Double> selfScore(float[] embedding, String personId) {
        TemplateMatrix m = matrix;
        TemplateMatrix.Candidate c = m == null ? null : m.search(embedding);
        if (c == null) {
            return Optional.empty();
        }
        if (c.personId().equals(personId)) {
            return Optional.of((double) c.score());
        }
        return personId.equals(c.otherId()) ? Optional.of((double) c.otherScore()) : Optional.empty();
    }

    // ------------------------------------------------------------------ persons

    /** Empty for persons unknown, being removed, or not vouched for ({@link #vouchesFor}). */
    @Override
    public Optional<PersonAccess> find(String personId) {
        if (personId == null || revoked.contains(personId) || !vouchesFor(personId)) {
            return Optional.empty();
        }
        Person p = persons.get(personId);
        return p == null ? Optional.empty() : Optional.of(p.toAccess());
    }

    /**
     * False when the loaded state of this person may be stale: a change of theirs failed to commit (or is being
     * committed), or the gallery could not be re-read after a change by another process.
     */
    @Override
    public boolean vouchesFor(String personId) {
        return readFailure == null && !unvouched.contains(personId);
    }

    /** "ok", or "degraded" when {@link #problem()} has something to say. */
    public String state() {
        return problem() == null ? "ok" : "degraded";
    }

    /** What an operator must know about the gallery right now (for health's last_error), or null when all is well. */
    public String problem() {
        List<String> parts = new ArrayList<>();
        String rf = readFailure;
        if (rf != null) {
            parts.add(rf);
        }
        new TreeMap<>(failedChanges).values().forEach(parts::add);
        List<GalleryStore.InvalidTemplate> q = quarantined;
        if (!q.isEmpty()) {
            parts.add(q.size() + " invalid template row(s) quarantined, never matched (" + q.get(0)
                    + (q.size() > 1 ? ", ..." : "") + "): run `facegate gallery verify`");
        }
        return parts.isEmpty() ? null : "gallery degraded: " + String.join("; ", parts);
    }

    /** Stored template rows skipped at the last load because they are invalid. */
    public List<GalleryStore.InvalidTemplate> quarantined() {
        return quarantined;
    }

    public Optional<Person> person(String id) {
        return Optional.ofNullable(persons.get(id));
    }

    public GalleryStore store() {
        return store;
    }

    public List<Person> persons() {
        List<Person> out = new ArrayList<>(persons.values());
        out.sort((a, b) -> a.id().compareTo(b.id()));
        return out;
    }

    public long version() {
        return store.version();
    }

    public String contentHash() {
        return store.contentHash();
    }

    public void addListener(GalleryListener l) {
        listeners.add(Objects.requireNonNull(l));
    }

    public void removeListener(GalleryListener l) {
        listeners.remove(l);
    }

    /**
     * Creates or updates the person and adds (or, with {@code replace}, replaces) templates, in one
     * transaction. Templates must come from the loaded model and be valid ({@link Template#defect}); an invalid
     * one refuses the whole change before anything is stored.
     *
     * @throws GalleryWriteException when the store could not commit it: the person is then not vouched for
     */
    public GalleryStore.Change enroll(Person p, List<Template> templates, boolean replace) {
        for (Template t : templates) {
            if (!t.modelSha256().equals(modelSha256)) {
                throw new GalleryException("template for " + p.id() + " was made by model " + t.modelId()
                        + ", not by the loaded " + modelId);
            }
            if (!t.personId().equals(p.id())) {
                throw new GalleryException("template of " + t.personId() + " given for " + p.id());
            }
            TemplateMatrix m = matrix;
            t.requireValid(m != null ? m.dim() : templates.get(0).embedding().length);
        }
        String id = p.id();
        return change(List.of(id), "enroll " + id, false,
                () -> store.enroll(p, templates, replace, config.maxTemplatesPerPerson()), c -> {
                    persons.put(id, store.person(id).orElseThrow());
                    List<float[]> vs = templates.stream().map(Template::embedding).toList();
                    if (!vs.isEmpty() || replace) {
                        TemplateMatrix m = matrixFor(vs);
                        if (m != null) {
                            if (replace) {
                                m.replace(id, vs);
                            } else {
                                m.add(id, vs);
                            }
                        }
                    }
                    fire(c, "enroll " + id);
                });
    }

    /**
     * Updates a person's attributes (name, groups, enabled, validity); templates stay.
     *
     * @throws GalleryWriteException when the store could not commit it: the person is then not vouched for
     */
    public GalleryStore.Change update(Person p) {
        if (!persons.containsKey(p.id())) {
            throw new GalleryException("no person " + p.id());
        }
        return change(List.of(p.id()), "update " + p.id(), false, () -> store.putPerson(p), c -> {
            persons.put(p.id(), store.person(p.id()).orElseThrow());
            fire(c, "update " + p.id());
        });
    }

    public Optional<GalleryStore.Change> setEnabled(String id, boolean enabled) {
        Person p = persons.get(id);
        if (p == null) {
            return Optional.empty();
        }
        return Optional.of(update(p.withEnabled(enabled)));
    }

    /**
     * Removes a person: from memory at once (never matched nor found again), then from the store.
     *
     * @return empty when the store did not hold them
     * @throws GalleryException when the store could not commit the removal: the person stays removed in memory,
     *                          and out of every reload, until a change of theirs commits
     */
    public Optional<GalleryStore.Change> remove(String id) {
        revoked.add(id);
        dropFromMemory(id);
        return change(List.of(id), "remove " + id, true, () -> store.removePerson(id), c -> {
            dropFromMemory(id); // again: a reload may have swapped in structures read before the removal
            c.ifPresent(ch -> fire(ch, "remove " + id));
        });
    }

    private void dropFromMemory(String id) {
        persons.remove(id);
        TemplateMatrix m = matrix;
        if (m != null) {
            m.remove(id);
        }
    }

    /**
     * Imports entries (one transaction); templates of other models are stored but not matched.
     *
     * @throws GalleryWriteException when the store could not commit it: those persons are then not vouched for
     */
    public GalleryStore.Change importEntries(List<GalleryStore.Entry> entries) {
        List<String> ids = entries.stream().map(e -> e.person().id()).toList();
        return change(ids, "import", false, () -> store.importEntries(entries, config.maxTemplatesPerPerson()), c -> {
            for (GalleryStore.Entry e : entries) {
                persons.put(e.person().id(), store.person(e.person().id()).orElseThrow());
                List<float[]> vs = e.templates().stream().filter(t -> t.modelSha256().equals(modelSha256))
                        .map(Template::embedding).toList();
                TemplateMatrix m = matrixFor(vs);
                if (m != null) {
                    m.replace(e.person().id(), vs);
                }
            }
            fire(c, "import " + entries.size() + " persons");
        });
    }

    /**
     * The one way a change runs: stop vouching for its persons at once (before anything can fail), commit to the
     * store, apply to memory, vouch again. A failure leaves them denied and says why in {@link #problem()}; a
     * refusal (invalid input: nothing was written) restores them, unless it is a removal.
     */
    private <T> T change(List<String> ids, String what, boolean revocation, java.util.function.Supplier<T> commit,
                         java.util.function.Consumer<T> applyInMemory) {
        unvouched.addAll(ids);
        synchronized (this) {
            T c;
            try {
                c = commit.get();
            } catch (RuntimeException e) {
                boolean refused = !revocation && e instanceof GalleryException && !(e instanceof GalleryWriteException)
                        && !(e.getCause() instanceof java.sql.SQLException);
                for (String id : ids) {
                    if (!refused) {
                        failedChanges.put(id, what + " NOT committed (" + e.getMessage() + "): " + id
                                + " is denied on this door until a change of theirs commits");
                    } else if (!failedChanges.containsKey(id)) {
                        unvouched.remove(id);
                        revoked.remove(id);
                    }
                }
                if (!refused) {
                    LOG.error("gallery: {} NOT committed, {} denied until a change of theirs commits: {}", what, ids,
                            e.toString());
                }
                throw e;
            }
            try {
                applyInMemory.accept(c);
            } catch (RuntimeException e) {
                loadedVersion = Long.MIN_VALUE; // rebuild everything from the file at the next reload
                for (String id : ids) {
                    failedChanges.put(id, what + " committed but not applied in memory (" + e + "): " + id
                            + " is denied until the gallery is reloaded");
                    reloadSettles.add(id);
                }
                LOG.error("gallery: {} committed but not applied in memory; {} denied until the next reload: {}",
                        what, ids, e.toString());
                throw e;
            }
            ids.forEach(this::settled);
            return c;
        }
    }

    /** A change of this person committed (or the store confirms their removal): the loaded state holds again. */
    private void settled(String id) {
        failedChanges.remove(id);
        reloadSettles.remove(id);
        revoked.remove(id);
        unvouched.remove(id);
    }

    private TemplateMatrix matrixFor(List<float[]> vs) {
        TemplateMatrix m = matrix;
        if (m == null && !vs.isEmpty()) {
            m = new TemplateMatrix(vs.get(0).length, 1024, kernel, !config.int8(), config.int8());
            matrix = m;
        }
        return m;
    }

    private void fire(GalleryStore.Change c, String what) {
        if (c.version() == loadedVersion + 1) {
            loadedVersion = c.version(); // else another process changed the store too: reloadIfChanged() will see it
        }
        for (GalleryListener l : listeners) {
            try {
                l.galleryChanged(c.version(), c.contentHash(), what);
            } catch (RuntimeException e) {
                LOG.warn("gallery listener failed: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
