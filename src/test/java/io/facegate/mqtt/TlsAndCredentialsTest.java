package io.facegate.mqtt;

import io.facegate.config.MqttConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mosquitto with a TLS listener requiring a client certificate (CA, server and client certificates made with the
 * openssl tool) and a password-protected listener. The door connects with its PEM files; without a client
 * certificate, or with a wrong password, it stays offline, says why, keeps its events and keeps retrying.
 */
class TlsAndCredentialsTest {
    @TempDir
    Path dir;

    private void openssl(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "openssl";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl " + String.join(" ", args));
    }

    private static boolean onPath(String tool) {
        for (String d : (System.getenv("PATH") + ":/usr/bin:/usr/sbin").split(File.pathSeparator)) {
            if (new File(d, tool).canExecute()) {
                return true;
            }
        }
        return false;
    }

    private MqttConfig door(String uri, String id, String user, String password, String ca, String cert, String key) {
        return new MqttConfig(true, uri, id, "facegate", user, password, ca, cert, key, 5, 100L, 500L,
                dir.resolve(id + ".db").toString(), 1000, List.of(), null, null, null, null, null);
    }

    @Test
    void tlsWithClientCertificateAndPasswords() throws Exception {
        Assumptions.assumeTrue(onPath("openssl") && onPath("mosquitto_passwd"),
                "openssl or mosquitto_passwd missing; TLS/credentials test skipped");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
                "-subj", "/CN=facegate test CA");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                "-subj", "/CN=127.0.0.1");
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.pem", "-days", "1", "-extfile", "san.ext");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "door.key",
                "-out", "door.csr", "-subj", "/CN=door-tls");
        openssl("x509", "-req", "-in", "door.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "door.pem", "-days", "1");
        Process pw = new ProcessBuilder("mosquitto_passwd", "-b", "-c", dir.resolve("passwd").toString(),
                "door-pw", "right-password").redirectErrorStream(true).start();
        assertTrue(pw.waitFor(30, TimeUnit.SECONDS) && pw.exitValue() == 0);
        int pwPort = TestBroker.freePort();
        String d = dir.toString();
        try (TestBroker.Mosquitto broker = TestBroker.Mosquitto.custom(dir.resolve("broker"), port -> List.of(
                "per_listener_settings true",
                "listener " + port + " 127.0.0.1",
                "cafile " + d + "/ca.pem", "certfile " + d + "/server.pem", "keyfile " + d + "/server.key",
                "require_certificate true", "use_identity_as_username true", "allow_anonymous false",
                "listener " + pwPort + " 127.0.0.1",
                "password_file " + d + "/passwd", "allow_anonymous false"))) {
            String tls = broker.uri().replace("tcp://", "ssl://");
            String ca = d + "/ca.pem";
            try (MqttLink good = new MqttLink(door(tls, "door-tls", null, null, ca, d + "/door.pem", d + "/door.key"));
                 MqttLink noCert = new MqttLink(door(tls, "door-nocert", null, null, ca, null, null));
                 MqttLink badPw = new MqttLink(door("tcp://127.0.0.1:" + pwPort, "door-badpw", "door-pw", "wrong",
                         null, null, null));
                 MqttLink goodPw = new MqttLink(door("tcp://127.0.0.1:" + pwPort, "door-pw", "door-pw",
                         "right-password", null, null, null))) {
                good.start();
                noCert.start();
                badPw.start();
                goodPw.start();
                awaitTrue(() -> good.isConnected() && goodPw.isConnected(), "TLS and password doors connect");
                awaitTrue(() -> noCert.lastError() != null && badPw.lastError() != null, "refusals are reported");
                assertFalse(noCert.isConnected());
                assertFalse(badPw.isConnected());
                assertTrue(badPw.lastError().contains("credentials") || badPw.lastError().contains("password"),
                        badPw.lastError());
                // a round trip over TLS: the door's own event comes back through the broker
                java.util.concurrent.CompletableFuture<String> echo = new java.util.concurrent.CompletableFuture<>();
                good.subscribe("facegate/door-tls/events", (t, p, r) -> echo.complete(new String(p)));
                Thread.sleep(300);
                good.publish("facegate/door-tls/events", "{\"type\":\"door_opened\"}".getBytes(), 1, false)
                        .get(10, TimeUnit.SECONDS);
                assertEquals("{\"type\":\"door_opened\"}", echo.get(10, TimeUnit.SECONDS));
            }
            // offline doors keep working: events go to the outbox and wait
            try (StateDb db = StateDb.open(dir.resolve("offline.db"))) {
                Outbox box = new Outbox(db, "door-badpw", 100);
                try (MqttLink badPw = new MqttLink(door("tcp://127.0.0.1:" + pwPort, "door-badpw", "door-pw", "no",
                        null, null, null));
                     OutboxPublisher pub = new OutboxPublisher(badPw, box, 8, Clock.systemUTC())) {
                    badPw.start();
                    pub.start();
                    for (int i = 0; i < 5; i++) {
                        box.append(EventMessage.Draft.of("access_granted", Instant.now(), "p" + i, null, null));
                    }
                    awaitTrue(() -> badPw.lastError() != null, "refusal reported");
                    assertEquals(5, box.depth());
                }
            }
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier c, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out: " + what);
            }
            Thread.sleep(50);
        }
    }
}
