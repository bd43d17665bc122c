package io.facegate.door;

import io.facegate.config.DoorConfig;
import io.facegate.door.DoorHardware.Input;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What every {@link DoorHardware} must do, run on each implementation the tests use: the fault-injection fake
 * ({@link FakeDoorHardwareTest}) and the production Pi4J implementation on Pi4J's mock provider
 * ({@link Pi4jDoorHardwareTest}), for both lock types.
 */
abstract class DoorHardwareContract {

    /** One implementation under test, with a way to look at and drive its wires from outside. */
    interface Subject {
        DoorHardware hardware();

        /** The relay coil as the wire says (not through the implementation's read-back). */
        boolean coilEnergised();

        /** Changes an input's logical level at the wire, as a switch would. */
        void drive(Input input, boolean active);
    }

    /** A fresh implementation with the contact and the exit button wired. */
    abstract Subject subject(DoorConfig cfg);

    private static DoorConfig config(String lockType) {
        return DoorRig.parse("lock_type: " + lockType + "\ndebounce_ms: 0\nbutton_debounce_ms: 0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"fail-secure", "fail-safe"})
    void theRelayStartsLockedAndReadsBackWhatWasDriven(String lockType) {
        DoorConfig cfg = config(lockType);
        Subject s = subject(cfg);
        try (DoorHardware hw = s.hardware()) {
            assertEquals(cfg.lockedEnergised(), s.coilEnergised(), "created locked");
            assertEquals(cfg.lockedEnergised(), hw.relayEnergised(), "and reads back locked");
            for (boolean energised : new boolean[]{true, false, true, true, false}) {
                hw.setRelay(energised);
                assertEquals(energised, s.coilEnergised(), "the wire follows the command");
                assertEquals(energised, hw.relayEnergised(), "the read-back follows the wire");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fail-secure", "fail-safe"})
    void closeLeavesTheRelayLockedAndRefusesFurtherCommands(String lockType) {
        DoorConfig cfg = config(lockType);
        Subject s = subject(cfg);
        DoorHardware hw = s.hardware();
        hw.setRelay(!cfg.lockedEnergised()); // unlocked
        hw.close();
        assertEquals(cfg.lockedEnergised(), s.coilEnergised(), "locked after close");
        assertThrows(DoorHardwareException.class, () -> hw.setRelay(!cfg.lockedEnergised()),
                "a closed relay cannot be unlocked");
        assertEquals(cfg.lockedEnergised(), s.coilEnergised());
        hw.close(); // idempotent
    }

    @ParameterizedTest
    @ValueSource(strings = {"fail-secure"})
    void inputsAreReadAndTheirEdgesReported(String lockType) {
        Subject s = subject(config(lockType));
        try (DoorHardware hw = s.hardware()) {
            assertEquals(java.util.Set.of(Input.CONTACT, Input.EXIT_BUTTON), hw.inputs());
            assertThrows(IllegalArgumentException.class, () -> hw.read(Input.HOLD_OPEN), "not wired");
            List<String> edges = Collections.synchronizedList(new ArrayList<>());
            hw.setInputListener((in, active) -> edges.add(in + "=" + active));
            s.drive(Input.CONTACT, false);
            s.drive(Input.EXIT_BUTTON, false);
            edges.clear();
            s.drive(Input.CONTACT, true);
            assertTrue(hw.read(Input.CONTACT));
            s.drive(Input.EXIT_BUTTON, true);
            assertTrue(hw.read(Input.EXIT_BUTTON));
            s.drive(Input.CONTACT, false);
            assertFalse(hw.read(Input.CONTACT));
            assertEquals(List.of("CONTACT=true", "EXIT_BUTTON=true", "CONTACT=false"), edges);
            hw.setInputListener(null);
            s.drive(Input.EXIT_BUTTON, false);
            assertEquals(3, edges.size(), "no listener, no calls");
            hw.setIndicator(true); // not wired: does nothing, does not throw
        }
    }
}
