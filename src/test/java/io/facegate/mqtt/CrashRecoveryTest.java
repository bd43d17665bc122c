package io.facegate.mqtt;

import io.facegate.TestData;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon (link + outbox + the production command handler, gallery and door controller, in a child JVM) is killed with SIGKILL while it
 * produces events and right after acknowledging enrollments, then restarted: no acknowledged enrollment and no
 * committed event is lost.
 */
class CrashRecoveryTest {
    @TempDir
    Path dir;

    /** A running child JVM and the event ids it reported as committed. */
    static final class Child {
        final Process process;
        final Set<String> committed;
        final CountDownLatch ready = new CountDownLatch(1);
        final CountDownLatch drained = new CountDownLatch(1);

        Child(String uri, Path dir, KeyPair admin, Set<String> committed) throws Exception {
            this.committed = committed;
            String java = ProcessHandle.current().info().command().orElse("java");
            // the parent's JVM options: the Vector API module and the JavaCPP cache the real gallery and models need
            List<String> cmd = new ArrayList<>();
            cmd.add(java);
            cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .filter(a -> a.startsWith("--add-modules") || a.startsWith("-D") || a.startsWith("-Xmx"))
                    .toList());
            cmd.addAll(List.of("-cp", TestData.classPathJar(dir).toString(), ChildDoorMain.class.getName(), uri,
                    dir.toString(), Base64.getEncoder().encodeToString(admin.getPublic().getEncoded())));
            process = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("child.log").toFile()))
                    .start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (line.startsWith("EVENT ")) {
                            committed.add(line.substring(6));
                        } else if (line.equals("READY")) {
                            ready.countDown();
                        } else if (line.startsWith("DRAINED")) {
                            drained.countDown();
                        }
                    }
                } catch (Exception e) {
                    // the child died
                }
            });
            reader.setDaemon(true);
            reader.start();
            // the child loads the models before it connects: allow for a busy machine
            if (!ready.await(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("child door did not start; its log:\n" + childLog(dir));
            }
        }

        static String childLog(Path dir) {
            try {
                return Files.readString(dir.resolve("child.log"));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }

        void kill() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no flush, no clean disconnect
            process.waitFor(10, TimeUnit.SECONDS);
        }

        void stop() throws Exception {
            process.getOutputStream().write("STOP\n".getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
            assertTrue(drained.await(30, TimeUnit.SECONDS), "child did not drain its outbox");
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Waits until the child committed {@code n} more events than now (it produces them continuously). */
    static void awaitMore(Set<String> committed, int n) throws InterruptedException {
        int target = committed.size() + n;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (committed.size() < target && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(committed.size() >= target, "the child stopped producing events");
    }

    @ParameterizedTest
    @MethodSource("io.facegate.mqtt.TestBroker#kinds")
    void sigkillLosesNoAcknowledgedEnrollmentAndNoEvent(TestBroker.Kind kind) throws Exception {
        KeyPair admin = AdminKeys.generate();
        Set<String> committed = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<String> acked = new ArrayList<>();
        try (TestBroker broker = TestBroker.start(kind, dir.resolve("broker"));
             Subscriber rx = new Subscriber(broker.uri(), "rx-crash", "facegate/door-k/events");
             AdminClient cli = new AdminClient(broker.uri(), AdminClient.plainOptions(), "facegate",
                     admin.getPrivate(), admin.getPublic(), DoorKeys.of(List.of(dir)), Clock.systemUTC())) {
            int person = 0;
            for (int round = 0; round < 2; round++) {
                Child child = new Child(broker.uri(), dir, admin, committed);
                for (int i = 0; i < 4; i++, person++) {
                    String id = "k" + person;
                    List<JsonNode> r = cli.send(cli.sign(CommandKind.ENROLL, "door-k",
                            BadCommandTest.enrollBody(id, "Person " + person, TestDoor.photo(person)),
                            Duration.ofMinutes(1)), Set.of("door-k"), Duration.ofSeconds(10));
                    if (r.size() == 1 && r.get(0).get("ok").asBoolean()) {
                        acked.add(id);
                    }
                }
                awaitMore(committed, 30);
                child.kill(); // right after the last acknowledgement, with events still being produced
            }
            assertEquals(8, acked.size(), "every enrollment was acknowledged before the kills");
            Child last = new Child(broker.uri(), dir, admin, committed);
            awaitMore(committed, 30);
            last.stop();
            int expected = committed.size();
            assertTrue(rx.awaitDistinct(expected, 20_000), () -> "received " + rx.firstArrivals().size()
                    + " of " + expected + " committed events");
            Set<String> received = new HashSet<>();
            rx.firstArrivals().forEach(n -> received.add(n.get("event_id").asText()));
            Set<String> lost = new TreeSet<>(committed);
            lost.removeAll(received);
            assertEquals(Set.of(), lost, "committed events never delivered");
        }
        Set<String> stored = TestGallery.personIdsIn(dir, "door-k");
        assertTrue(stored.containsAll(acked), "acknowledged " + acked + ", gallery " + stored);
    }
}
