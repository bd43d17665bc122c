package io.facegate.gallery;

/** Why a photo was not enrolled: a fixed list so tools can count them; each outcome also carries a message. */
public enum Rejection {
    /** The file is not an image, is truncated or corrupt. */
    UNREADABLE_IMAGE,
    /** The header declares more pixels than {@code vision.max_image_pixels} (decompression bomb guard). */
    IMAGE_TOO_LARGE,
    NO_FACE,
    /** A second face at least {@code gallery.second_face_area_ratio} the size of the largest: whose face is it? */
    MULTIPLE_FACES,
    /** Eyes closer than {@code gallery.min_eye_distance_px} or face narrower than {@code gallery.min_face_width_px}. */
    FACE_TOO_SMALL,
    /** Variance of the Laplacian of the face below {@code gallery.min_sharpness}. */
    TOO_BLURRED,
    /** Head turned further than {@code gallery.max_yaw}, judged from where the nose sits between the eyes. */
    HEAD_TURNED,
    /** The face already matches another enrolled person at or above {@code gallery.duplicate_threshold}. */
    DUPLICATE,
    /** The face does not match the person's other photos or templates (wrong photo in the folder?). */
    NOT_SAME_PERSON,
    /** This very photo (same SHA-256) is already a template of the person. */
    ALREADY_ENROLLED,
    /** The person would have more than {@code gallery.max_templates_per_person} templates. */
    TEMPLATE_LIMIT
}
