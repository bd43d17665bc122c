package io.facegate.gallery;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * All templates of the loaded model in memory as one contiguous row-major float matrix of L2-normalised rows,
 * searched 1:N by cosine (= dot product).
 *
 * <p>Concurrency: queries never lock. They read an immutable {@link Snapshot} published through a volatile
 * field. Writers (enroll, remove) hold a lock among themselves only: an append writes rows past the published
 * row count (invisible to running queries) and then publishes a snapshot with the larger count; a removal
 * copies the small row-owner array with the person's rows marked dead. The next query sees the change, no
 * query waits for it, and the big matrix is copied only when it must grow or when dead rows pile up.
 */
final class TemplateMatrix {
    /** What one query reads; never changed after publication (rows beyond {@code rows} are not its business). */
    record Snapshot(float[] data, byte[] q8, float[] scale8, int rows, int[] owner, String[] persons,
                    int liveRows) {
    }

    private static final int DEAD = -1;

    private final int dim;
    private final ScoreKernel kernel;
    private final ThreadLocal<float[]> scratch = ThreadLocal.withInitial(() -> new float[0]);
    private volatile Snapshot snapshot;

    // Writer state, guarded by "this".
    private float[] data;    // float32 rows (null when only the int8 form is kept)
    private final float[] row; // scratch row for the int8-only form
    private byte[] q8;       // int8 mirror of data (null when the int8 form is off)
    private float[] scale8;  // per-row dequantisation factor of q8
    private int[] owner;
    private String[] persons = new String[16];
    private int personSlots;
    private final Map<String, Integer> slotOf = new HashMap<>();
    private int rows;
    private int dead;

    TemplateMatrix(int dim, int initialCapacity, ScoreKernel kernel) {
        this(dim, initialCapacity, kernel, false);
    }

    /**
     * @param int8 also keep an int8 copy of every row (per-row symmetric scale) and search that with the probe
     *             quantised the same way: a quarter of the memory traffic and integer-exact dot products, for a
     *             score error of about 1e-3 (see {@code bench search} and {@code bench identify})
     */
    TemplateMatrix(int dim, int initialCapacity, ScoreKernel kernel, boolean int8) {
        this(dim, initialCapacity, kernel, true, int8);
    }

    /**
     * @param keepFloat keep the float32 rows; without them (int8 only) the matrix takes a fifth of the memory
     *                  and loads faster, and every search uses the int8 form
     */
    TemplateMatrix(int dim, int initialCapacity, ScoreKernel kernel, boolean keepFloat, boolean int8) {
        if (dim <= 0) {
            throw new IllegalArgumentException("dim must be > 0");
        }
        this.dim = dim;
        this.kernel = kernel;
        int cap = Math.max(16, initialCapacity);
        if (!keepFloat && !int8) {
            throw new IllegalArgumentException("keep at least one form");
        }
        this.data = keepFloat ? new float[Math.multiplyExact(cap, dim)] : null;
        this.row = new float[dim];
        this.owner = new int[cap];
        if (int8) {
            this.q8 = new byte[Math.multiplyExact(cap, dim)];
            this.scale8 = new float[cap];
        }
        publish();
    }

    int dim() {
        return dim;
    }

