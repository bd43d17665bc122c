package io.facegate.door;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.library.pigpio.PiGpio;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalInputProvider;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalOutputProvider;
import com.pi4j.plugin.linuxfs.provider.gpio.digital.LinuxFsDigitalInputProvider;
import com.pi4j.plugin.linuxfs.provider.gpio.digital.LinuxFsDigitalOutputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import com.pi4j.plugin.pigpio.provider.gpio.digital.PiGpioDigitalInputProvider;
import com.pi4j.plugin.pigpio.provider.gpio.digital.PiGpioDigitalOutputProvider;
import com.pi4j.provider.Provider;
import io.facegate.config.DoorConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@link DoorHardware} over Pi4J 2.8 with the provider named in {@code door.provider}. The context is built with
 * exactly the two digital providers needed (never auto-detected), so a mock configuration can never touch a real
 * pin and a real one never silently falls back to a mock.
 *
 * <p>The relay output is created with its <em>initial</em> and <em>shutdown</em> states set to the locked level,
 * so the pin is locked from the first instant Pi4J owns it, and Pi4J's own shutdown (also run from its JVM
 * shutdown hook when enabled) leaves it locked.
 */
public final class Pi4jDoorHardware implements DoorHardware {
    private static final Logger log = LoggerFactory.getLogger(Pi4jDoorHardware.class);

    static final String RELAY_ID = "facegate-relay";
    static final String INDICATOR_ID = "facegate-indicator";
    static final Map<Input, String> INPUT_IDS = Map.of(
            Input.CONTACT, "facegate-contact",
            Input.EXIT_BUTTON, "facegate-exit-button",
            Input.HOLD_OPEN, "facegate-hold-open");

    private final DoorConfig config;
    private final Context context;
    /** The ids of the configured provider's input and output plugins (what each pin is created with). */
    private final String inputProvider;
    private final String outputProvider;
    private final DigitalOutput relay;
    private final DigitalOutput indicator;
    private final Map<Input, DigitalInput> inputs = new EnumMap<>(Input.class);
    /** Input level (HIGH or LOW) that means "active" for each input, from its contact type and the pull. */
    private final Map<Input, DigitalState> activeLevel = new EnumMap<>(Input.class);
    private volatile InputListener listener;
    private volatile boolean closed;

    /**
     * Opens the pins. The relay is driven to the locked level before any input is set up.
     *
     * @param shutdownHook let Pi4J register its JVM shutdown hook, which drives the relay to its shutdown
     *                     (locked) level when the JVM exits on a signal; tests pass false
     */
    public Pi4jDoorHardware(DoorConfig config, boolean shutdownHook) {
        this.config = Objects.requireNonNull(config);
        Provider<?, ?, ?>[] providers = providers(config);
        this.inputProvider = providers[0].id();
        this.outputProvider = providers[1].id();
        this.context = Pi4J.newContextBuilder()
                .noAutoDetect()
                .add(providers)
                .setShutdownHook(shutdownHook)
                .build();
        try {
            DigitalState locked = relayLevel(config.lockedEnergised());
            relay = context.create(DigitalOutput.newConfigBuilder(context)
                    .id(RELAY_ID).name("door relay")
                    .address(config.relayPin())
                    .initial(locked)
                    .shutdown(locked)
                    .provider(outputProvider));
            relay.state(locked); // some providers ignore 'initial'; be explicit
            if (DoorConfig.wired(config.indicatorPin())) {
                DigitalState off = config.indicatorActiveHigh() ? DigitalState.LOW : DigitalState.HIGH;
                indicator = context.create(DigitalOutput.newConfigBuilder(context)
                        .id(INDICATOR_ID).name("door indicator")
                        .address(config.indicatorPin())
                        .initial(off).shutdown(off)
                        .provider(outputProvider));
            } else {
                indicator = null;
            }
            addInput(Input.CONTACT, config.contactPin(), config.contactType(), config.debounceMs(), "door contact");
            addInput(Input.EXIT_BUTTON, config.exitButtonPin(), config.exitButtonType(), config.buttonDebounceMs(),
                    "exit button");
            addInput(Input.HOLD_OPEN, config.holdOpenPin(), config.holdOpenType(), config.buttonDebounceMs(),
                    "hold-open input");
        } catch (RuntimeException e) {
            shutdownQuietly();
            throw new DoorHardwareException("cannot open door GPIO with provider " + config.provider()
                    + ": " + e.getMessage(), e);
        }
        log.info("door GPIO open: provider={}, lock={}, relay pin {} ({}), inputs {}", config.provider(),
                config.lockType(), config.relayPin(), config.relayPolarity(), inputs.keySet());
    }

