package io.facegate.door;

import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutput;
import io.facegate.config.DoorConfig;
import io.facegate.door.DoorHardware.Input;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@link DoorHardware} contract on the production implementation over Pi4J's mock provider; the wire levels
 * are worked out here from the wiring rules (DoorRig), independently of {@link Pi4jDoorHardware}'s own mapping.
 */
class Pi4jDoorHardwareTest extends DoorHardwareContract {

    @Override
    Subject subject(DoorConfig cfg) {
        DoorRig rig = new DoorRig(cfg); // builds the Pi4J mock hardware and sets the inputs idle
        MockDigitalOutput relay = rig.relayOutput(); // kept: Pi4J forgets its IO on shutdown
        DigitalState energisedLevel = cfg.relayPolarity().equals("active-high") ? DigitalState.HIGH : DigitalState.LOW;
        return new Subject() {
            @Override
            public DoorHardware hardware() {
                return rig.hw;
            }

            @Override
            public boolean coilEnergised() {
                return relay.state() == energisedLevel;
            }

            @Override
            public void drive(Input input, boolean active) {
                rig.setPin(input, active);
            }
        };
    }

    @Test
    void aRelayOutputInAnUnknownStateIsNotReadBackAsLocked() {
        DoorConfig cfg = DoorRig.parse(""); // fail-secure: "not energised" would mean locked
        Pi4jDoorHardware hw = new Pi4jDoorHardware(cfg, false);
        try (hw) {
            hw.context().io(Pi4jDoorHardware.RELAY_ID, MockDigitalOutput.class).mockState(DigitalState.UNKNOWN);
            assertThrows(DoorHardwareException.class, hw::relayEnergised);
        }
    }

    @Test
    void aRelayOutputChangedBehindTheControllerIsReadBack() {
        DoorConfig cfg = DoorRig.parse("lock_type: fail-safe\nrelay_polarity: active-low");
        try (Pi4jDoorHardware hw = new Pi4jDoorHardware(cfg, false)) {
            assertTrue(hw.relayEnergised(), "fail-safe locked = energised");
            hw.context().io(Pi4jDoorHardware.RELAY_ID, MockDigitalOutput.class).mockState(DigitalState.HIGH);
            assertFalse(hw.relayEnergised(), "active-low: HIGH is released");
        }
    }

    @Test
    void theControllerOverPi4jFaultsWhenTheOutputMovesBehindIt() {
        try (DoorRig rig = new DoorRig("").start()) {
            rig.takeTypes();
            rig.relayOutput().mockState(DigitalState.HIGH); // fail-secure active-high: unlocked
            assertTrue(rig.door.state().unlocked(), "state() reports the pin, not the wish");
            rig.time.advance(java.time.Duration.ZERO);
            assertEquals(DoorEvent.Type.FAULT, rig.types().get(0));
            assertTrue(rig.relayLocked(), "the fault locked it again");
            rig.time.advance(DoorController.LOCK_RETRY_FIRST);
            assertFalse(rig.door.state().faulted());
            assertTrue(rig.grant("alice"));
        }
    }
}
