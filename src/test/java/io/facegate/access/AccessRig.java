package io.facegate.access;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.facegate.config.AccessConfig;
import io.facegate.config.Yaml;
import io.facegate.door.ManualTime;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** An access policy over an in-memory directory, a manual clock and switchable door/lockdown flags. */
final class AccessRig {
    final ManualTime time;
    final AccessConfig cfg;
    final Map<String, PersonAccess> people = new ConcurrentHashMap<>();
    volatile boolean doorOpen;
    volatile boolean lockdown;
    /** Persons the directory cannot vouch for (as the gallery after a change it could not store). */
    final Set<String> unvouched = ConcurrentHashMap.newKeySet();
    final AccessPolicy policy;

    AccessRig(String yaml) {
        this(parse(yaml), new ManualTime(Instant.parse("2025-01-06T08:00:00Z"))); // a Monday, 09:00 in Berlin
    }

    AccessRig(AccessConfig cfg, ManualTime time) {
        this.cfg = cfg;
        this.time = time;
        PersonDirectory directory = new PersonDirectory() {
            @Override
            public Optional<PersonAccess> find(String id) {
                return unvouched.contains(id) ? Optional.empty() : Optional.ofNullable(people.get(id));
            }

            @Override
            public boolean vouchesFor(String id) {
                return !unvouched.contains(id);
            }
        };
        policy = new AccessPolicy(cfg, directory, time, () -> doorOpen, () -> lockdown);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper YAML = Yaml.mapper();

    static AccessConfig parse(String yaml) {
        try {
            return YAML.readValue(yaml.isBlank() ? "{}" : yaml, AccessConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    AccessRig person(String id, String... groups) {
        people.put(id, new PersonAccess(id, "Name " + id, Set.of(groups), true, null, null));
        return this;
    }

    /** One good frame of {@code person} (null: unknown) on {@code track}, then 100 ms pass. */
    Optional<Decision> frame(long track, String person) {
        return frame(track, person, 0.2, 0.9);
    }

    Optional<Decision> frame(long track, String person, double margin, double liveness) {
        Optional<Decision> d = policy.offer(new Recognition(track, person, person == null ? 0.2 : 0.7, margin,
                liveness, 120, time.instant()));
        time.advanceMillis(100);
        return d;
    }

    /** Offers {@code n} identical frames; returns the decision of the frame that concluded, if any. */
    Optional<Decision> frames(int n, long track, String person) {
        Optional<Decision> out = Optional.empty();
        for (int i = 0; i < n; i++) {
            Optional<Decision> d = frame(track, person);
            if (d.isPresent()) {
                if (out.isPresent()) {
                    throw new AssertionError("two decisions from one run: " + out + " and " + d);
                }
                out = d;
            }
        }
        return out;
    }
}
