package io.facegate.mqtt;

import java.time.Duration;

/**
 * What a verified command may do to the door: the daemon implements it over the gallery and the door state
 * machine. Called from one thread, one command at a time, only after the signature, validity and replay checks.
 *
 * <p>Every gallery change must be durable when the method returns ok (the admin is told "ok" right after) and
 * idempotent: applying the same enrollment twice leaves the same gallery (gallery sync re-delivers records).
 * An error result must leave everything unchanged.
 */
public interface DeviceActions {
    /** Longest face capture one command may ask for, in seconds. */
    int CAPTURE_MAX_SECONDS = 600;
    /** A capture folder: a plain name (never a path) under the daemon's {@code access.capture_dir}. */
    java.util.regex.Pattern CAPTURE_FOLDER = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    /**
     * Creates or replaces the person. Photos failing the quality gates: error code {@code quality_gate}; templates
     * of another model: {@code model_mismatch}. An ok result from photos should carry {@code data.templates}
     * (base64 float32 little-endian, one per photo) and {@code data.model_sha256}: {@code admin enroll --fleet --via}
     * turns them into the fleet record.
     */
    CommandResult enroll(EnrollRequest request);

    /** Unknown person: error code {@code unknown_person}. */
    CommandResult updatePerson(PersonUpdate update);

    /** Removing an absent person is ok (idempotent). */
    CommandResult removePerson(String personId);

    /** Opens the door now for {@code duration}; {@code by} names the admin key for the audit trail. */
    CommandResult unlock(Duration duration, String by);

    CommandResult lockdown(boolean on, String by);

    GalleryState galleryState();

    /**
     * Saves the face crops the camera sees for {@code duration} into the folder {@code name} under the configured
     * capture folder (liveness calibration frames); nothing else is stored. Without a capture folder configured:
     * error {@code capture_disabled}.
     */
    default CommandResult captureFaces(String name, Duration duration, String by) {
        return CommandResult.error("capture_disabled", "this device does not capture faces");
    }

    /** Deletes the crops of capture folder {@code name} (stopping a capture into it); an absent folder is ok. */
    default CommandResult deleteCapture(String name, String by) {
        return CommandResult.error("capture_disabled", "this device does not capture faces");
    }
}
