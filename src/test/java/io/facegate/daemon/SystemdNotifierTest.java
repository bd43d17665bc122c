package io.facegate.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemdNotifierTest {

    @TempDir
    Path tmp;

    /** Captures what would have been run; answers with a chosen exit status. */
    static final class Capture implements SystemdNotifier.CommandRunner {
        final List<List<String>> commands = new ArrayList<>();
        final List<Map<String, String>> envs = new ArrayList<>();
        int exit;

        @Override
        public int run(List<String> command, Map<String, String> environment) {
            commands.add(command);
            envs.add(environment);
            return exit;
        }
    }

    @Test
    void withoutNotifySocketEverythingIsANoOp() {
        Capture capture = new Capture();
        var n = new SystemdNotifier(Map.of("WATCHDOG_USEC", "30000000"), 42, "systemd-notify", capture);
        assertFalse(n.enabled());
        assertFalse(n.ready("up"));
        assertFalse(n.watchdog());
        assertFalse(n.status("x"));
        assertFalse(n.stopping("bye"));
        assertEquals(Optional.empty(), n.watchdogInterval(), "no socket, no watchdog");
        assertFalse(n.startWatchdog(() -> true));
        assertTrue(capture.commands.isEmpty(), "nothing was run");
    }

    @Test
    void buildsSystemdNotifyCommandsWithOurPidAndTheSocket() {
        Capture capture = new Capture();
        var n = new SystemdNotifier(Map.of("NOTIFY_SOCKET", "/run/systemd/notify"), 4242, "/usr/bin/systemd-notify",
                capture);
        assertTrue(n.enabled());
        assertTrue(n.ready("camera up, 3 people enrolled"));
        assertTrue(n.watchdog());
        assertTrue(n.status("camera lost:\nretrying"));
        assertTrue(n.stopping("shutting down"));
        assertEquals(List.of(
                List.of("/usr/bin/systemd-notify", "--pid=4242", "--ready", "--status=camera up, 3 people enrolled"),
                List.of("/usr/bin/systemd-notify", "--pid=4242", "WATCHDOG=1"),
                List.of("/usr/bin/systemd-notify", "--pid=4242", "--status=camera lost: retrying"),
                List.of("/usr/bin/systemd-notify", "--pid=4242", "--status=shutting down", "STOPPING=1")),
                capture.commands);
        capture.envs.forEach(e -> assertEquals(Map.of("NOTIFY_SOCKET", "/run/systemd/notify"), e));

        capture.exit = 1;
        assertFalse(n.watchdog(), "a failing systemd-notify is reported, not claimed as sent");
    }

    @Test
    void watchdogIntervalIsHalfOfWatchdogUsecAndOnlyForUs() {
        Capture c = new Capture();
        Map<String, String> base = Map.of("NOTIFY_SOCKET", "@sock", "WATCHDOG_USEC", "30000000");
        assertEquals(Optional.of(Duration.ofSeconds(15)), new SystemdNotifier(base, 7, "n", c).watchdogInterval());
        var forUs = new java.util.HashMap<>(base);
        forUs.put("WATCHDOG_PID", "7");
        assertEquals(Optional.of(Duration.ofSeconds(15)), new SystemdNotifier(forUs, 7, "n", c).watchdogInterval());
        forUs.put("WATCHDOG_PID", "8");
        assertEquals(Optional.empty(), new SystemdNotifier(forUs, 7, "n", c).watchdogInterval(), "meant for PID 8");
        assertEquals(Optional.empty(), new SystemdNotifier(Map.of("NOTIFY_SOCKET", "@s", "WATCHDOG_USEC", "junk"), 7,
                "n", c).watchdogInterval());
    }

    @Test
    void watchdogPingsOnlyWhileHealthy() throws Exception {
        Capture capture = new Capture();
        // 2 ms watchdog: pings every 1 ms
        var n = new SystemdNotifier(Map.of("NOTIFY_SOCKET", "/s", "WATCHDOG_USEC", "2000"), 9, "systemd-notify",
                capture);
        java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch tenChecks = new java.util.concurrent.CountDownLatch(10);
        assertTrue(n.startWatchdog(() -> {
            tenChecks.countDown();
            return checks.incrementAndGet() % 2 == 0; // every other check unhealthy
        }));
        assertFalse(n.startWatchdog(() -> true), "one watchdog only");
        assertTrue(tenChecks.await(30, TimeUnit.SECONDS), "the watchdog checks health on its schedule");
        n.stopWatchdog();
        int c = checks.get(); // stopWatchdog waited for the last check to finish
        assertEquals(c / 2, capture.commands.size(), "one ping per healthy check, none when unhealthy");
        capture.commands.forEach(cmd -> assertEquals(List.of("systemd-notify", "--pid=9", "WATCHDOG=1"), cmd));
    }

    /** The real systemd-notify against a fake notification socket: what systemd would receive. */
    @Test
    void realSystemdNotifyDeliversToTheSocket() throws Exception {
        assumeTrue(onPath("systemd-notify"), "systemd-notify not installed");
        assumeTrue(onPath("python3"), "python3 not installed (it plays the notification socket)");
        Path script = tmp.resolve("receiver.py");
        try (InputStream in = getClass().getResourceAsStream("notify_receiver.py")) {
            Files.copy(in, script);
        }
        Path socket = tmp.resolve("notify.sock");
        Process receiver = new ProcessBuilder("python3", script.toString(), socket.toString(), "4")
                .redirectErrorStream(true).start();
        try {
            for (int i = 0; i < 100 && !Files.exists(socket); i++) {
                Thread.sleep(50); // polling for the socket file the receiver creates, at most 5 s
            }
            assumeTrue(Files.exists(socket), "the fake socket did not come up");
            long pid = ProcessHandle.current().pid();
            var n = new SystemdNotifier(Map.of("NOTIFY_SOCKET", socket.toString()), pid, "systemd-notify",
                    SystemdNotifier.PROCESS);
            assertTrue(n.ready("watching the door"), "systemd-notify exited 0 after its barrier was released");
            assertTrue(n.watchdog());
            assertTrue(receiver.waitFor(20, TimeUnit.SECONDS), "receiver got its 4 messages");
            String out = new String(receiver.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            List<String> messages = out.lines().toList();
            assertTrue(messages.stream().anyMatch(m -> m.contains("READY=1") && m.contains("STATUS=watching the door")
                    && m.contains("MAINPID=" + pid)), out);
            assertTrue(messages.stream().anyMatch(m -> m.contains("WATCHDOG=1") && m.contains("MAINPID=" + pid)), out);
            assertTrue(out.contains("'BARRIER=1' fds 1"), "systemd-notify waited for systemd (no race): " + out);
        } finally {
            receiver.destroyForcibly();
        }
    }

    private static boolean onPath(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, exe))) {
                return true;
            }
        }
        return false;
    }
}
