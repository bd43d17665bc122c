package io.facegate.config;

import java.nio.file.Path;

/**
 * YAML section {@code gallery}: where enrolled people live and how strict enrollment is. When a face matches at the
 * door is the decision rule's business ({@code access.target_fpir}).
 * Every field may be left out; the compact constructor fills the default and validates.
 *
 * @param dataDir                directory holding {@code gallery.db}; default {@code /var/lib/facegate}
 * @param maxTemplatesPerPerson  templates kept per person (one per accepted photo); default 5
 * @param threshold              enrollment consistency: each new photo must score this much against the person's other
 *                               photos, in (0, 1); default 0.41 (about FAR 1e-3 for the default model pack). Not the
 *                               door's threshold, which comes from access.target_fpir and the gallery's size
 * @param duplicateThreshold     a new photo scoring this high against another person is refused as a
 *                               duplicate; default: {@code threshold}
 * @param allowDuplicates        enroll even when the duplicate check fires (e.g. identical twins); default false
 * @param minEyeDistancePx       smallest distance between the eye centres in the source photo; default 30
 * @param minFaceWidthPx         smallest detected face box width in the source photo; default 64
 * @param minSharpness           smallest variance of the Laplacian of the face, measured on the face box
 *                               resized to 128x128 grey; default 25
 * @param maxYaw                 largest head turn: where the nose tip projects onto the line between the eyes,
 *                               0 = midway (frontal), 1 = at one eye; default 0.6 (real frontal photos: 0..0.47)
 * @param secondFaceAreaRatio    a second face whose box area is at least this fraction of the largest one makes
 *                               the photo ambiguous; default 0.5
 * @param simd                   use the {@code jdk.incubator.vector} matcher when the module is present; default true
 * @param int8                   search an int8 copy of templates and probe (a quarter of the memory traffic, score
 *                               error about 1e-3, same decisions on the real photos; {@code bench search} and {@code bench identify} show it); default true
 */
public record GalleryConfig(Path dataDir, Integer maxTemplatesPerPerson, Double threshold,
                            Double duplicateThreshold, Boolean allowDuplicates, Double minEyeDistancePx,
                            Double minFaceWidthPx, Double minSharpness, Double maxYaw, Double secondFaceAreaRatio,
                            Boolean simd, Boolean int8) {

    public static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/facegate");

    public GalleryConfig {
        if (dataDir == null) {
            dataDir = DEFAULT_DATA_DIR;
        }
        maxTemplatesPerPerson = maxTemplatesPerPerson == null ? 5 : maxTemplatesPerPerson;
        threshold = threshold == null ? 0.41 : threshold;
        duplicateThreshold = duplicateThreshold == null ? threshold : duplicateThreshold;
        allowDuplicates = allowDuplicates != null && allowDuplicates;
        minEyeDistancePx = minEyeDistancePx == null ? 30.0 : minEyeDistancePx;
        minFaceWidthPx = minFaceWidthPx == null ? 64.0 : minFaceWidthPx;
        minSharpness = minSharpness == null ? 25.0 : minSharpness;
        maxYaw = maxYaw == null ? 0.6 : maxYaw;
        secondFaceAreaRatio = secondFaceAreaRatio == null ? 0.5 : secondFaceAreaRatio;
        simd = simd == null || simd;
        int8 = int8 == null || int8;

        ConfigException.require(!dataDir.toString().isBlank(), "gallery.data_dir", "must name a folder");
        ConfigException.require(maxTemplatesPerPerson >= 1 && maxTemplatesPerPerson <= 100,
                "gallery.max_templates_per_person", "must be between 1 and 100");
        // at 0 or below nearly every face is "similar" to someone enrolled: the door would open for strangers
        ConfigException.require(threshold > 0 && threshold < 1, "gallery.threshold", "must be a cosine in (0, 1)");
        ConfigException.require(duplicateThreshold > -1 && duplicateThreshold < 1,
                "gallery.duplicate_threshold", "must be a cosine in (-1, 1)");
        ConfigException.require(minEyeDistancePx >= 0, "gallery.min_eye_distance_px", "must be >= 0");
        ConfigException.require(minFaceWidthPx >= 0, "gallery.min_face_width_px", "must be >= 0");
        ConfigException.require(minSharpness >= 0, "gallery.min_sharpness", "must be >= 0");
        ConfigException.require(maxYaw > 0, "gallery.max_yaw", "must be > 0");
        ConfigException.require(secondFaceAreaRatio > 0 && secondFaceAreaRatio <= 1,
                "gallery.second_face_area_ratio", "must be in (0, 1]");
    }

    public static GalleryConfig defaults() {
        return new GalleryConfig(null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** The same configuration with another data directory (tests, the demo, {@code --data-dir}). */
    public GalleryConfig withDataDir(Path dir) {
        return new GalleryConfig(dir, maxTemplatesPerPerson, threshold, duplicateThreshold,
                allowDuplicates, minEyeDistancePx, minFaceWidthPx, minSharpness, maxYaw, secondFaceAreaRatio,
                simd, int8);
    }

    /** The same configuration with duplicates allowed or not ({@code enroll --allow-duplicate}). */
    public GalleryConfig withAllowDuplicates(boolean on) {
        return new GalleryConfig(dataDir, maxTemplatesPerPerson, threshold, duplicateThreshold,
                on, minEyeDistancePx, minFaceWidthPx, minSharpness, maxYaw, secondFaceAreaRatio,
                simd, int8);
    }

    /** The same configuration with another matcher: SIMD wanted or not, the int8 search form on or off. */
    public GalleryConfig withMatcher(boolean simd, boolean int8) {
        return new GalleryConfig(dataDir, maxTemplatesPerPerson, threshold, duplicateThreshold,
                allowDuplicates, minEyeDistancePx, minFaceWidthPx, minSharpness, maxYaw, secondFaceAreaRatio,
                simd, int8);
    }

    /** The SQLite file inside {@link #dataDir()}. */
    public Path databaseFile() {
        return dataDir.resolve("gallery.db");
    }
}
