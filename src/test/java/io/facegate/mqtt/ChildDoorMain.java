package io.facegate.mqtt;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * The "daemon" of the crash test, run in a child JVM: link + outbox + the production command handler, gallery and
 * door controller (TestGallery). It produces an event every few milliseconds and prints {@code EVENT <id>} once the
 * event is committed, until it reads {@code STOP} on stdin; then it waits for the outbox to drain and exits. The
 * parent kills it with SIGKILL at will.
 *
 * <p>Arguments: broker URI, state directory, admin public key (base64 X.509).
 */
public final class ChildDoorMain {
    private ChildDoorMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        var pub = KeyFactory.getInstance("Ed25519")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(args[2])));
        KeyPair verifyOnly = new KeyPair(pub, null);
        TestDoor door = new TestDoor(args[0], "door-k", dir, List.of(verifyOnly), 1 << 20).start();
        door.awaitConnected();
        System.out.println("READY");
        System.out.flush();
        Thread producer = new Thread(() -> {
            int i = 0;
            while (!Thread.currentThread().isInterrupted()) {
                EventMessage m = door.mqtt.publish(EventMessage.Draft.of("door_opened", Instant.now(), null, null,
                        "child event " + i++));
                System.out.println("EVENT " + m.eventId());
                System.out.flush();
                try {
                    Thread.sleep(3);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        producer.start();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("STOP")) {
                break;
            }
        }
        producer.interrupt();
        producer.join();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (door.mqtt.outbox().depth() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        System.out.println("DRAINED " + door.mqtt.outbox().depth());
        System.out.flush();
        door.close();
        System.exit(0);
    }
}
