package io.facegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.facegate.bench.Percentiles;
import io.facegate.config.FacegateConfig;
import io.facegate.demo.DemoRun;
import io.facegate.demo.Scenario;
import io.facegate.demo.VisitRecorder;
import io.facegate.mqtt.AdminClient;
import io.facegate.mqtt.AdminKeys;
import io.facegate.mqtt.CommandKind;
import io.facegate.mqtt.DeviceKey;
import io.facegate.mqtt.DoorKeys;
import io.facegate.mqtt.EmbeddedBroker;
import io.facegate.mqtt.Topics;
import io.facegate.vision.FacePipeline;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code facegate demo}: the whole door on this machine with nothing attached. An embedded MQTT broker, the
 * Pi4J mock door, a camera made of photos, some people enrolled, the real pipeline deciding, and what happens
 * shown live.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the real door pipeline on a camera made of photos, with an embedded MQTT broker and a"
                + " mock door relay, and show who walked up, each decision, the door and the events published.",
                "Default photos: the group photos installed by models/fetch (every other face enrolled)."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--faces", paramLabel = "DIR",
            description = "Use your own photos, DIR/<person>/<photo>: the 1st, 3rd, ... people are enrolled with "
                    + "their first 2 photos, the others are strangers; every other photo walks up.")
    Path faces;

    @Option(names = "--loop", description = "Play the visits again and again until stopped (Ctrl-C).")
    boolean loop;

    @Option(names = "--fps", defaultValue = "15", description = "Camera frames per second (default: ${DEFAULT-VALUE}).")
    double fps;

    @Mixin
    VisionOptions vision;

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("facegate-demo");
        try (EmbeddedBroker broker = EmbeddedBroker.start(work)) {
            // an admin key for this run, so the demo can also show a signed command over MQTT
            java.security.KeyPair admin = AdminKeys.generate();
            AdminKeys.write(admin, work.resolve("demo-admin").toString());
            FacegateConfig cfg = DemoRun.config(work, vision.config(), broker.uri(), work.resolve("demo-admin.pub"));
            Scenario scenario;
            DemoRun.Enrolled enrolled;
            try (FacePipeline pipeline = FacePipeline.open(cfg.vision())) {
                Path demoPhotos = cfg.vision().modelsDir().resolve("demo");
                scenario = faces != null ? Scenario.fromFolder(faces, pipeline)
                        : Scenario.fromGroupPhotos(demoPhotos, pipeline, work);
                System.out.printf("facegate demo: %d people to enroll, %d visits; MQTT broker %s; door: Pi4J mock%n",
                        scenario.enrollees().size(), scenario.visitors().size(), broker.uri());
                enrolled = DemoRun.enroll(cfg, pipeline, scenario);
            }
            System.out.printf("enrolled %d people (%d templates)%n", enrolled.people().size(), enrolled.templates());
            enrolled.refused().forEach(r -> System.out.println("  refused " + r));
            AtomicInteger received = new AtomicInteger();
            try (Scenario s = scenario; MqttClient watcher = watchEvents(broker, cfg, received)) {
                DemoRun.Result r = DemoRun.run(cfg, s, enrolled,
                        DemoRun.Camera.walkUps(10, fps, cfg.pipeline().trackExpireMs(), loop), broker,
                        DemoCommand::show, () -> adminUnlock(broker, cfg, admin));
                Thread.sleep(300);   // the last events are on their way to the watcher
                summary(r, received.get());
                watcher.disconnect();
            }
        } finally {
            DemoRun.deleteTree(work);
        }
        return 0;
    }

    /** What an admin's `facegate admin unlock` does: a signed command over MQTT, and the door's reply. */
    private static void adminUnlock(EmbeddedBroker broker, FacegateConfig cfg, java.security.KeyPair admin) {
        try (AdminClient client = new AdminClient(broker.uri(), AdminClient.plainOptions(), cfg.mqtt().topicPrefix(),
                admin.getPrivate(), admin.getPublic(),
                DoorKeys.of(java.util.List.of(DeviceKey.publicFile(cfg.mqtt().deviceKeyPath()))),
                java.time.Clock.systemUTC())) {
            System.out.println("           admin   signed command: unlock " + cfg.mqtt().deviceId() + " for 2 s");
            var cmd = client.sign(CommandKind.UNLOCK, cfg.mqtt().deviceId(),
                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("seconds", 2),
                    java.time.Duration.ofMinutes(1));
            for (JsonNode reply : client.send(cmd, java.util.Set.of(cfg.mqtt().deviceId()),
                    java.time.Duration.ofSeconds(10))) {
                System.out.println("           admin   reply: " + reply);
            }
            Thread.sleep(2500);   // the unlock runs out and the door locks again
        } catch (Exception e) {
            System.out.println("           admin   signed command failed: " + e.getMessage());
        }
    }

    private static void show(VisitRecorder.Line l) {
        String tag = switch (l.kind()) {
            case "visit" -> "camera ";
            case "granted", "denied" -> "access ";
            case "door" -> "door   ";
            default -> "daemon ";
        };
        System.out.printf(Locale.ROOT, "%7.2fs  %s %s%n", l.nanos() / 1e9, tag, l.text());
    }

    /** Subscribes to the door's events topic as any building system would, and prints what arrives. */
    private static MqttClient watchEvents(EmbeddedBroker broker, FacegateConfig cfg, AtomicInteger received)
            throws MqttException {
        MqttClient client = new MqttClient(broker.uri(), "demo-watcher", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        client.connect(o);
        ObjectMapper json = new ObjectMapper();
        String topic = new Topics(cfg.mqtt().topicPrefix(), cfg.mqtt().deviceId()).events();
        client.subscribe(topic, 1, (t, m) -> {
            received.incrementAndGet();
            JsonNode e = json.readTree(m.getPayload());
            System.out.printf(Locale.ROOT, "           mqtt    %s #%s %s%s%n", t, e.path("seq").asText(),
                    e.path("type").asText(), e.hasNonNull("person_id") ? " " + e.get("person_id").asText() : "");
        });
        return client;
    }

    private static void summary(DemoRun.Result r, int events) {
        VisitRecorder.Summary s = r.visits();
        System.out.println();
        System.out.println("summary");
        System.out.printf(Locale.ROOT, "  enrolled visitors let in   %d of %d visits (%d of %d people)%n",
                s.grantedEnrolledVisits(), s.enrolledVisits(), s.enrolledPeopleGranted(), s.enrolledPeopleVisiting());
        System.out.printf(Locale.ROOT, "  strangers let in           %d of %d visits%n", s.grantedStrangerVisits(),
                s.strangerVisits());
        System.out.printf(Locale.ROOT, "  let in as someone else     %d%n", s.wrongPersonGrants());
        System.out.printf(Locale.ROOT, "  denials by reason          %s%n", s.denials());
        System.out.println("    (UNKNOWN_FACE is reported at most once per access.unknown_event_interval_ms; "
                + "SPOOF_SUSPECTED means the liveness model judged the face a photo, which the demo's faces are)");
        if (!s.timeToUnlockMs().isEmpty()) {
            double[] t = s.timeToUnlockMs().stream().mapToDouble(Double::doubleValue).toArray();
            System.out.printf(Locale.ROOT, "  first frame to unlock      p50 %.0f ms, p90 %.0f ms%n",
                    Percentiles.of(t, 50), Percentiles.of(t, 90));
        }
        System.out.printf(Locale.ROOT, "  frames processed           %d (%.1f per second), %d dropped%n",
                r.metrics().framesProcessed(), r.metrics().fps(), r.metrics().framesDropped());
        System.out.printf(Locale.ROOT, "  MQTT events received       %d%n", events);
        System.out.println("  door                       locked (the daemon locks it on every stop)");
    }
}
