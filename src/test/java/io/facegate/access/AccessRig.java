package io.facegate.access;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.facegate.config.AccessConfig;
import io.facegate.config.GalleryConfig;
import io.facegate.config.Yaml;
import io.facegate.door.ManualTime;
import io.facegate.gallery.Gallery;
import io.facegate.gallery.Person;
import io.facegate.gallery.Template;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An access policy over the production gallery (a real {@link Gallery} in a temporary folder) holding synthetic
 * 512-d unit vectors, an in-memory directory, a manual clock and switchable door/lockdown flags. The rule is judged
 * with {@link #CALIBRATION}, whose impostor scores are N(0, 0.1), so thresholds are known: about 0.1 * z(FAR).
 */
final class AccessRig {
    static final int DIM = 512;
    static final String SHA = SyntheticCalibration.SHA;
    /** Norm quantile of the synthetic calibration: frames below it fail the "model unsure" gate. */
    static final double MIN_NORM = SyntheticCalibration.MIN_NORM;
    /** A face that passes every gate at the default configuration. */
    static final FrameQuality GOOD = new FrameQuality(20, 1.0, 60, 0, 0);
    /** Impostors ~ N(0, 0.1) (200k pairs), genuine ~ N(0.6, 0.05): shared by every test (deterministic). */
    static final ScoreCalibration CALIBRATION = SyntheticCalibration.normal(0.1, 200_000, 0.6, 0.05, 20_000, 1L);

    /**
     * The gallery side: a production gallery with one synthetic vector per enrolled person, and the faces drawn
     * from it. Several policies may share one (the property test opens it once).
     */
    static final class Faces implements AutoCloseable {
        final Gallery gallery;
        final Random rnd;
        final Map<String, float[]> vectors = new LinkedHashMap<>();

        Faces(Path dir, long seed) {
            this.gallery = Gallery.open(GalleryConfig.defaults().withDataDir(dir), "m", SHA);
            this.rnd = new Random(seed);
        }

        /** Enrolls {@code id} with a fresh random unit vector (a person the directory may or may not know). */
        float[] enroll(String id) {
            float[] v = unit(rnd);
            vectors.put(id, v);
            gallery.enroll(Person.of(id, "Name " + id, null), List.of(new Template(id, v, "m", SHA, 1,
                    "d".repeat(64), Instant.parse("2025-01-01T00:00:00Z"))), false);
            return v;
        }

        /** One frame of an enrolled person: their vector plus small noise (cosine about 0.95 with it). */
        float[] face(String id) {
            return noisy(id, 0.33);
        }

        /** Their vector plus random noise of {@code noise} times its length, normalised. */
        float[] noisy(String id, double noise) {
            float[] v = vector(id);
            return plus(v, unit(rnd), noise);
        }

        /** A face whose cosine with {@code id}'s template is {@code cosine}, in a random direction otherwise. */
        float[] at(String id, double cosine) {
            return at(id, cosine, orthogonal(vector(id), unit(rnd)));
        }

        /** The same, along a given unit direction orthogonal to the template. */
        float[] at(String id, double cosine, float[] direction) {
            float[] v = vector(id);
            float[] out = new float[DIM];
            double side = Math.sqrt(1 - cosine * cosine);
            for (int i = 0; i < DIM; i++) {
                out[i] = (float) (cosine * v[i] + side * direction[i]);
            }
            return normalised(out);
        }

        /** A face nobody enrolled: a fresh random direction (cosine about 0 with everyone). */
        float[] stranger() {
            return unit(rnd);
        }

        /** Halfway between two persons: both score about 0.7, margin about 0. */
        float[] between(String a, String b) {
            return plus(vector(a), vector(b), 1.0);
        }

        float[] vector(String id) {
            float[] v = vectors.get(id);
            if (v == null) {
                throw new IllegalArgumentException("not enrolled: " + id);
            }
            return v;
        }

        @Override
        public void close() {
            gallery.close();
        }
    }

    final Faces faces;
    final ManualTime time;
    final AccessConfig cfg;
    final DecisionRule rule;
    final Map<String, PersonAccess> people = new ConcurrentHashMap<>();
    volatile boolean doorOpen;
    volatile boolean lockdown;
    /** Persons the directory cannot vouch for (as the gallery after a change it could not store). */
    final Set<String> unvouched = ConcurrentHashMap.newKeySet();
    final AccessPolicy policy;

    AccessRig(Faces faces, String yaml) {
        this(faces, parse(yaml), new ManualTime(Instant.parse("2025-01-06T08:00:00Z"))); // a Monday, 09:00 Berlin
    }

    AccessRig(Faces faces, AccessConfig cfg, ManualTime time) {
        this(faces, cfg, time, CALIBRATION);
    }

    AccessRig(Faces faces, AccessConfig cfg, ManualTime time, ScoreCalibration calibration) {
        this.faces = faces;
        this.cfg = cfg;
        this.time = time;
        this.rule = new DecisionRule(cfg, calibration);
        PersonDirectory directory = new PersonDirectory() {
            @Override
            public Optional<PersonAccess> find(String id) {
                return unvouched.contains(id) ? Optional.empty() : Optional.ofNullable(people.get(id));
            }

            @Override
            public boolean vouchesFor(String id) {
                return !unvouched.contains(id);
            }
        };
        policy = new AccessPolicy(rule, faces.gallery, directory, time, () -> doorOpen, () -> lockdown);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper YAML = Yaml.mapper();

    static AccessConfig parse(String yaml) {
        try {
            return YAML.readValue(yaml.isBlank() ? "{}" : yaml, AccessConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Enrolls {@code id} in the gallery (unless already there) and lets them in (enabled, always valid). */
    AccessRig person(String id, String... groups) {
        if (!faces.vectors.containsKey(id)) {
            faces.enroll(id);
        }
        people.put(id, new PersonAccess(id, "Name " + id, Set.of(groups), true, null, null));
        return this;
    }

    /** The threshold for the gallery as it is now. */
    double threshold() {
        return rule.threshold(faces.gallery.searchedTemplates());
    }

    /** The bar one frame alone must clear (stricter than {@link #threshold()}). */
    double singleFrameThreshold() {
        return rule.singleFrameThreshold(faces.gallery.searchedTemplates());
    }

    /**
     * A face of {@code person} that scores between the fused threshold and the single-frame bar: alone it concludes
     * nothing; two of them fused (their independent noise cancels) are let in.
     */
    float[] weak(String person) {
        return faces.at(person, (threshold() + singleFrameThreshold()) / 2);
    }

    /** One good, {@link #weak} frame of {@code person} with liveness 0.9. */
    Optional<Decision> weakFrame(long track, String person) {
        return frame(track, weak(person), GOOD, 0.9);
    }

    /** One good frame of {@code person} (null: a stranger) on {@code track}, then 100 ms pass. */
    Optional<Decision> frame(long track, String person) {
        return frame(track, person == null ? faces.stranger() : faces.face(person), GOOD, 0.9);
    }

    Optional<Decision> frame(long track, float[] embedding, FrameQuality quality, double liveness) {
        Optional<Decision> d = policy.offer(new Recognition(track, embedding, quality, liveness, time.instant()));
        time.advanceMillis(100);
        return d;
    }

    /** A good frame of {@code person} with this liveness. */
    Optional<Decision> frame(long track, String person, double liveness) {
        return frame(track, faces.face(person), GOOD, liveness);
    }

    /** Offers {@code n} frames of {@code person}; returns the decision of the frame that concluded, if any. */
    Optional<Decision> frames(int n, long track, String person) {
        Optional<Decision> out = Optional.empty();
        for (int i = 0; i < n; i++) {
            Optional<Decision> d = frame(track, person);
            if (d.isPresent()) {
                if (out.isPresent()) {
                    throw new AssertionError("two decisions from one run: " + out + " and " + d);
                }
                out = d;
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ vectors

    static float[] unit(Random rnd) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return normalised(v);
    }

    /** normalise(a + w * b) */
    static float[] plus(float[] a, float[] b, double w) {
        float[] v = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            v[i] = (float) (a[i] + w * b[i]);
        }
        return normalised(v);
    }

    static float[] normalised(float[] v) {
        double ss = 0;
        for (float x : v) {
            ss += (double) x * x;
        }
        double n = Math.sqrt(ss);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / n);
        }
        return out;
    }

    /** {@code u} without its component along the unit vector {@code v}, normalised. */
    static float[] orthogonal(float[] v, float[] u) {
        double d = cosine(v, u);
        float[] out = new float[u.length];
        for (int i = 0; i < u.length; i++) {
            out[i] = (float) (u[i] - d * v[i]);
        }
        return normalised(out);
    }

    static double cosine(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += (double) a[i] * b[i];
        }
        return d;
    }
}
