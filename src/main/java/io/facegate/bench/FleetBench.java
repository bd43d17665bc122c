package io.facegate.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facegate.config.GalleryConfig;
import io.facegate.config.MqttConfig;
import io.facegate.gallery.Gallery;
import io.facegate.gallery.GalleryException;
import io.facegate.gallery.Person;
import io.facegate.gallery.Template;
import io.facegate.gallery.TemplateCodec;
import io.facegate.mqtt.AdminClient;
import io.facegate.mqtt.AdminKeys;
import io.facegate.mqtt.CommandKind;
import io.facegate.mqtt.CommandResult;
import io.facegate.mqtt.DeviceActions;
import io.facegate.mqtt.DeviceHealth;
import io.facegate.mqtt.DoorKeys;
import io.facegate.mqtt.EnrollRequest;
import io.facegate.mqtt.FleetKeyRing;
import io.facegate.mqtt.GalleryState;
import io.facegate.mqtt.MqttDoor;
import io.facegate.mqtt.PersonUpdate;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * {@code facegate bench fleet}: N doors (the production {@link MqttDoor} with its fleet sync and state file, and the
 * production {@link Gallery} on its own SQLite file, no camera or models) against one broker, and an admin
 * publishing P sealed enrollments, then C changes (updates and removals) while some doors are offline.
 *
 * <p>Measured: how long every door takes to apply the P enrollments (cold catch-up), per change the time until
 * every online door has applied it, the time an offline door takes to catch up once it reconnects, whether every
 * door ends with the same heads hash, and what the broker retains.
 */
public final class FleetBench {
    private static final String PREFIX = "facegate-bench";
    private static final String MODEL_ID = "bench-model";
    private static final String MODEL_SHA = "00".repeat(32);

    /**
     * @param brokerUri null: start a local Mosquitto on a free port
     * @param offline   doors taken offline during the changes, reconnected after them
     * @param interval  pause between two changes
     * @param timeout   how long any one phase may take before the run gives up on it
     * @param imaged    only the first door loads the P enrollments over MQTT; the others start from a copy of its
     *                  synced gallery and state files, as an installer images doors, so a campus-sized run measures
     *                  the changes without N cold loads (the cold load is then measured on that one door)
     */
    public record Options(int doors, int persons, int changes, int offline, String brokerUri, int dim,
                          Duration interval, Duration timeout, Path workDir, Consumer<String> progress,
                          boolean imaged) {
    }

    private final Options o;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    /** A change waiting for the online doors. */
    private record Pending(long publishedNanos, Set<String> expected, Map<String, Long> appliedNanos,
                           CountDownLatch done) {
    }

    public FleetBench(Options o) {
        this.o = o;
    }

