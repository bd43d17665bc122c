package io.facegate.config;

import java.util.List;
import java.util.Locale;

import static io.facegate.config.ConfigException.require;

/**
 * YAML section {@code door}: the GPIO wiring of relay, door contact, exit button, hold-open input and indicator,
 * the lock type, and the door's timing. See docs/door.md for wiring diagrams.
 *
 * <p>A pin number of {@code -1} means "not wired". With {@code gpiod} a pin is the line offset on the GPIO chip
 * (equal to the BCM number on a Raspberry Pi); with {@code linuxfs} it is the sysfs GPIO number; with
 * {@code pigpio} the BCM number.
 *
 * @param provider           Pi4J provider: {@code gpiod} (Raspberry Pi 5 and 4), {@code linuxfs} (sysfs, Jetson),
 *                           {@code pigpio} (Raspberry Pi up to 4), {@code mock} (no hardware; the default, so that
 *                           a missing section can never drive a real relay)
 * @param lockType           {@code fail-secure}: locked when unpowered (strike, motor lock), "locked" = relay
 *                           released; {@code fail-safe}: locked while powered (maglock), "locked" = relay energised.
 *                           Must be set explicitly for real hardware: a wrong guess leaves the door open.
 * @param relayPolarity      {@code active-high}: pin HIGH energises the relay; {@code active-low}: pin LOW does
 *                           (most opto-isolated relay boards). Must be set explicitly for real hardware.
 * @param relayPin           relay driver input
 * @param contactPin         door contact (reed switch), -1 when there is none (no forced/held-open alarms then)
 * @param contactType        {@code normally-closed}: the switch conducts while the door is closed (a cut wire then
 *                           reads "open"); {@code normally-open}: it conducts while the door is open
 * @param exitButtonPin      request-to-exit button or PIR, -1 when there is none
 * @param exitButtonType     {@code normally-open}: conducts while pressed; {@code normally-closed}: opens when pressed
 * @param holdOpenPin        hold-open input, typically a fire panel relay, -1 when there is none
 * @param holdOpenType       {@code normally-open}: conducts while hold-open is requested; {@code normally-closed}
 * @param indicatorPin       buzzer or LED, on while unlocked (and during alarms when indicatorOnAlarm), -1 for none
 * @param indicatorPolarity  {@code active-high} or {@code active-low}
 * @param inputPull          bias of the inputs: {@code up} (switch to GND, conducting reads LOW), {@code down}
 *                           (switch to 3V3, conducting reads HIGH), {@code none} (external pull-up resistor, switch
 *                           to GND; Jetson headers have no software pulls)
 * @param debounceMs         the door contact must be stable this long before a change counts
 * @param buttonDebounceMs   same for the exit button and the hold-open input
 * @param unlockMs           how long a granted face unlocks the door
 * @param exitUnlockMs       how long the exit button unlocks the door (and suppresses the forced alarm)
 * @param exitUnlocks        false when egress is mechanical (handle) and the button only suppresses the forced alarm
 * @param relockOnClose      relock as soon as the door closes after it was opened during an unlock
 * @param heldOpenMs         the door-held-open alarm is raised when the door stays open this long
 * @param indicatorOnAlarm   the indicator also sounds/lights during forced and held-open alarms
 * @param maxUnlockMs        the longest unlock an admin command may ask for
 * @param linuxfsPath        sysfs GPIO folder for {@code linuxfs}
 * @param pigpioHost         pigpio daemon host for {@code pigpio}; null uses the native library (needs root)
 * @param pigpioPort         pigpio daemon port
 * @param modesPath          file keeping lockdown and the admin hold-open across restarts (replaced atomically);
 *                           a file that exists but cannot be read starts the door in lockdown. Default
 *                           {@code /var/lib/facegate/door.modes}, next to the gallery
 */
