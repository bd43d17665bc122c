package io.facegate.access;

import java.util.Optional;

/** Looks up enrolled persons for the access policy; the gallery implements it. Must be thread-safe. */
@FunctionalInterface
public interface PersonDirectory {
    Optional<PersonAccess> find(String personId);
}
