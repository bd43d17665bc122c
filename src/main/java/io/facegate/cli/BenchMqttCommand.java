package io.facegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facegate.config.MqttConfig;
import io.facegate.gallery.TemplateCodec;
import io.facegate.mqtt.AdminClient;
import io.facegate.mqtt.AdminKeys;
import io.facegate.mqtt.CommandKind;
import io.facegate.mqtt.DoorKeys;
import io.facegate.mqtt.CommandResult;
import io.facegate.mqtt.DeviceActions;
import io.facegate.mqtt.DeviceHealth;
import io.facegate.mqtt.EnrollRequest;
import io.facegate.mqtt.EventMessage;
import io.facegate.mqtt.GalleryState;
import io.facegate.mqtt.MqttDoor;
import io.facegate.mqtt.PersonUpdate;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code facegate bench mqtt}: sustained events per second through the durable outbox to a broker and back out to a
 * subscriber, and enroll-command-to-reply latency (sign, publish, verify, apply, record, reply). Medians of several
 * runs, as JSON.
 */
@Command(name = "mqtt", mixinStandardHelpOptions = true,
        description = "Benchmark MQTT events through the outbox and enroll command latency.")
public final class BenchMqttCommand implements Callable<Integer> {
    @Option(names = "--broker", required = true, description = "Broker URI, e.g. tcp://127.0.0.1:1883 (a local Mosquitto).")
    String broker;
    @Option(names = "--events", defaultValue = "5000", description = "Events per run (default: ${DEFAULT-VALUE}).")
    int events;
    @Option(names = "--enrolls", defaultValue = "200", description = "Enroll commands per run (default: ${DEFAULT-VALUE}).")
    int enrolls;
    @Option(names = "--runs", defaultValue = "3", description = "Runs; medians are reported (default: ${DEFAULT-VALUE}).")
    int runs;
    @Option(names = "--dim", defaultValue = "512", description = "Template dimension (default: ${DEFAULT-VALUE}).")
    int dim;