    public Map<String, Object> run() throws Exception {
        Path work = o.workDir() != null ? o.workDir() : Files.createTempDirectory("facegate-bench-fleet");
        long wallStart = System.nanoTime();
        LocalMosquitto local = o.brokerUri() == null ? LocalMosquitto.start(work.resolve("mosquitto")) : null;
        String uri = local != null ? local.uri() : o.brokerUri();
        List<BenchDoor> doors = new ArrayList<>();
        try {
            KeyPair admin = AdminKeys.generate();
            Path fleetKeyFile = work.resolve("fleet.key");
            FleetKeyRing fleetKey = FleetKeyRing.create();
            fleetKey.save(fleetKeyFile);
            String adminPub = Base64.getEncoder().encodeToString(admin.getPublic().getEncoded());
            for (int i = 0; i < (o.imaged() ? 1 : o.doors()); i++) {
                doors.add(new BenchDoor(String.format("door-%03d", i), work, uri, adminPub, fleetKeyFile));
            }
            o.progress().accept(doors.size() + (o.imaged() ? " door (the image)" : " doors") + " starting against "
                    + uri);
            for (BenchDoor d : doors) {
                d.start();
            }
            awaitAll(doors, "connect", d -> d.mqtt.connected());

            MqttConnectOptions opts = new MqttConnectOptions();
            opts.setMaxInflight(1000);
            Map<String, Object> out = new LinkedHashMap<>();
            try (AdminClient cli = new AdminClient(uri, opts, PREFIX, admin.getPrivate(), admin.getPublic(),
                    DoorKeys.of(List.of()), Clock.systemUTC()).fleetKey(fleetKey)) {
                Random rnd = new Random(42);
                Map<String, ObjectNode> alive = new LinkedHashMap<>();
                List<ObjectNode> enrolls = new ArrayList<>();
                for (int p = 0; p < o.persons(); p++) {
                    ObjectNode body = person(String.format("p%05d", p), "Person " + p, rnd);
                    alive.put(body.get("person_id").asText(), body);
                    enrolls.add(cli.sign(CommandKind.ENROLL, "fleet", body, Duration.ofHours(1)));
                }
                o.progress().accept("publishing " + o.persons() + " enrollments");
                long loadStart = System.nanoTime();
                cli.publishFleet(enrolls);
                Map<String, Long> loaded = awaitAll(doors, "apply the " + o.persons() + " enrollments",
                        d -> d.gallery.persons().size() >= o.persons());
                double[] loadMs = loaded.values().stream().mapToDouble(t -> (t - loadStart) / 1e6).toArray();
                if (o.imaged()) {
                    imageTheOtherDoors(doors, work, uri, adminPub, fleetKeyFile);
                }

                List<BenchDoor> offline = doors.subList(doors.size() - o.offline(), doors.size());
                List<BenchDoor> online = doors.subList(0, doors.size() - o.offline());
                for (BenchDoor d : offline) {
                    d.stopLink();
                }
                Set<String> onlineIds = new TreeSet<>();
                online.forEach(d -> onlineIds.add(d.id));
                o.progress().accept(o.offline() + " doors offline; publishing " + o.changes() + " changes");
                List<Pending> changes = new ArrayList<>();
                List<String> ids = new ArrayList<>(alive.keySet());
                for (int c = 0; c < o.changes(); c++) {
                    String who = ids.get(rnd.nextInt(ids.size()));
                    ObjectNode cmd;
                    String key;
                    if (c % 4 == 3 && ids.size() > 1) {
                        ids.remove(who);
                        alive.remove(who);
                        key = "rm:" + who;
                        cmd = cli.sign(CommandKind.REMOVE_PERSON, "fleet",
                                JsonNodeFactory.instance.objectNode().put("person_id", who), Duration.ofHours(1));
                    } else {
                        ObjectNode body = alive.get(who).deepCopy();
                        key = "Person " + who + " v" + c;
                        body.put("display_name", key);
                        alive.put(who, body);
                        cmd = cli.sign(CommandKind.ENROLL, "fleet", body, Duration.ofHours(1));
                    }
                    Pending p = new Pending(System.nanoTime(), onlineIds, new ConcurrentHashMap<>(),
                            new CountDownLatch(onlineIds.size()));
                    pending.put(key, p);
                    changes.add(p);
                    cli.send(cmd, Set.of(), Duration.ZERO);
                    Thread.sleep(o.interval().toMillis());
                }
                long deadline = System.nanoTime() + o.timeout().toNanos();
                int unconverged = 0;
                List<Double> convergeMs = new ArrayList<>();
                for (Pending p : changes) {
                    if (!p.done().await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        unconverged++;
                        continue;
                    }
                    long last = p.appliedNanos().values().stream().mapToLong(Long::longValue).max().orElseThrow();
                    convergeMs.add((last - p.publishedNanos()) / 1e6);
                }
                o.progress().accept("changes applied on the online doors; " + o.offline() + " doors reconnecting");
                String reference = online.get(0).mqtt.fleetHeadsHash();
                long reconnect = System.nanoTime();
                for (BenchDoor d : offline) {
                    d.startLink();
                }
                Map<String, Long> caughtUp = awaitAll(offline, "catch up",
                        d -> d.mqtt.connected() && reference.equals(d.mqtt.fleetHeadsHash()));
                double[] catchUpMs = caughtUp.values().stream().mapToDouble(t -> (t - reconnect) / 1e6).toArray();
                awaitAll(doors, "report sync complete", d -> "complete".equals(d.mqtt.fleetSyncStatus().get("state")));
                Set<String> hashes = new TreeSet<>();
                for (BenchDoor d : doors) {
                    hashes.add(d.mqtt.fleetHeadsHash());
                }
                long[] retained = retained(uri);

                out.put("doors", o.doors());
                out.put("persons", o.persons());
                out.put("changes", o.changes());
                out.put("offline_doors", o.offline());
                out.put("imaged", o.imaged());
                out.put("broker", local != null ? "local mosquitto " + uri : uri);
                out.put("template_dim", o.dim());
                out.put("load_ms", stats(loadMs));
                out.put("cold_apply_per_s_per_door", Percentiles.round3(o.persons()
                        / (Percentiles.of(loadMs, 50) / 1000.0)));
                out.put("converge_ms", stats(convergeMs.stream().mapToDouble(Double::doubleValue).toArray()));
                out.put("unconverged_changes", unconverged);
                out.put("catch_up_ms", stats(catchUpMs));
                out.put("same_hash", hashes.size() == 1);
                out.put("heads_hash", hashes.size() == 1 ? hashes.iterator().next() : hashes);
                out.put("persons_after", alive.size());
                out.put("retained_messages", retained[0]);
                out.put("retained_bytes", retained[1]);
                out.put("wall_s", Percentiles.round3((System.nanoTime() - wallStart) / 1e9));
            }
            return out;
        } finally {
            for (BenchDoor d : doors) {
                d.close();
            }
            if (local != null) {
                local.close();
            }
            if (o.workDir() == null) {
                deleteTree(work); // 200 doors' files: hundreds of megabytes
            }
        }
    }

