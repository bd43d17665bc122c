package io.facegate.mqtt;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A door that cannot hear its commands must not look online: a broker whose ACL refuses the door's command topic
 * (Moquette with an authorizator that denies the read: the SUBACK carries 0x80).
 */
class SubscriptionRefusedTest {
    @TempDir
    Path dir;

    @Test
    void aRefusedCommandSubscriptionKeepsTheDoorOfflineNamesTheTopicAndIsRetried() throws Exception {
        AtomicBoolean denyCommands = new AtomicBoolean(true);
        IAuthorizatorPolicy acl = new IAuthorizatorPolicy() {
            @Override
            public boolean canWrite(Topic topic, String user, String client) {
                return true;
            }

            @Override
            public boolean canRead(Topic topic, String user, String client) {
                return !(denyCommands.get() && topic.toString().equals("facegate/door-1/cmd"));
            }
        };
        int port = EmbeddedBroker.freePort();
        Server broker = new Server();
        broker.startServer(new MemoryConfig(EmbeddedBroker.config(dir, port)), null, null, null, acl);
        String uri = "tcp://127.0.0.1:" + port;
        List<String> status = new CopyOnWriteArrayList<>();
        try (MqttClient watcher = new MqttClient(uri, "watcher", new MemoryPersistence())) {
            watcher.connect();
            watcher.subscribe("facegate/door-1/status", 1,
                    (t, m) -> status.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
            try (TestDoor door = new TestDoor(uri, "door-1", dir, List.of(AdminKeys.generate()), 1 << 20).start()) {
                await(() -> String.valueOf(door.mqtt.healthMessage().get("last_error"))
                        .contains("facegate/door-1/cmd"), "last_error names the refused topic: "
                        + door.mqtt.healthMessage().get("last_error"));
                assertFalse(door.mqtt.connected(), "a door that cannot hear its commands is not connected");
                assertFalse(status.contains("online"), "status went online while deaf: " + status);

                denyCommands.set(false); // the broker's ACL is fixed: the retry gets through
                await(door.mqtt::connected, "the door reconnects once the subscription is granted");
                await(() -> status.contains("online"), "online once it can hear: " + status);
                assertTrue(door.mqtt.healthMessage().get("last_error") == null,
                        String.valueOf(door.mqtt.healthMessage().get("last_error")));
            }
            watcher.disconnect();
        } finally {
            broker.stopServer();
        }
    }

    @Test
    void aSubscriptionRefusedOnALiveConnectionWithdrawsOnline() throws Exception {
        AtomicBoolean denyFleet = new AtomicBoolean(false);
        IAuthorizatorPolicy acl = new IAuthorizatorPolicy() {
            @Override
            public boolean canWrite(Topic topic, String user, String client) {
                return true;
            }

            @Override
            public boolean canRead(Topic topic, String user, String client) {
                return !(denyFleet.get() && topic.toString().startsWith("facegate/fleet/"));
            }
        };
        int port = EmbeddedBroker.freePort();
        Server broker = new Server();
        broker.startServer(new MemoryConfig(EmbeddedBroker.config(dir, port)), null, null, null, acl);
        String uri = "tcp://127.0.0.1:" + port;
        KeyPair admin = AdminKeys.generate();
        try (TestDoor door = new TestDoor(uri, "door-1", dir, List.of(admin), 1 << 20).start();
             AdminClient cli = new AdminClient(uri, AdminClient.plainOptions(), "facegate", admin.getPrivate(),
                     admin.getPublic(), DoorKeys.of(List.of(dir)), Clock.systemUTC())) {
            door.awaitConnected();
            denyFleet.set(true);
            // sync_gallery makes the door subscribe to the fleet manifest again: the broker now refuses that.
            // The door may drop the connection before its reply goes out: the admin then sees a timeout.
            cli.send(cli.sign(CommandKind.SYNC_GALLERY, "door-1", JsonNodeFactory.instance.objectNode(),
                    Duration.ofMinutes(1)), Set.of("door-1"), Duration.ofSeconds(1));
            await(() -> String.valueOf(door.mqtt.healthMessage().get("last_error"))
                    .contains("facegate/fleet/manifest"), "last_error names the refused topic: "
                    + door.mqtt.healthMessage().get("last_error"));
            assertFalse(door.mqtt.connected(), "online withdrawn");

            denyFleet.set(false);
            await(door.mqtt::connected, "back online once the fleet topics may be read again");
        } finally {
            broker.stopServer();
        }
    }

    /**
     * The same with Mosquitto 2.0, whose dynamic-security plugin refuses a denied subscription with 0x80 in the
     * SUBACK. (Its plain {@code acl_file} grants such a subscription and silently delivers nothing: a door cannot see
     * that, see docs/mqtt.md.)
     */
    @Test
    void mosquittoWithADynamicSecurityRoleDenyingTheCommandTopic() throws Exception {
        Path plugin = Path.of("/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so");
        Path plugin2 = Path.of("/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so");
        Path found = Files.exists(plugin) ? plugin : plugin2;
        Assumptions.assumeTrue(Files.exists(found),
                "Mosquitto's dynamic-security plugin is not installed; Mosquitto variant skipped");
        Path dynsec = dir.resolve("dynsec.json");
        Files.writeString(dynsec, dynsec(false));
        List<String> status = new CopyOnWriteArrayList<>();
        try (TestBroker broker = TestBroker.Mosquitto.custom(dir.resolve("mosquitto"), port -> List.of(
                "listener " + port + " 127.0.0.1", "allow_anonymous true", "plugin " + found,
                "plugin_opt_config_file " + dynsec));
             MqttClient watcher = new MqttClient(broker.uri(), "watcher", new MemoryPersistence());
             TestDoor door = new TestDoor(broker.uri(), "door-1", dir, List.of(AdminKeys.generate()), 1 << 20)
                     .start()) {
            watcher.connect();
            watcher.subscribe("facegate/door-1/status", 1,
                    (t, m) -> status.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
            await(() -> String.valueOf(door.mqtt.healthMessage().get("last_error"))
                    .contains("facegate/door-1/cmd"), "last_error names the refused topic: "
                    + door.mqtt.healthMessage().get("last_error"));
            assertFalse(door.mqtt.connected(), "a door that cannot hear its commands is not connected");
            assertFalse(status.contains("online"), "status went online while deaf: " + status);

            broker.stop();
            Files.writeString(dynsec, dynsec(true)); // the broker's ACL is fixed
            broker.start();
            await(door.mqtt::connected, "the door reconnects once the role lets it read its commands");
            // the restart dropped the watcher: closing it is all that is left
        }
    }

    private static String dynsec(boolean allowCommands) {
        return "{\"defaultACLAccess\":{\"publishClientSend\":true,\"publishClientReceive\":true,"
                + "\"subscribe\":true,\"unsubscribe\":true},\"clients\":[],"
                + "\"groups\":[{\"groupname\":\"anon\",\"roles\":[{\"rolename\":\"door\"}]}],"
                + "\"roles\":[{\"rolename\":\"door\",\"acls\":[{\"acltype\":\"subscribePattern\","
                + "\"topic\":\"facegate/door-1/cmd\",\"priority\":0,\"allow\":" + allowCommands + "}]}],"
                + "\"anonymousGroup\":\"anon\"}";
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(20);
        }
    }
}