    @Override
    public Integer call() throws Exception {
        Path tmp = Files.createTempDirectory("facegate-bench-mqtt");
        KeyPair admin = AdminKeys.generate();
        List<Double> eventRates = new ArrayList<>();
        List<Double> appendRates = new ArrayList<>();
        List<Double> enrollMedians = new ArrayList<>();
        List<Double> enrollP90 = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            String device = "bench-" + run;
            MqttConfig cfg = new MqttConfig(true, broker, device, "facegate-bench", null, null, null, null, null, 30,
                    200L, 2000L, tmp.resolve(device + ".db").toString(), 1_000_000,
                    List.of(Base64.getEncoder().encodeToString(admin.getPublic().getEncoded())), null, null, 3600,
                    null, null);
            MemoryGallery gallery = new MemoryGallery();
            try (MqttDoor door = new MqttDoor(cfg, gallery, DeviceHealth::unknown, Clock.systemUTC())) {
                door.start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!door.connected() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                if (!door.connected()) {
                    System.err.println("cannot connect to " + broker);
                    return 1;
                }
                double[] ev = eventRun(door, device);
                eventRates.add(ev[0]);
                appendRates.add(ev[1]);
                double[] en = enrollRun(admin, device, DoorKeys.of(List.of(tmp)));
                enrollMedians.add(en[0]);
                enrollP90.add(en[1]);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("broker", broker);
        out.put("runs", runs);
        out.put("events_per_run", events);
        out.put("events_per_s_end_to_end_median", median(eventRates));
        out.put("outbox_appends_per_s_median", median(appendRates));
        out.put("enrolls_per_run", enrolls);
        out.put("template_dim", dim);
        out.put("enroll_to_reply_ms_median", median(enrollMedians));
        out.put("enroll_to_reply_ms_p90_median", median(enrollP90));
        out.put("per_run", Map.of("events_per_s", eventRates, "appends_per_s", appendRates,
                "enroll_ms_median", enrollMedians, "enroll_ms_p90", enrollP90));
        System.out.println(AdminCommand.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
        return 0;
    }

    /** Produces {@code events} as fast as the outbox commits them; returns {end-to-end/s, appends/s}. */
    private double[] eventRun(MqttDoor door, String device) throws Exception {
        Set<String> got = ConcurrentHashMap.newKeySet();
        Object done = new Object();
        MqttClient rx = new MqttClient(broker, "bench-rx-" + device, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMaxInflight(1000);
        rx.connect(o);
        rx.subscribe("facegate-bench/" + device + "/events", 1, (t, m) -> {
            JsonNode n = AdminCommand.JSON.readTree(m.getPayload());
            got.add(n.get("event_id").asText());
            if (got.size() >= events) {
                synchronized (done) {
                    done.notifyAll();
                }
            }
        });
        long t0 = System.nanoTime();
        for (int i = 0; i < events; i++) {
            door.publish(EventMessage.Draft.of("door_opened", Instant.now(), "p" + i, "Person " + i, "bench"));
        }
        long t1 = System.nanoTime();
        synchronized (done) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (got.size() < events && System.nanoTime() < deadline) {
                done.wait(100);
            }
        }
        long t2 = System.nanoTime();
        rx.disconnect();
        rx.close();
        if (got.size() < events) {
            throw new IllegalStateException("only " + got.size() + " of " + events + " events arrived");
        }
        return new double[] {events / ((t2 - t0) / 1e9), events / ((t1 - t0) / 1e9)};
    }

    /** Sequential enroll commands with templates; returns {median ms, p90 ms}. */
    private double[] enrollRun(KeyPair admin, String device, DoorKeys doorKeys) throws Exception {
        List<Double> ms = new ArrayList<>();
        try (AdminClient cli = new AdminClient(broker, new MqttConnectOptions(), "facegate-bench", admin.getPrivate(),
                admin.getPublic(), doorKeys, Clock.systemUTC())) {
            float[] t = new float[dim];
            for (int i = 0; i < dim; i++) {
                t[i] = (float) Math.sin(i);
            }
            String template = TemplateCodec.toBase64(t);
            for (int i = 0; i < enrolls; i++) {
                ObjectNode b = JsonNodeFactory.instance.objectNode();
                b.put("person_id", "p" + i);
                b.put("display_name", "Person " + i);
                b.putArray("groups").add("staff");
                b.putArray("templates").add(template);
                b.put("model_sha256", "0".repeat(64));
                long t0 = System.nanoTime();
                List<JsonNode> r = cli.send(cli.sign(CommandKind.ENROLL, device, b, Duration.ofMinutes(1)),
                        Set.of(device), Duration.ofSeconds(10));
                long t1 = System.nanoTime();
                if (r.size() != 1 || !r.get(0).get("ok").asBoolean()) {
                    throw new IllegalStateException("enroll failed: " + r);
                }
                ms.add((t1 - t0) / 1e6);
            }
        }
        Collections.sort(ms);
        return new double[] {median(ms), ms.get((int) Math.floor(0.9 * (ms.size() - 1)))};
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** The benchmark's gallery: persons in memory with a content hash, so the reply path does the real work. */
    static final class MemoryGallery implements DeviceActions {
        private final Map<String, EnrollRequest> persons = new TreeMap<>();

        @Override
        public synchronized CommandResult enroll(EnrollRequest r) {
            persons.put(r.personId(), r);
            return CommandResult.ok("enrolled " + r.personId());
        }

        @Override
        public synchronized CommandResult updatePerson(PersonUpdate u) {
            return persons.containsKey(u.personId()) ? CommandResult.ok("updated")
                    : CommandResult.error("unknown_person", u.personId());
        }

        @Override
        public synchronized CommandResult removePerson(String personId) {
            persons.remove(personId);
            return CommandResult.ok("removed");
        }

        @Override
        public CommandResult unlock(Duration d, String by) {
            return CommandResult.ok("unlocked");
        }

        @Override
        public CommandResult lockdown(boolean on, String by) {
            return CommandResult.ok("lockdown " + on);
        }

        @Override
        public synchronized GalleryState galleryState() {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                for (EnrollRequest r : persons.values()) {
                    md.update((r.personId() + "\u0000" + r.displayName() + "\u0000").getBytes());
                    for (float[] t : r.templates()) {
                        md.update(TemplateCodec.toBytes(t));
                    }
                }
                return new GalleryState(persons.size(), HexFormat.of().formatHex(md.digest()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
