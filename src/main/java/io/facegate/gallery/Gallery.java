package io.facegate.gallery;

import io.facegate.access.Candidate;
import io.facegate.access.Identifier;
import io.facegate.access.PersonAccess;
import io.facegate.access.PersonDirectory;
import io.facegate.config.GalleryConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The daemon's view of the gallery: the SQLite store plus the in-memory matcher for the loaded feature model.
 *
 * <p>Changes go to the store first (one transaction each) and then to memory, so a failed change leaves both
 * as they were. Queries ({@link #identify}, {@link #find}) never wait for changes. Templates made by another
 * model than the loaded one stay in the store but are never compared; they are logged at start and reported by
 * {@link #foreignTemplates()}.
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
        this.loadMillis = (System.nanoTime() - t0) / 1_000_000;
        LOG.info("gallery {}: version {}, {} persons, {} templates of model {} loaded in {} ms (+{} ms check),"
                        + " matcher {}{}", store.file(), l.version(), persons.size(), templateCount(), modelId,
                loadMillis, store.checkMillis(), kernel.name(), config.int8() ? " int8" : "");
        foreign.forEach((model, n) -> LOG.warn("gallery: {} templates made by another model ({}) are not compared"
                + " with the loaded model {} ({}); re-enroll those persons", n, model, modelId, modelSha256));
    }

    private record Loaded(Map<String, Person> persons, TemplateMatrix matrix, Map<String, Integer> foreign,
                          long version) {
    }

    /** Reads persons and this model's templates into fresh structures (nothing shared is touched). */
    private Loaded load() {
        long version = store.version();
        Map<String, Person> ps = new ConcurrentHashMap<>();
        for (Person p : store.persons()) {
            ps.put(p.id(), p);
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
        int capacity = mine;
        TemplateMatrix[] m = {null};
        store.forEachTemplate(modelSha256, (personId, dim, raw) -> {
            if (m[0] == null) {
                m[0] = new TemplateMatrix(dim, capacity + capacity / 4 + 16, kernel, !config.int8(), config.int8());
            }
            m[0].appendLittleEndian(personId, raw);
        });
        if (m[0] != null) {
            m[0].publishLoaded();
        }
        return new Loaded(ps, m[0], Map.copyOf(other), version);
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
        long v = store.version();
        if (v == loadedVersion) {
            return false;
        }
        Loaded l = load();
        persons = l.persons();
        matrix = l.matrix();
        loadedVersion = l.version();
        LOG.info("gallery reloaded at version {}: {} persons, {} templates", l.version(), persons.size(),
                templateCount());
        fire(new GalleryStore.Change(l.version(), store.contentHash()), "reload");
        return true;
    }

    /**
     * Opens the gallery in {@code config.dataDir()} for the feature model identified by id and SHA-256.
     *
     * @throws GalleryException when the file is corrupt or not a facegate gallery (it is left untouched)
     */
    public static Gallery open(GalleryConfig config, String modelId, String modelSha256) {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(modelSha256, "modelSha256");
        GalleryStore store = GalleryStore.open(config.databaseFile());
        try {
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

    /** Milliseconds the start-up load (persons + templates into the matrix) took. */
    public long loadMillis() {
        return loadMillis;
    }

    /** Name of the matcher kernel in use ("simd-16x32bit" or "scalar"). */
    public String matcherKernel() {
        return kernel.name();
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

    // ------------------------------------------------------------------ matching

    /**
     * 1:N search: the best person, their score and margin over the next person. Whether that is a match is for
     * the decision rule ({@code access.DecisionRule}) to say. Lock-free and thread-safe.
     */
    @Override
    public Candidate best(float[] unitProbe) {
        TemplateMatrix m = matrix;
        TemplateMatrix.Candidate c = m == null ? null : m.search(unitProbe);
        return c == null ? Candidate.NONE : new Candidate(c.personId(), c.score(), c.margin());
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

    @Override
    public Optional<PersonAccess> find(String personId) {
        Person p = personId == null ? null : persons.get(personId);
        return p == null ? Optional.empty() : Optional.of(p.toAccess());
    }

    public Optional<Person> person(String id) {
        return Optional.ofNullable(persons.get(id));
    }

    public List<Person> persons() {
        List<Person> out = new ArrayList<>(persons.values());
        out.sort((a, b) -> a.id().compareTo(b.id()));
        return out;
    }

    public GalleryStore store() {
        return store;
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
     * transaction. Templates must come from the loaded model.
     */
    public synchronized GalleryStore.Change enroll(Person p, List<Template> templates, boolean replace) {
        for (Template t : templates) {
            if (!t.modelSha256().equals(modelSha256)) {
                throw new GalleryException("template for " + p.id() + " was made by model " + t.modelId()
                        + ", not by the loaded " + modelId);
            }
            TemplateMatrix m = matrix;
            if (m != null && t.embedding().length != m.dim()) {
                throw new GalleryException("template for " + p.id() + " has " + t.embedding().length
                        + " dimensions, the gallery has " + m.dim());
            }
        }
        GalleryStore.Change c = store.enroll(p, templates, replace, config.maxTemplatesPerPerson());
        persons.put(p.id(), store.person(p.id()).orElseThrow());
        List<float[]> vs = templates.stream().map(Template::embedding).toList();
        if (!vs.isEmpty() || replace) {
            TemplateMatrix m = matrixFor(vs);
            if (m != null) {
                if (replace) {
                    m.replace(p.id(), vs);
                } else {
                    m.add(p.id(), vs);
                }
            }
        }
        fire(c, "enroll " + p.id());
        return c;
    }

    /** Updates a person's attributes (name, groups, enabled, validity); templates stay. */
    public synchronized GalleryStore.Change update(Person p) {
        if (!persons.containsKey(p.id())) {
            throw new GalleryException("no person " + p.id());
        }
        GalleryStore.Change c = store.putPerson(p);
        persons.put(p.id(), store.person(p.id()).orElseThrow());
        fire(c, "update " + p.id());
        return c;
    }

    public synchronized Optional<GalleryStore.Change> setEnabled(String id, boolean enabled) {
        Person p = persons.get(id);
        if (p == null) {
            return Optional.empty();
        }
        return Optional.of(update(p.withEnabled(enabled)));
    }

    public synchronized Optional<GalleryStore.Change> remove(String id) {
        Optional<GalleryStore.Change> c = store.removePerson(id);
        c.ifPresent(ch -> {
            persons.remove(id);
            TemplateMatrix m = matrix;
            if (m != null) {
                m.remove(id);
            }
            fire(ch, "remove " + id);
        });
        return c;
    }

    /** Imports entries (one transaction); templates of other models are stored but not matched. */
    public synchronized GalleryStore.Change importEntries(List<GalleryStore.Entry> entries) {
        GalleryStore.Change c = store.importEntries(entries, config.maxTemplatesPerPerson());
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
        return c;
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