    /** Deletes a folder and everything in it (the bench's own work folder). */
    public static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(f);
            }
        }
    }

    /**
     * Stops the first door once it has synced and sent its replies, copies its gallery and state files to each
     * other door's folder (never its device key: each door makes its own), and starts them all.
     */
    private void imageTheOtherDoors(List<BenchDoor> doors, Path work, String uri, String adminPub, Path fleetKeyFile)
            throws Exception {
        BenchDoor image = doors.get(0);
        awaitAll(doors, "send its replies", d -> d.mqtt.outboxDepth() == 0);
        image.close();
        Path from = work.resolve(image.id);
        o.progress().accept("copying " + image.id + "'s gallery and state to " + (o.doors() - 1) + " doors");
        for (int i = 1; i < o.doors(); i++) {
            String id = String.format("door-%03d", i);
            Path to = Files.createDirectories(work.resolve(id));
            copyTree(from.resolve("gallery"), to.resolve("gallery"));
            try (var state = Files.newDirectoryStream(from, "mqtt.db*")) { // the database and any journal left
                for (Path f : state) {
                    Files.copy(f, to.resolve(f.getFileName().toString()));
                }
            }
        }
        doors.set(0, new BenchDoor(image.id, work, uri, adminPub, fleetKeyFile));
        for (int i = 1; i < o.doors(); i++) {
            doors.add(new BenchDoor(String.format("door-%03d", i), work, uri, adminPub, fleetKeyFile));
        }
        for (BenchDoor d : doors) {
            d.start();
        }
        awaitAll(doors, "connect", d -> d.mqtt.connected());
        awaitAll(doors, "report sync complete", d -> "complete".equals(d.mqtt.fleetSyncStatus().get("state")));
        String reference = doors.get(0).mqtt.fleetHeadsHash();
        awaitAll(doors, "hold the image's heads", d -> reference.equals(d.mqtt.fleetHeadsHash()));
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    private static Map<String, Object> stats(double[] ms) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50", ms.length == 0 ? null : Percentiles.round3(Percentiles.of(ms, 50)));
        m.put("p99", ms.length == 0 ? null : Percentiles.round3(Percentiles.of(ms, 99)));
        m.put("max", ms.length == 0 ? null : Percentiles.round3(Percentiles.of(ms, 100)));
        m.put("n", ms.length);
        return m;
    }

    /** Polls until {@code done} holds for every door; the time each first did. Throws past the timeout. */
    private Map<String, Long> awaitAll(List<BenchDoor> doors, String what,
                                       java.util.function.Predicate<BenchDoor> done) throws InterruptedException {
        Map<String, Long> at = new LinkedHashMap<>();
        long deadline = System.nanoTime() + o.timeout().toNanos();
        while (at.size() < doors.size()) {
            for (BenchDoor d : doors) {
                if (!at.containsKey(d.id) && done.test(d)) {
                    at.put(d.id, System.nanoTime());
                }
            }
            if (at.size() == doors.size()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException((doors.size() - at.size()) + " of " + doors.size()
                        + " doors did not " + what + " within " + o.timeout().toSeconds() + " s");
            }
            Thread.sleep(50);
        }
        return at;
    }

    /** Retained messages under the prefix and their bytes, as a subscriber that connects now receives them. */
    private static long[] retained(String uri) throws Exception {
        AtomicLong count = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicLong last = new AtomicLong(System.nanoTime());
        MqttClient c = new MqttClient(uri, "bench-count-" + System.nanoTime(), new MemoryPersistence());
        c.connect();
        try {
            c.subscribe(PREFIX + "/#", 1, (topic, msg) -> {
                if (msg.isRetained() && msg.getPayload().length > 0) {
                    count.incrementAndGet();
                    bytes.addAndGet(msg.getPayload().length);
                }
                last.set(System.nanoTime());
            });
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() - last.get() < TimeUnit.SECONDS.toNanos(1) && System.nanoTime() < until) {
                Thread.sleep(100);
            }
        } finally {
            c.disconnect();
            c.close();
        }
        return new long[] {count.get(), bytes.get()};
    }

    private ObjectNode person(String id, String name, Random rnd) {
        ObjectNode b = JsonNodeFactory.instance.objectNode();
        b.put("person_id", id);
        b.put("display_name", name);
        b.putArray("groups").add("staff");
        float[] v = new float[o.dim()];
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
            norm += v[i] * v[i];
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] / Math.sqrt(norm));
        }
        b.putArray("templates").add(TemplateCodec.toBase64(v));
        b.put("model_sha256", MODEL_SHA);
        return b;
    }

    private void applied(String door, String key) {
        Pending p = pending.get(key);
        if (p != null && p.expected().contains(door) && p.appliedNanos().putIfAbsent(door, System.nanoTime()) == null) {
            p.done().countDown();
        }
    }

    /** One door: its gallery (kept open: offline means the link is down) and its MQTT side, restartable. */
    private final class BenchDoor implements AutoCloseable {
        final String id;
        final Gallery gallery;
        final MqttConfig cfg;
        final DeviceActions actions;
        MqttDoor mqtt;

        BenchDoor(String id, Path work, String uri, String adminPub, Path fleetKeyFile) {
            this.id = id;
            Path dir = work.resolve(id);
            this.gallery = Gallery.open(GalleryConfig.defaults().withDataDir(dir.resolve("gallery")), MODEL_ID,
                    MODEL_SHA);
            this.cfg = new MqttConfig(true, uri, id, PREFIX, null, null, null, null, null, 60, 200L, 2000L,
                    dir.resolve("mqtt.db").toString(), 1000, List.of(adminPub), 64 << 20, 60, 3600, null, null)
                    .withFleetKey(fleetKeyFile.toString());
            this.actions = new TemplateActions(id, gallery);
        }

        void start() {
            mqtt = new MqttDoor(cfg, actions, DeviceHealth::unknown, Clock.systemUTC());
            mqtt.start();
        }

        void stopLink() {
            mqtt.close();
        }

        void startLink() {
            start();
        }

        @Override
        public void close() {
            if (mqtt != null) {
                mqtt.close();
            }
            gallery.close();
        }
    }

    /** What a verified fleet record does on a bench door: the production gallery, templates only (no models). */
    private final class TemplateActions implements DeviceActions {
        private final String door;
        private final Gallery gallery;

        TemplateActions(String door, Gallery gallery) {
            this.door = door;
            this.gallery = gallery;
        }

        @Override
        public CommandResult enroll(EnrollRequest r) {
            Instant now = Instant.now();
            try {
                Person existing = gallery.person(r.personId()).orElse(null);
                Person p = new Person(r.personId(), r.displayName(), r.groups(), r.enabled(), r.validFrom(),
                        r.validUntil(), existing == null ? now : existing.createdAt(), now);
                List<Template> ts = new ArrayList<>();
                for (float[] e : r.templates()) {
                    ts.add(new Template(p.id(), e, MODEL_ID, MODEL_SHA, 1.0, TemplateCodec.digest(e), now));
                }
                gallery.enroll(p, ts, true);
            } catch (GalleryException | IllegalArgumentException e) {
                return CommandResult.error("bad_request", e.getMessage());
            }
            applied(door, r.displayName());
            return CommandResult.ok("enrolled " + r.personId());
        }

        @Override
        public CommandResult updatePerson(PersonUpdate u) {
            return CommandResult.error("bad_request", "fleet updates are full enrollment records");
        }

        @Override
        public CommandResult removePerson(String personId) {
            try {
                gallery.remove(personId);
            } catch (GalleryException e) {
                return CommandResult.error("not_stored", e.getMessage());
            }
            applied(door, "rm:" + personId);
            return CommandResult.ok("removed " + personId);
        }

        @Override
        public CommandResult unlock(Duration duration, String by) {
            return CommandResult.error("refused", "a bench door has no relay");
        }

        @Override
        public CommandResult lockdown(boolean on, String by) {
            return CommandResult.error("refused", "a bench door has no relay");
        }

        @Override
        public GalleryState galleryState() {
            return new GalleryState(gallery.persons().size(), gallery.contentHash());
        }
    }
}
