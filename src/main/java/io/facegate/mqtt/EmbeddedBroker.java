package io.facegate.mqtt;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Properties;

/**
 * An in-process MQTT 3.1.1 broker (Moquette) on a free loopback port, for the demo and the pipeline benchmark:
 * a door with no broker to talk to still exercises its real MQTT path. Never bound beyond 127.0.0.1.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private final Server server = new Server();
    private final int port;

    private EmbeddedBroker(int port) {
        this.port = port;
    }

    /** Starts a broker on a free port, keeping its persistent sessions under {@code dataDir}. */
    public static EmbeddedBroker start(Path dataDir) {
        return start(dataDir, freePort());
    }

    /** The one Moquette configuration: loopback only, anonymous, sessions persisted under {@code dataDir}. */
    static Properties config(Path dataDir, int port) {
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", Integer.toString(port));
        p.setProperty("websocket_port", "disabled");
        p.setProperty("allow_anonymous", "true");
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("persistence_enabled", "true");
        p.setProperty("data_path", dataDir.resolve("broker").toString());
        p.setProperty("netty.mqtt.message_size", Integer.toString(8 * 1024 * 1024));
        return p;
    }

    /** Starts a broker on {@code port} (a restart on the same port and data finds its sessions again). */
    public static EmbeddedBroker start(Path dataDir, int port) {
        EmbeddedBroker broker = new EmbeddedBroker(port);
        try {
            broker.server.startServer(new MemoryConfig(config(dataDir, port)));
        } catch (IOException e) {
            throw new UncheckedIOException("embedded MQTT broker did not start: " + e.getMessage(), e);
        }
        return broker;
    }

    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** A loopback port nobody listens on right now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stopServer();
    }
}