    ScoreKernel kernel() {
        return kernel;
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /** Live templates (not removed). */
    int size() {
        return snapshot.liveRows();
    }

    /** Adds templates of a person and publishes them. */
    synchronized void add(String personId, List<float[]> templates) {
        appendUnpublished(personId, templates);
        publish();
    }

    /** Replaces all templates of a person in one step (queries see the old set or the new, never none). */
    synchronized void replace(String personId, List<float[]> templates) {
        killUnpublished(personId);
        appendUnpublished(personId, templates);
        publish();
    }

    synchronized void remove(String personId) {
        killUnpublished(personId);
        publish();
    }

    /** Bulk load at start: many persons, published once at the end. */
    synchronized void load(Map<String, List<float[]>> byPerson) {
        for (Map.Entry<String, List<float[]>> e : byPerson.entrySet()) {
            appendUnpublished(e.getKey(), e.getValue());
        }
        publish();
    }

    /**
     * Start-up fast path: appends one row straight from the stored little-endian float32 bytes (no intermediate
     * array), unpublished. Call {@link #publishLoaded()} when done.
     */
    synchronized void appendLittleEndian(String personId, byte[] raw) {
        appendFloats(personId, TemplateCodec.floats(raw));
    }

    /** As {@link #appendLittleEndian}, from a buffer holding exactly one row (e.g. a row of a mapped template pack). */
    synchronized void appendFloats(String personId, java.nio.FloatBuffer values) {
        if (values.remaining() != dim) {
            throw new IllegalArgumentException("template has " + values.remaining() + " dimensions, gallery has "
                    + dim);
        }
        int slot = slotFor(personId);
        ensureCapacity(rows + 1);
        float[] dst = data != null ? data : row;
        int off = data != null ? rows * dim : 0;
        // One bulk copy (a memcpy inside the JDK), fast even before the JIT has compiled this method: start-up
        // runs it 100 000 times while still cold.
        values.get(values.position(), dst, off, dim);
        normaliseRow(dst, off, dim);
        if (q8 != null) {
            scale8[rows] = quantise(dst, off, dim, q8, rows * dim);
        }
        owner[rows++] = slot;
    }

    /**
     * Start-up from a {@link TemplatePack}: one row as this matrix keeps it (normalised float32 and/or int8 with
     * its scale, as {@link #snapshot()} holds it), unpublished. The buffers hold exactly the forms kept here.
     */
    synchronized void appendPrepared(String personId, java.nio.FloatBuffer normalised, java.nio.ByteBuffer int8,
                                     float scale) {
        int slot = slotFor(personId);
        ensureCapacity(rows + 1);
        if (data != null) {
            normalised.get(normalised.position(), data, rows * dim, dim);
        }
        if (q8 != null) {
            int8.get(int8.position(), q8, rows * dim, dim);
            scale8[rows] = scale;
        }
        owner[rows++] = slot;
    }

    synchronized void publishLoaded() {
        publish();
    }

    private void appendUnpublished(String personId, List<float[]> templates) {
        if (templates.isEmpty()) {
            return;
        }
        int slot = slotFor(personId);
        ensureCapacity(rows + templates.size());
        for (float[] t : templates) {
            if (t.length != dim) {
                throw new IllegalArgumentException("template has " + t.length + " dimensions, gallery has " + dim);
            }
            float[] dst = data != null ? data : row;
            int off = data != null ? rows * dim : 0;
            System.arraycopy(t, 0, dst, off, dim);
            normaliseRow(dst, off, dim);
            if (q8 != null) {
                scale8[rows] = quantise(dst, off, dim, q8, rows * dim);
            }
            owner[rows++] = slot;
        }
    }

    private int slotFor(String personId) {
        Integer slot = slotOf.get(personId);
        if (slot == null) {
            if (personSlots == persons.length) {
                persons = Arrays.copyOf(persons, persons.length * 2);
            }
            slot = personSlots++;
            persons[slot] = personId;
            slotOf.put(personId, slot);
        }
        return slot;
    }

    private void killUnpublished(String personId) {
        Integer slot = slotOf.remove(personId);
        if (slot == null) {
            return;
        }
        // Copy-on-write of the small owner array: running queries keep the old one.
        int[] next = owner.clone();
        for (int r = 0; r < rows; r++) {
            if (next[r] == slot) {
                next[r] = DEAD;
                dead++;
            }
        }
        owner = next;
        persons = persons.clone();
        persons[slot] = null;
        if (dead > 1024 && dead > rows / 4) {
            compact();
        }
    }

    /** Drops dead rows into fresh arrays (running queries keep the old ones). */
    private void compact() {
        int live = rows - dead;
        int cap = Math.max(16, live + live / 2);
        float[] d = data == null ? null : new float[Math.multiplyExact(cap, dim)];
        byte[] b = q8 == null ? null : new byte[Math.multiplyExact(cap, dim)];
        float[] sc = q8 == null ? null : new float[cap];
        int[] o = new int[cap];
        int w = 0;
        for (int r = 0; r < rows; r++) {
            if (owner[r] != DEAD) {
                if (d != null) {
                    System.arraycopy(data, r * dim, d, w * dim, dim);
                }
                if (b != null) {
                    System.arraycopy(q8, r * dim, b, w * dim, dim);
                    sc[w] = scale8[r];
                }
                o[w++] = owner[r];
            }
        }
        data = d;
        q8 = b;
        scale8 = sc;
        owner = o;
        rows = w;
        dead = 0;
    }

    private void ensureCapacity(int needRows) {
        if (needRows <= owner.length) {
            return;
        }
        int cap = Math.max(needRows, owner.length + owner.length / 2);
        if (data != null) {
            data = Arrays.copyOf(data, Math.multiplyExact(cap, dim));
        }
        owner = Arrays.copyOf(owner, cap);
        if (q8 != null) {
            q8 = Arrays.copyOf(q8, Math.multiplyExact(cap, dim));
            scale8 = Arrays.copyOf(scale8, cap);
        }
    }

    /** Symmetric per-row int8: q = round(v / s) with s = max|v| / 127; returns s. */
    static float quantise(float[] v, int off, int len, byte[] out) {
        return quantise(v, off, len, out, off);
    }

    /** As {@link #quantise(float[], int, int, byte[])}, writing to {@code out[outOff ..]}. */
    static float quantise(float[] v, int off, int len, byte[] out, int outOff) {
        float max = 0;
        for (int i = off; i < off + len; i++) {
            max = Math.max(max, Math.abs(v[i]));
        }
        float s = max / 127f;
        float inv = 127f / max;
        for (int i = 0; i < len; i++) {
            float x = v[off + i] * inv;
            out[outOff + i] = (byte) (int) (x + (x >= 0 ? 0.5f : -0.5f)); // round half away from zero
        }
        return s;
    }

    boolean int8() {
        return q8 != null;
    }

    private void publish() {
        snapshot = new Snapshot(data, q8, scale8, rows, owner, persons, rows - dead);
    }

    static void normaliseRow(float[] a, int off, int len) {
        double ss = 0;
        for (int i = off; i < off + len; i++) {
            ss += (double) a[i] * a[i];
        }
        if (ss == 0 || Double.isNaN(ss)) {
            throw new IllegalArgumentException("template is zero or NaN");
        }
        float inv = (float) (1.0 / Math.sqrt(ss));
        for (int i = off; i < off + len; i++) {
            a[i] *= inv;
        }
    }

    static float[] normalised(float[] v) {
        float[] c = v.clone();
        normaliseRow(c, 0, c.length);
        return c;
    }

    /**
     * Best person, its score and the margin to the best other person; thresholds are applied by the caller.
     * Lock-free: reads one snapshot.
     */
    Candidate search(float[] probe) {
        Snapshot s = snapshot;
        return search(s, probe, kernel, s.q8() != null);
    }

    Candidate search(Snapshot s, float[] probe, ScoreKernel k, boolean useInt8) {
        if (!useInt8 && s.data() == null) {
            throw new IllegalStateException("this matrix keeps only the int8 form");
        }
        if (probe.length != dim) {
            throw new IllegalArgumentException("probe has " + probe.length + " dimensions, gallery has " + dim);
        }
        if (s.liveRows() == 0) {
            return null;
        }
        float[] q = normalised(probe);
        float[] out = scratch.get();
        if (out.length < s.rows()) {
            out = new float[s.rows() + s.rows() / 4 + 16];
            scratch.set(out);
        }
        if (useInt8) {
            byte[] q8 = new byte[dim];
            float qScale = quantise(q, 0, dim, q8);
            k.scoresInt8(s.q8(), s.scale8(), s.rows(), dim, q8, qScale, out);
        } else {
            k.scores(s.data(), s.rows(), dim, q, out);
        }
        return topTwo(s, out);
    }

    /** One pass keeping the best person and the best score of any other person. */
    static Candidate topTwo(Snapshot s, float[] scores) {
        int[] owner = s.owner();
        int best = DEAD;
        int other = DEAD;
        float bestScore = Float.NEGATIVE_INFINITY;
        float otherScore = Float.NEGATIVE_INFINITY;
        for (int r = 0, n = s.rows(); r < n; r++) {
            int p = owner[r];
            if (p == DEAD) {
                continue;
            }
            float v = scores[r];
            if (p == best) {
                if (v > bestScore) {
                    bestScore = v;
                }
            } else if (v > bestScore) {
                otherScore = bestScore; // the old leader is now the best "other"
                other = best;
                bestScore = v;
                best = p;
            } else if (v > otherScore) {
                otherScore = v;
                other = p;
            }
        }
        if (best == DEAD) {
            return null;
        }
        return new Candidate(s.persons()[best], bestScore, other == DEAD ? null : s.persons()[other], otherScore);
    }

    /**
     * @param otherId    the best other person, null when there is none
     * @param otherScore best score of any other person, -infinity when there is none
     */
    record Candidate(String personId, float score, String otherId, float otherScore) {
        double margin() {
            return otherScore == Float.NEGATIVE_INFINITY ? score + 1.0 : (double) score - otherScore;
        }
    }

    /** Person ids in the matrix (for tests and diagnostics). */
    synchronized List<String> personIds() {
        return new ArrayList<>(slotOf.keySet());
    }
}
