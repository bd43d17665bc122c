package io.facegate.mqtt;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Enroll (or re-enroll, replacing) one person: from photos (JPEG/PNG bytes that the device embeds after its quality
 * gates) or from ready templates made by the model whose SHA-256 is given.
 *
 * @param validFrom   null: valid from now on
 * @param validUntil  null: never expires
 * @param photos      decoded photo files; empty when templates are given
 * @param templates   embeddings; empty when photos are given
 * @param modelSha256 hex SHA-256 of the feature model that made {@code templates}; null with photos
 */
public record EnrollRequest(String personId, String displayName, Set<String> groups, boolean enabled,
                            Instant validFrom, Instant validUntil, List<byte[]> photos, List<float[]> templates,
                            String modelSha256) {
    public EnrollRequest {
        groups = Set.copyOf(groups);
        photos = List.copyOf(photos);
        templates = List.copyOf(templates);
    }
}
