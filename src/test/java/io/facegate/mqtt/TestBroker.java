package io.facegate.mqtt;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real broker for integration tests, bound to 127.0.0.1 on a free port, with persistence in a temp dir so a
 * stop/start keeps retained messages and persistent sessions: Debian's Mosquitto (when on the PATH) and the
 * embedded Moquette 0.17 (MQTT 3.1.1 only).
 */
public abstract class TestBroker implements AutoCloseable {
    public enum Kind { MOSQUITTO, MOQUETTE }

    protected final Path dir;
    protected final int port;

    protected TestBroker(Path dir) {
        this.dir = dir;
        this.port = freePort();
    }

    /** Every broker kind, for {@code @MethodSource}. */
    public static Stream<Kind> kinds() {
        return Stream.of(Kind.MOSQUITTO, Kind.MOQUETTE);
    }

    /** Starts a broker of that kind, or skips the test (saying why) when Mosquitto is not installed. */
    public static TestBroker start(Kind kind, Path dir) throws IOException {
        TestBroker b = switch (kind) {
            case MOSQUITTO -> {
                Assumptions.assumeTrue(mosquittoPath() != null,
                        "mosquitto is not on the PATH (apt-get install mosquitto); Mosquitto variant skipped");
                yield new Mosquitto(dir);
            }
            case MOQUETTE -> new Moquette(dir);
        };
        b.start();
        return b;
    }

    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    public abstract void start() throws IOException;

    public abstract void stop();

    @Override
    public void close() {
        stop();
    }

    static int freePort() {
        return EmbeddedBroker.freePort();
    }

    static String mosquittoPath() {
        for (String d : (System.getenv("PATH") + ":/usr/sbin").split(File.pathSeparator)) {
            File f = new File(d, "mosquitto");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }

    void awaitPort(boolean open) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            boolean isOpen;
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                isOpen = true;
            } catch (IOException e) {
                isOpen = false;
            }
            if (isOpen == open) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("broker port " + port + " did not become " + (open ? "open" : "closed"));
    }

    static final class Mosquitto extends TestBroker {
        private Process process;

        static Mosquitto custom(Path dir, java.util.function.IntFunction<List<String>> listeners) throws IOException {
            Assumptions.assumeTrue(mosquittoPath() != null, "mosquitto is not on the PATH; test skipped");
            Mosquitto m = new Mosquitto(dir, listeners);
            m.start();
            return m;
        }

        Mosquitto(Path dir) throws IOException {
            this(dir, port -> List.of("listener " + port + " 127.0.0.1", "allow_anonymous true"));
        }

        /** A plain Mosquitto with {@code settings} (e.g. queue limits) overriding the defaults below; started. */
        static Mosquitto withSettings(Path dir, List<String> settings) throws IOException {
            Assumptions.assumeTrue(mosquittoPath() != null, "mosquitto is not on the PATH; test skipped");
            Mosquitto m = new Mosquitto(dir, port -> List.of("listener " + port + " 127.0.0.1",
                    "allow_anonymous true"), settings);
            m.start();
            return m;
        }

        /** A Mosquitto whose listeners and security come from {@code listeners} (given the free port). */
        Mosquitto(Path dir, java.util.function.IntFunction<List<String>> listeners) throws IOException {
            this(dir, listeners, List.of());
        }

        Mosquitto(Path dir, java.util.function.IntFunction<List<String>> listeners, List<String> settings)
                throws IOException {
            super(dir);
            Files.createDirectories(dir.resolve("mosquitto-data"));
            Files.writeString(dir.resolve("mosquitto.conf"), String.join("\n",
                    String.join("\n", listeners.apply(port)),
                    "set_tcp_nodelay true",
                    // started as root, Mosquitto would drop to user 'mosquitto' and fail to save its persistence
                    "user " + System.getProperty("user.name"),
                    "persistence true",
                    "persistence_location " + dir.resolve("mosquitto-data") + "/",
                    // the fleet settings (docs/mqtt.md "Broker settings", bench.LocalMosquitto): manifests grow
                    // with the fleet, and a test's spy subscribes to everything
                    "message_size_limit 0",
                    "max_queued_messages 100000",
                    "max_inflight_messages 0",
                    "log_dest stderr",
                    "log_type error",
                    "log_type warning",
                    String.join("\n", settings), // later lines win in a Mosquitto configuration
                    ""));
        }

        @Override
        public void start() throws IOException {
            process = new ProcessBuilder(mosquittoPath(), "-c", dir.resolve("mosquitto.conf").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile()))
                    .start();
            awaitPort(true);
        }

        @Override
        public void stop() {
            if (process != null && process.isAlive()) {
                process.destroy(); // SIGTERM: Mosquitto saves its persistence file on the way out
                try {
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                        process.waitFor(5, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                awaitPort(false);
            }
        }
    }

    static final class Moquette extends TestBroker {
        private EmbeddedBroker server;

        Moquette(Path dir) {
            super(dir);
        }

        @Override
        public void start() {
            server = EmbeddedBroker.start(dir.resolve("moquette-data"), port);
            awaitPort(true);
        }

        @Override
        public void stop() {
            if (server != null) {
                server.close();
                server = null;
                awaitPort(false);
            }
        }
    }
}
