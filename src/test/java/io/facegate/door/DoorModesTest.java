package io.facegate.door;

import io.facegate.access.Decision;
import io.facegate.config.DoorConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static io.facegate.door.DoorEvent.Type.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Finding 3: lockdown and the admin hold-open survive a restart; a modes file that cannot be read starts the door
 * in lockdown and says so.
 */
class DoorModesTest {
    @TempDir
    Path dir;

    private final DoorConfig cfg = DoorRig.parse("");

    /** One daemon run over the modes file: a door on fresh (fake) hardware, as after a restart. */
    private final class Run implements AutoCloseable {
        final ManualTime time = new ManualTime();
        final FakeDoorHardware hw = new FakeDoorHardware(cfg.lockedEnergised());
        final DoorController door;
        final List<DoorEvent> events = Collections.synchronizedList(new ArrayList<>());

        Run(Path modesFile) {
            door = new DoorController(hw, cfg, time, time, DoorModeStore.file(modesFile));
            door.addListener(events::add);
            door.start();
        }

        boolean grant() {
            return door.grant(Decision.grant("alice", "Alice", 0.8, 0.9, 1, time.instant()));
        }

        @Override
        public void close() {
            door.close();
        }
    }

    @Test
    void lockdownSurvivesARestart() {
        Path file = dir.resolve("door.modes");
        try (Run first = new Run(file)) {
            assertTrue(first.door.setLockdown(true, "admin:alice"));
        }
        try (Run second = new Run(file)) {
            assertTrue(second.door.state().lockdown(), "lockdown after the restart");
            assertFalse(second.grant(), "and a grant is refused");
            assertTrue(second.hw.physicallyLocked());
            assertEquals(LOCKDOWN_ON, second.events.get(1).type(), "announced: " + second.events);
            assertTrue(second.door.setLockdown(false, "admin:alice"));
        }
        try (Run third = new Run(file)) {
            assertFalse(third.door.state().lockdown(), "ending it survives too");
            assertTrue(third.grant());
        }
    }

    @Test
    void holdOpenSurvivesARestart() {
        Path file = dir.resolve("door.modes");
        try (Run first = new Run(file)) {
            assertTrue(first.door.setHoldOpen(true, "admin:alice"));
        }
        try (Run second = new Run(file)) {
            assertTrue(second.door.state().holdOpen());
            assertTrue(second.door.state().unlocked());
            assertFalse(second.hw.physicallyLocked());
            assertTrue(second.door.setHoldOpen(false, "admin:alice"));
        }
        try (Run third = new Run(file)) {
            assertFalse(third.door.state().holdOpen());
            assertTrue(third.hw.physicallyLocked());
        }
    }

    @Test
    void aDoorWithoutAModesFileStartsNormally() {
        try (Run run = new Run(dir.resolve("never-written.modes"))) {
            assertFalse(run.door.state().lockdown());
            assertTrue(run.grant());
        }
    }

    @Test
    void aDamagedModesFileStartsTheDoorInLockdownAndSaysSo() throws Exception {
        for (String content : List.of("lockdown=off\n", "lockdown=of\nhold_open=off\n", "garbage",
                "lockdown=on\nhold_open=on\n", "lockdown=off\nhold_open=off\nlockdown=off\n", "\0\0\0\0")) {
            Path file = dir.resolve("damaged.modes");
            Files.writeString(file, content);
            try (Run run = new Run(file)) {
                assertTrue(run.door.state().lockdown(), "lockdown for " + content);
                assertFalse(run.grant());
                DoorEvent e = run.events.stream().filter(x -> x.type() == LOCKDOWN_ON).findFirst().orElseThrow();
                assertTrue(e.detail().contains("damaged"), e.detail());
            }
            assertEquals(content, Files.readString(file), "the damaged file is kept as evidence");
        }
    }

    @Test
    void anUnreadableModesFileStartsTheDoorInLockdown() throws Exception {
        Path file = dir.resolve("a-folder.modes");
        Files.createDirectory(file); // reading it fails
        try (Run run = new Run(file)) {
            assertTrue(run.door.state().lockdown());
            assertFalse(run.grant());
        }
    }

    @Test
    void aModesChangeThatCannotBeSavedRelaxesNothing() throws Exception {
        Path file = dir.resolve("gone").resolve("door.modes"); // the folder does not exist: saving fails
        try (Run run = new Run(file)) {
            assertTrue(run.door.setLockdown(true, "admin"), "tightening happens even if it cannot be saved");
            assertTrue(run.door.state().lockdown());
            assertTrue(run.events.stream().anyMatch(e -> e.type() == FAULT && e.detail().contains("not saved")),
                    "and says it is not durable: " + run.events);
            assertFalse(run.door.setLockdown(false, "admin"), "relaxing is refused when it cannot be saved");
            assertTrue(run.door.state().lockdown());
        }
        try (Run run = new Run(file)) {
            assertFalse(run.door.setHoldOpen(true, "admin"), "hold-open is refused when it cannot be saved");
            assertTrue(run.hw.physicallyLocked());
        }
    }

    @Test
    void theFileIsReplacedNotRewrittenInPlace() throws Exception {
        Path file = dir.resolve("door.modes");
        try (Run run = new Run(file)) {
            run.door.setLockdown(true, "admin");
            assertEquals(DoorModeStore.Modes.LOCKDOWN, DoorModeStore.file(file).load());
            run.door.setLockdown(false, "admin");
            run.door.setHoldOpen(true, "admin");
            assertEquals(new DoorModeStore.Modes(false, true), DoorModeStore.file(file).load());
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    /** The production wiring (door.modes_path) keeps lockdown across a restart too. */
    @Test
    void theProductionWiringUsesModesPath() {
        DoorConfig c = DoorRig.parse("modes_path: '" + dir.resolve("door.modes") + "'");
        try (DoorController door = DoorController.open(c)) {
            door.start();
            assertTrue(door.setLockdown(true, "admin"));
        }
        try (DoorController door = DoorController.open(c)) {
            door.start();
            assertTrue(door.state().lockdown());
            assertFalse(door.grant(Decision.grant("alice", "Alice", 0.8, 0.9, 1, java.time.Instant.now())));
        }
    }

    @Test
    void modesPathMustNameAFile() {
        assertEquals("/var/lib/facegate/door.modes", DoorConfig.defaults().modesPath());
        assertThrows(Exception.class, () -> DoorRig.parse("modes_path: ' '"));
        assertThrows(Exception.class, () -> DoorRig.parse("modes_path: /var/lib/facegate/"));
    }
}
