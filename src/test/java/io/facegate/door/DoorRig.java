package io.facegate.door;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutput;
import io.facegate.access.Decision;
import io.facegate.config.DoorConfig;
import io.facegate.config.Yaml;
import io.facegate.door.DoorHardware.Input;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A door on Pi4J's mock provider with a manual clock. Inputs are driven at the pin level, computed here from the
 * wiring (pull-up, switch to ground) independently of {@link Pi4jDoorHardware}'s own mapping.
 */
final class DoorRig implements AutoCloseable {
    final ManualTime time = new ManualTime();
    final DoorConfig cfg;
    final Pi4jDoorHardware hw;
    final DoorController door;
    final List<DoorEvent> events = Collections.synchronizedList(new ArrayList<>());

    DoorRig(String yaml) {
        this(parse(yaml));
    }

    DoorRig(DoorConfig cfg) {
        this(cfg, new Pi4jDoorHardware(cfg, false));
    }

    DoorRig(DoorConfig cfg, Pi4jDoorHardware hw) {
        this(cfg, hw, hw);
    }

    /** @param asSeen the hardware the controller talks to (may wrap {@code hw} to inject faults) */
    DoorRig(DoorConfig cfg, Pi4jDoorHardware hw, DoorHardware asSeen) {
        this.cfg = cfg;
        this.hw = hw;
        for (Input in : hw.inputs()) {
            setPin(in, false); // idle: door closed, button released, no hold-open
        }
        door = new DoorController(asSeen, cfg, time, time);
        door.addListener(events::add);
    }

    static DoorConfig parse(String yaml) {
        try {
            return Yaml.mapper().readValue(yaml.isBlank() ? "{}" : yaml, DoorConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    DoorRig start() {
        door.start();
        return this;
    }

    MockDigitalInput input(Input in) {
        return hw.context().io(Pi4jDoorHardware.INPUT_IDS.get(in), MockDigitalInput.class);
    }

    MockDigitalOutput relayOutput() {
        return hw.context().io(Pi4jDoorHardware.RELAY_ID, MockDigitalOutput.class);
    }

    DigitalState relayPin() {
        return relayOutput().state();
    }

    DigitalState indicatorPin() {
        return hw.context().io(Pi4jDoorHardware.INDICATOR_ID, MockDigitalOutput.class).state();
    }

    /** Sets the raw pin level of an input (no waiting for debounce). Switch to GND with a pull-up. */
    void setPin(Input in, boolean active) {
        String type = switch (in) {
            case CONTACT -> cfg.contactType();
            case EXIT_BUTTON -> cfg.exitButtonType();
            case HOLD_OPEN -> cfg.holdOpenType();
        };
        boolean conducting = type.equals("normally-open") == active;
        boolean high = cfg.inputPull().equals("down") ? conducting : !conducting;
        input(in).mockState(high ? DigitalState.HIGH : DigitalState.LOW);
    }

    /** Sets an input and waits out its debounce. */
    void set(Input in, boolean active) {
        setPin(in, active);
        time.advanceMillis(in == Input.CONTACT ? cfg.debounceMs() : cfg.buttonDebounceMs());
    }

    void openDoor() {
        set(Input.CONTACT, true);
    }

    void closeDoor() {
        set(Input.CONTACT, false);
    }

    void pressExit() {
        set(Input.EXIT_BUTTON, true);
        set(Input.EXIT_BUTTON, false);
    }

    boolean grant(String person) {
        return door.grant(Decision.grant(person, person, 0.8, 0.9, 1, time.instant()));
    }

    /** The relay pin level that means "locked" for this config, spelled out from the wiring rules. */
    DigitalState lockedLevel() {
        boolean energised = cfg.lockType().equals("fail-safe");
        return energised == cfg.relayPolarity().equals("active-high") ? DigitalState.HIGH : DigitalState.LOW;
    }

    boolean relayLocked() {
        return relayPin() == lockedLevel();
    }

    List<DoorEvent.Type> types() {
        synchronized (events) {
            return events.stream().map(DoorEvent::type).collect(Collectors.toList());
        }
    }

    List<DoorEvent.Type> takeTypes() {
        synchronized (events) {
            List<DoorEvent.Type> t = types();
            events.clear();
            return t;
        }
    }

    DoorEvent last() {
        synchronized (events) {
            return events.get(events.size() - 1);
        }
    }

    Instant now() {
        return time.instant();
    }

    @Override
    public void close() {
        door.close();
    }
}
