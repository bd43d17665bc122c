package io.facegate.door;

import io.facegate.config.DoorConfig;
import io.facegate.door.DoorHardware.Input;

/** The {@link DoorHardware} contract on the fault-injection fake, so that its faults are the only difference. */
class FakeDoorHardwareTest extends DoorHardwareContract {
    @Override
    Subject subject(DoorConfig cfg) {
        FakeDoorHardware hw = new FakeDoorHardware(cfg.lockedEnergised());
        return new Subject() {
            @Override
            public DoorHardware hardware() {
                return hw;
            }

            @Override
            public boolean coilEnergised() {
                return hw.coilEnergised();
            }

            @Override
            public void drive(Input input, boolean active) {
                hw.setInput(input, active);
            }
        };
    }
}
