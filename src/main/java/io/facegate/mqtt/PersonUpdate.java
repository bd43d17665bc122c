package io.facegate.mqtt;

import java.time.Instant;
import java.util.Set;

/**
 * Changes to a person's access fields; a null field stays as it is. To clear a validity bound, set
 * {@code clearValidFrom}/{@code clearValidUntil}.
 */
public record PersonUpdate(String personId, String displayName, Set<String> groups, Boolean enabled,
                           Instant validFrom, Instant validUntil, boolean clearValidFrom, boolean clearValidUntil) {
    public PersonUpdate {
        groups = groups == null ? null : Set.copyOf(groups);
    }
}
