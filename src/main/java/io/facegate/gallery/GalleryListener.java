package io.facegate.gallery;

/** Told after every committed change (e.g. to publish the new version and hash over MQTT). */
@FunctionalInterface
public interface GalleryListener {
    /**
     * @param version     the gallery version after the change
     * @param contentHash the content hash after the change
     * @param what        a short description ("enroll alice", "remove bob"); never biometric data
     */
    void galleryChanged(long version, String contentHash, String what);
}
