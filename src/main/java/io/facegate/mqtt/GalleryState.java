package io.facegate.mqtt;

/**
 * The gallery as the device holds it, reported in health and replies.
 *
 * @param persons     enrolled persons
 * @param contentHash SHA-256 (hex) over the gallery's content (persons, their access fields and templates), so two
 *                    doors holding the same people report the same hash
 */
public record GalleryState(int persons, String contentHash) {
}
