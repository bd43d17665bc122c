package io.facegate.door;

import java.nio.file.Path;

/**
 * Where the door's persistent modes (lockdown, admin hold-open) survive a restart. {@link DoorController} loads
 * them in {@link DoorController#start()} before it accepts anything, and saves every change.
 */
public interface DoorModeStore {

    /** The persistent modes. Hold-open cannot be on during lockdown. */
    record Modes(boolean lockdown, boolean holdOpen) {
        public static final Modes NONE = new Modes(false, false);
        /** What a door falls back to when its stored modes cannot be read: fail closed. */
        public static final Modes LOCKDOWN = new Modes(true, false);

        public Modes {
            if (lockdown && holdOpen) {
                throw new IllegalArgumentException("hold-open cannot be on during lockdown");
            }
        }
    }

    /**
     * The stored modes; {@link Modes#NONE} when nothing was ever stored. Throws {@link IllegalStateException} naming
     * the cause when they were stored but cannot be read or make no sense: the caller must then fail closed.
     */
    Modes load();

    /** Stores the modes durably before it returns; throws {@link java.io.UncheckedIOException} when it cannot. */
    void save(Modes modes);

    /** Where the modes are kept, for messages. */
    String describe();

    /** The modes in a small file, replaced atomically (see {@link DoorModeFile}). */
    static DoorModeStore file(Path path) {
        return new DoorModeFile(path);
    }

    /** Nothing survives a restart: for tests and benchmarks, never for a door. */
    static DoorModeStore none() {
        return new DoorModeStore() {
            private volatile Modes modes = Modes.NONE;

            @Override
            public Modes load() {
                return modes;
            }

            @Override
            public void save(Modes m) {
                modes = m;
            }

            @Override
            public String describe() {
                return "memory (not persisted)";
            }
        };
    }
}