public record DoorConfig(String provider, String lockType, String relayPolarity, Integer relayPin,
                         Integer contactPin, String contactType, Integer exitButtonPin, String exitButtonType,
                         Integer holdOpenPin, String holdOpenType, Integer indicatorPin, String indicatorPolarity,
                         String inputPull, Long debounceMs, Long buttonDebounceMs, Long unlockMs, Long exitUnlockMs,
                         Boolean exitUnlocks, Boolean relockOnClose, Long heldOpenMs, Boolean indicatorOnAlarm,
                         Long maxUnlockMs, String linuxfsPath, String pigpioHost, Integer pigpioPort,
                         String modesPath) {

    public static final List<String> PROVIDERS = List.of("gpiod", "linuxfs", "pigpio", "mock");
    public static final List<String> LOCK_TYPES = List.of("fail-secure", "fail-safe");
    public static final List<String> POLARITIES = List.of("active-high", "active-low");
    public static final List<String> CONTACT_TYPES = List.of("normally-closed", "normally-open");
    public static final List<String> PULLS = List.of("up", "down", "none");
    public static final int NOT_WIRED = -1;

    public DoorConfig {
        provider = lower(provider, "mock");
        require(PROVIDERS.contains(provider), "door.provider", "must be one of " + PROVIDERS);
        boolean real = !provider.equals("mock");
        require(!real || lockType != null, "door.lock_type",
                "must be set explicitly (fail-secure or fail-safe) for real hardware: a wrong guess leaves the door open");
        require(!real || relayPolarity != null, "door.relay_polarity",
                "must be set explicitly (active-high or active-low) for real hardware: a wrong guess leaves the door open");
        lockType = lower(lockType, "fail-secure");
        relayPolarity = lower(relayPolarity, "active-high");
        relayPin = relayPin == null ? 17 : relayPin;
        contactPin = contactPin == null ? 27 : contactPin;
        contactType = lower(contactType, "normally-closed");
        exitButtonPin = exitButtonPin == null ? 22 : exitButtonPin;
        exitButtonType = lower(exitButtonType, "normally-open");
        holdOpenPin = holdOpenPin == null ? NOT_WIRED : holdOpenPin;
        holdOpenType = lower(holdOpenType, "normally-open");
        indicatorPin = indicatorPin == null ? NOT_WIRED : indicatorPin;
        indicatorPolarity = lower(indicatorPolarity, "active-high");
        inputPull = lower(inputPull, "up");
        debounceMs = debounceMs == null ? 50L : debounceMs;
        buttonDebounceMs = buttonDebounceMs == null ? 30L : buttonDebounceMs;
        unlockMs = unlockMs == null ? 5000L : unlockMs;
        exitUnlockMs = exitUnlockMs == null ? 5000L : exitUnlockMs;
        exitUnlocks = exitUnlocks == null || exitUnlocks;
        relockOnClose = relockOnClose == null || relockOnClose;
        heldOpenMs = heldOpenMs == null ? 30_000L : heldOpenMs;
        indicatorOnAlarm = indicatorOnAlarm == null || indicatorOnAlarm;
        maxUnlockMs = maxUnlockMs == null ? 3_600_000L : maxUnlockMs;
        linuxfsPath = linuxfsPath == null ? "/sys/class/gpio" : linuxfsPath;
        pigpioPort = pigpioPort == null ? 8888 : pigpioPort;
        modesPath = modesPath == null ? "/var/lib/facegate/door.modes" : modesPath;

        require(LOCK_TYPES.contains(lockType), "door.lock_type", "must be one of " + LOCK_TYPES);
        require(POLARITIES.contains(relayPolarity), "door.relay_polarity", "must be one of " + POLARITIES);
        require(POLARITIES.contains(indicatorPolarity), "door.indicator_polarity", "must be one of " + POLARITIES);
        require(CONTACT_TYPES.contains(contactType), "door.contact_type", "must be one of " + CONTACT_TYPES);
        require(CONTACT_TYPES.contains(exitButtonType), "door.exit_button_type", "must be one of " + CONTACT_TYPES);
        require(CONTACT_TYPES.contains(holdOpenType), "door.hold_open_type", "must be one of " + CONTACT_TYPES);
        require(PULLS.contains(inputPull), "door.input_pull", "must be one of " + PULLS);
        require(relayPin >= 0 && relayPin < 1024, "door.relay_pin", "must be 0..1023 (the relay is not optional)");
        pin(contactPin, "door.contact_pin");
        pin(exitButtonPin, "door.exit_button_pin");
        pin(holdOpenPin, "door.hold_open_pin");
        pin(indicatorPin, "door.indicator_pin");
        List<Integer> used = new java.util.ArrayList<>(List.of(relayPin));
        for (Integer p : List.of(contactPin, exitButtonPin, holdOpenPin, indicatorPin)) {
            if (p != NOT_WIRED) {
                require(!used.contains(p), "door", "pin " + p + " is used twice");
                used.add(p);
            }
        }
        require(debounceMs >= 0 && debounceMs <= 5000, "door.debounce_ms", "must be 0..5000");
        require(buttonDebounceMs >= 0 && buttonDebounceMs <= 5000, "door.button_debounce_ms", "must be 0..5000");
        require(unlockMs > 0, "door.unlock_ms", "must be > 0");
        require(exitUnlockMs > 0, "door.exit_unlock_ms", "must be > 0");
        require(heldOpenMs > 0, "door.held_open_ms", "must be > 0");
        require(maxUnlockMs >= unlockMs, "door.max_unlock_ms", "must be >= door.unlock_ms");
        require(!linuxfsPath.isBlank(), "door.linuxfs_path", "must name the sysfs GPIO folder");
        require(pigpioHost == null || !pigpioHost.isBlank(), "door.pigpio_host",
                "must not be empty (leave the key out for the native library)");
        require(pigpioPort > 0 && pigpioPort < 65536, "door.pigpio_port", "must be 1..65535");
        require(!modesPath.isBlank() && !modesPath.endsWith("/"), "door.modes_path",
                "must name a file (it keeps lockdown and hold-open across restarts)");
    }

    public static DoorConfig defaults() {
        return new DoorConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** True for a fail-safe lock: the relay must be energised to keep the door locked. */
    public boolean lockedEnergised() {
        return lockType.equals("fail-safe");
    }

    public boolean relayActiveHigh() {
        return relayPolarity.equals("active-high");
    }

    public boolean indicatorActiveHigh() {
        return indicatorPolarity.equals("active-high");
    }

    public static boolean wired(int pin) {
        return pin != NOT_WIRED;
    }

    private static void pin(int pin, String key) {
        require(pin == NOT_WIRED || (pin >= 0 && pin < 1024), key, "must be 0..1023, or -1 when not wired");
    }

    private static String lower(String s, String dflt) {
        return s == null ? dflt : s.trim().toLowerCase(Locale.ROOT);
    }
}
