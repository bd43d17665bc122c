package io.facegate.access;

import java.time.Instant;
import java.util.Set;

/**
 * What the access policy needs to know about an enrolled person (no biometrics here).
 *
 * @param validFrom  null for "always valid from the start"
 * @param validUntil null for "never expires"
 */
public record PersonAccess(String id, String displayName, Set<String> groups, boolean enabled,
                           Instant validFrom, Instant validUntil) {
    public PersonAccess {
        groups = Set.copyOf(groups);
    }
}
