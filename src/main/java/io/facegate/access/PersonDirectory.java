package io.facegate.access;

import java.util.Optional;

/** Looks up enrolled persons for the access policy; the gallery implements it. Must be thread-safe. */
@FunctionalInterface
public interface PersonDirectory {
    Optional<PersonAccess> find(String personId);

    /**
     * False when the directory cannot vouch for what it knows of this person (a change of theirs could not be
     * stored, or the directory could not be re-read): {@link #find} then answers empty and the person is denied
     * with {@link DenialReason#GALLERY_DEGRADED}.
     */
    default boolean vouchesFor(String personId) {
        return true;
    }
}
