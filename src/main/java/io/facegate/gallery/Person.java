package io.facegate.gallery;

import io.facegate.access.PersonAccess;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * An enrolled person (no biometrics: those are {@link Template}s).
 *
 * @param id          admin-chosen, stable identifier (letters, digits, {@code . _ - @}, 1..64 characters)
 * @param displayName shown on the door display and in events
 * @param groups      access groups, sorted
 * @param validFrom   null = valid from the start
 * @param validUntil  null = never expires
 * @param createdAt   set by the store on first insert
 * @param updatedAt   set by the store on every change
 */
public record Person(String id, String displayName, Set<String> groups, boolean enabled,
                     Instant validFrom, Instant validUntil, Instant createdAt, Instant updatedAt) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    public Person {
        requireValidId(id);
        Objects.requireNonNull(displayName, "displayName");
        groups = groups == null ? Set.of() : java.util.Collections.unmodifiableSortedSet(new TreeSet<>(groups));
        if (validFrom != null && validUntil != null && validUntil.isBefore(validFrom)) {
            throw new IllegalArgumentException("person " + id + ": valid_until is before valid_from");
        }
    }

    /** A new, enabled person without validity limits; the store sets the times. */
    public static Person of(String id, String displayName, Set<String> groups) {
        return new Person(id, displayName, groups, true, null, null, null, null);
    }

    /** The one person-id rule, used by the CLI, commands and fleet records alike. */
    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    public static void requireValidId(String id) {
        if (!isValidId(id)) {
            throw new IllegalArgumentException("person id '" + id
                    + "' is invalid: use 1..64 letters, digits or . _ - @");
        }
    }

    public Person withEnabled(boolean on) {
        return new Person(id, displayName, groups, on, validFrom, validUntil, createdAt, updatedAt);
    }

    public Person withValidity(Instant from, Instant until) {
        return new Person(id, displayName, groups, enabled, from, until, createdAt, updatedAt);
    }

    public PersonAccess toAccess() {
        return new PersonAccess(id, displayName, groups, enabled, validFrom, validUntil);
    }
}