    private void addInput(Input input, int pin, String type, long debounceMs, String name) {
        if (!DoorConfig.wired(pin)) {
            return;
        }
        PullResistance pull = switch (config.inputPull()) {
            case "up" -> PullResistance.PULL_UP;
            case "down" -> PullResistance.PULL_DOWN;
            default -> PullResistance.OFF;
        };
        // With a pull-up (internal or external) the closed switch pulls the pin LOW; with a pull-down, HIGH.
        DigitalState conducting = config.inputPull().equals("down") ? DigitalState.HIGH : DigitalState.LOW;
        DigitalState open = conducting == DigitalState.HIGH ? DigitalState.LOW : DigitalState.HIGH;
        // "normally-open" conducts while active (door open, button pressed, hold-open requested);
        // "normally-closed" conducts while inactive (a door contact conducting while the door is shut).
        boolean conductsWhenActive = type.equals("normally-open");
        activeLevel.put(input, conductsWhenActive ? conducting : open);
        DigitalInput in = context.create(DigitalInput.newConfigBuilder(context)
                .id(INPUT_IDS.get(input)).name(name)
                .address(pin)
                .pull(pull)
                .debounce(Math.max(1, debounceMs) * 1000L) // Pi4J wants microseconds; honoured where supported
                .provider(inputProvider));
        in.addListener(event -> {
            InputListener l = listener;
            if (l != null && !closed) {
                l.onInput(input, event.state() == activeLevel.get(input));
            }
        });
        inputs.put(input, in);
    }

    private DigitalState relayLevel(boolean energised) {
        return energised == config.relayActiveHigh() ? DigitalState.HIGH : DigitalState.LOW;
    }

    @Override
    public void setRelay(boolean energised) {
        if (closed) {
            throw new DoorHardwareException("door GPIO is closed", null);
        }
        try {
            relay.state(relayLevel(energised));
        } catch (RuntimeException e) {
            throw new DoorHardwareException("cannot drive the relay: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the relay output back through Pi4J's {@link DigitalOutput#state()}: {@code linuxfs} reads the sysfs
     * value and {@code pigpio} the pin level; Pi4J 2.8's {@code gpiod} output answers the last level written
     * successfully (a failed write leaves the old level, so it still never reports a level that was not set).
     * A state that is neither HIGH nor LOW is an error, never "released".
     */
    @Override
    public boolean relayEnergised() {
        DigitalState level;
        try {
            level = relay.state();
        } catch (RuntimeException e) {
            throw new DoorHardwareException("cannot read the relay output back: " + e.getMessage(), e);
        }
        if (level != DigitalState.HIGH && level != DigitalState.LOW) {
            throw new DoorHardwareException("relay output reads " + level + ", neither HIGH nor LOW", null);
        }
        return level == relayLevel(true);
    }

    @Override
    public void setIndicator(boolean on) {
        if (indicator == null || closed) {
            return;
        }
        try {
            indicator.state(on == config.indicatorActiveHigh() ? DigitalState.HIGH : DigitalState.LOW);
        } catch (RuntimeException e) {
            throw new DoorHardwareException("cannot drive the indicator: " + e.getMessage(), e);
        }
    }

    @Override
    public Set<Input> inputs() {
        return Collections.unmodifiableSet(inputs.keySet());
    }

    @Override
    public boolean read(Input input) {
        DigitalInput in = inputs.get(input);
        if (in == null) {
            throw new IllegalArgumentException(input + " is not wired");
        }
        return in.state() == activeLevel.get(input);
    }

    @Override
    public void setInputListener(InputListener listener) {
        this.listener = listener;
    }

    /** The relay's Pi4J output, for benchmarks that watch it switch. */
    public DigitalOutput relayOutput() {
        return relay;
    }

    /** The Pi4J context, for tests that reach the mock pins. */
    Context context() {
        return context;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        listener = null;
        try {
            relay.state(relayLevel(config.lockedEnergised()));
        } catch (RuntimeException e) {
            log.error("could not drive the relay to locked on close", e);
        }
        closed = true;
        shutdownQuietly(); // applies each output's shutdown state: locked relay, indicator off
    }

    private void shutdownQuietly() {
        try {
            context.shutdown();
        } catch (Exception e) {
            log.warn("Pi4J shutdown: {}", e.toString());
        }
    }

    /** The configured provider's digital input and output plugins, in that order. */
    private static Provider<?, ?, ?>[] providers(DoorConfig c) {
        return switch (c.provider()) {
            case "gpiod" -> new Provider<?, ?, ?>[]{GpioDDigitalInputProvider.newInstance(),
                    GpioDDigitalOutputProvider.newInstance()};
            case "linuxfs" -> new Provider<?, ?, ?>[]{LinuxFsDigitalInputProvider.newInstance(c.linuxfsPath()),
                    LinuxFsDigitalOutputProvider.newInstance(c.linuxfsPath())};
            case "pigpio" -> {
                PiGpio pigpio = c.pigpioHost() == null ? PiGpio.newNativeInstance()
                        : PiGpio.newSocketInstance(c.pigpioHost(), c.pigpioPort());
                yield new Provider<?, ?, ?>[]{PiGpioDigitalInputProvider.newInstance(pigpio),
                        PiGpioDigitalOutputProvider.newInstance(pigpio)};
            }
            case "mock" -> new Provider<?, ?, ?>[]{MockDigitalInputProvider.newInstance(),
                    MockDigitalOutputProvider.newInstance()};
            default -> throw new IllegalArgumentException("door.provider: " + c.provider());
        };
    }
}
