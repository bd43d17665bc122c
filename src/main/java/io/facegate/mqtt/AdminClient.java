package io.facegate.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facegate.config.Yaml;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The admin side: signs commands, publishes them, and collects the replies. Used by {@code facegate admin} and by the
 * integration tests, so both exercise the same path.
 *
 * <p>The broker is not trusted with replies either: a reply counts only when it answers the command id sent, came on
 * the reply topic of the door it names, and verifies with that door's key from {@link DoorKeys}. Anything else that
 * claims to answer the command is turned into an error reply ({@code unverified_reply}), never a success; a forged
 * reply cannot displace the door's genuine one.
 *
 * <p>Gallery-changing commands for the whole fleet are sealed to the fleet key ({@link #fleetKey}) and published as
 * retained records on {@code <prefix>/fleet/gallery/<ref>/<command id>} ({@code ref}: the person's opaque reference);
 * older records of the same person are then cleared so the broker holds one current record per person (plus any
 * concurrent one, which doors order deterministically).
 */
public final class AdminClient implements AutoCloseable {
    private static final ObjectMapper JSON = Yaml.jsonMapper();

    private final MqttClient client;
    private final String prefix;
    private final PrivateKey key;
    private final PublicKey pub;
    private final Clock clock;
    private final DoorKeys doorKeys;
    /** How long retained messages are given to arrive after a subscription. */
    static final Duration SETTLE = Duration.ofMillis(400);
    /** Retained records by topic reference and command id, as published and opened. */
    private final Map<String, Map<String, Indexed>> index = new LinkedHashMap<>();
    /** Heads of records whose signature verified with a trusted key, by record digest: each is checked once. */
    private final Map<String, CommandLedger.Head> verifiedHeads = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile FleetKeyRing fleetKey;
    private boolean indexed;
    /** Admin keys whose records and manifests this client vouches for in its own manifests (its own, at least). */
    private final Map<String, PublicKey> trusted = new LinkedHashMap<>();
    private volatile byte[] retainedManifest;
    private volatile Replies current;

    public AdminClient(String brokerUri, MqttConnectOptions options, String prefix, PrivateKey key, PublicKey pub,
                       DoorKeys doorKeys, Clock clock) throws MqttException {
        this.prefix = prefix;
        this.doorKeys = doorKeys;
        this.key = key;
        this.pub = pub;
        this.clock = clock;
        this.trusted.put(AdminKeys.keyId(pub), pub);
        this.client = new MqttClient(brokerUri, "facegate-admin-" + UUID.randomUUID().toString().substring(0, 8),
                new MemoryPersistence());
        options.setCleanSession(true);
        if (options.getSocketFactory() == null) {
            options.setSocketFactory(NoDelaySockets.plain());
        } else if (options.getSocketFactory() instanceof javax.net.ssl.SSLSocketFactory ssl) {
            options.setSocketFactory(NoDelaySockets.tls(ssl));
        }
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        // Moquette 0.17 may drop a SUBSCRIBE that follows the CONNACK too closely: retry on a fresh connection.
        for (int attempt = 1; ; attempt++) {
            try {
                if (!client.isConnected()) {
                    client.connect(options);
                }
                client.subscribe(Topics.anyDevice(prefix, "reply"), 1, (topic, msg) -> {
                    Replies r = current;
                    if (r != null) {
                        r.offer(Topics.deviceOf(prefix, topic), msg.getPayload());
                    }
                });
                break;
            } catch (MqttException e) {
                if (attempt == 5 || e.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION
                        || e.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED) {
                    throw e;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** A retained record: its topic reference, as published (sealed, signed), and opened (null: unreadable). */
    private record Indexed(String ref, JsonNode raw, JsonNode opened) {
    }

    /** The fleet key that seals and opens fleet records and manifests; fleet gallery changes need it. */
    public AdminClient fleetKey(FleetKeyRing key) {
        this.fleetKey = key;
        return this;
    }

    private FleetKeyRing requireFleetKey() {
        FleetKeyRing k = fleetKey;
        if (k == null) {
            throw new IllegalStateException("fleet gallery changes are sealed to the fleet key: give --fleet-key FILE"
                    + " (make one with 'facegate admin fleet-key create')");
        }
        return k;
    }

    /**
     * Options for a broker without authentication. The in-flight window is wide, as the CLI's: Paho frees a slot only
     * after it has told the publisher of the PUBACK, so back-to-back QoS 1 publishes (a fleet change is a record and a
     * manifest) can find its default 10 slots still taken and fail with "Too many publishes in progress".
     */
    public static MqttConnectOptions plainOptions() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMaxInflight(1000);
        return o;
    }

    /** Signs a command valid from now for {@code ttl}. */
    public ObjectNode sign(CommandKind kind, String target, ObjectNode body, Duration ttl) {
        Instant now = clock.instant();
        return SignedCommand.sign(UUID.randomUUID().toString(), kind, target, now, now.plus(ttl), body, key, pub);
    }

    /** Devices whose retained status is {@code online}, waiting {@code settle} for retained messages to arrive. */
    public Set<String> onlineDevices(Duration settle) throws MqttException, InterruptedException {
        Map<String, String> status = new LinkedHashMap<>();
        String filter = Topics.anyDevice(prefix, "status");
        client.subscribe(filter, 1, (topic, msg) -> {
            synchronized (status) {
                status.put(Topics.deviceOf(prefix, topic), new String(msg.getPayload(), StandardCharsets.UTF_8));
            }
        });
        Thread.sleep(settle.toMillis());
        client.unsubscribe(filter);
        Set<String> online = new TreeSet<>();
        synchronized (status) {
            status.forEach((d, s) -> {
                if ("online".equals(s)) {
                    online.add(d);
                }
            });
        }
        return online;
    }

    /**
     * Publishes a signed command and waits for replies: from {@code device}, or from each of {@code expect} for a
     * fleet command. Returns the replies received by the deadline (fewer than expected on timeout).
     */
    public List<JsonNode> send(ObjectNode cmd, Set<String> expect, Duration timeout)
            throws MqttException, InterruptedException {
        String target = cmd.get("target").asText();
        CommandKind kind = CommandKind.fromWire(cmd.get("kind").asText());
        Replies replies = listen(cmd.get("id").asText());
        try {
            byte[] payload = JSON.writeValueAsBytes(cmd);
            if (Topics.FLEET.equals(target) && kind.changesPerson) {
                publishRecord(cmd);
                clearOlderRecords(cmd.get("body").get("person_id").asText(), cmd);
                publishManifest(List.of(cmd));
            } else {
                String topic = Topics.FLEET.equals(target) ? new Topics(prefix, "x").fleetCommand()
                        : new Topics(prefix, target).command();
                client.publish(topic, payload, 1, false);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return replies.await(expect, timeout);
    }

    /** Publishes raw bytes to a device's command topic and waits for a reply with that id (tests). */
    public List<JsonNode> sendRaw(String device, byte[] payload, String expectedId, Duration timeout)
            throws MqttException, InterruptedException {
        Replies replies = listen(expectedId);
        client.publish(new Topics(prefix, device).command(), payload, 1, false);
        return replies.await(Set.of(device), timeout);
    }

    /**
     * What asking one door to compute templates gave: the enroll body for the fleet (templates and model in place
     * of the photos), or null with the door's replies when it did not return templates.
     */
    public record FleetEnrollment(String commandId, List<JsonNode> replies, ObjectNode body) {
    }

    /**
     * Fleet records carry templates, never photos: sends the enroll body with photos to {@code via}, a door that
     * enrolls the person and replies with the templates it computed, and returns the body the fleet gets.
     */
    public FleetEnrollment templatesVia(String via, ObjectNode photoBody, Duration ttl, Duration timeout)
            throws MqttException, InterruptedException {
        ObjectNode cmd = sign(CommandKind.ENROLL, via, photoBody, ttl);
        List<JsonNode> r = send(cmd, Set.of(via), timeout);
        String id = cmd.get("id").asText();
        if (r.isEmpty() || !r.get(0).path("ok").asBoolean() || !r.get(0).path("data").has("templates")) {
            return new FleetEnrollment(id, r, null);
        }
        ObjectNode body = photoBody.deepCopy();
        body.remove("photos");
        body.set("templates", r.get(0).get("data").get("templates"));
        body.put("model_sha256", r.get(0).get("data").get("model_sha256").asText());
        return new FleetEnrollment(id, r, body);
    }

    /**
     * Publishes clear fleet person changes (signed by {@link #sign}) as sealed retained records, then one manifest
     * naming them all; waits for no reply. For bulk loads (the fleet benchmark, a migration): older records of the
     * same persons are not cleared.
     */
    public void publishFleet(List<ObjectNode> changes) throws MqttException, InterruptedException {
        for (ObjectNode cmd : changes) {
            publishRecord(cmd);
        }
        publishManifest(changes);
    }

    /** Seals a clear fleet change and publishes it retained under its person's reference. */
    private void publishRecord(ObjectNode clear) throws MqttException {
        FleetKeyRing k = requireFleetKey();
        ObjectNode sealed = SealedRecord.seal(clear, k, key, pub);
        String ref = SealedRecord.refOf(sealed);
        try {
            client.publish(new Topics(prefix, Topics.FLEET).galleryRecord(ref, clear.get("id").asText()),
                    JSON.writeValueAsBytes(sealed), 1, true);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The newest retained record of a person, opened, or null: for fleet updates, which carry the full person. */
    public JsonNode currentRecord(String person) throws MqttException, InterruptedException {
        JsonNode best = null;
        for (Indexed r : records(person)) {
            if (best == null || newer(r.opened(), best)) {
                best = r.opened();
            }
        }
        return best;
    }

    /**
     * Re-seals every retained record this client can verify to the new epoch of {@code next} (same command id and
     * times, signed by this admin), publishes them under the new epoch's references, publishes a manifest sealed to
     * it, then clears the old topics. Clear records of an older version are sealed on the way. Doors that hold the
     * new key read both epochs meanwhile; a re-sealed record a door holds is skipped (its id was applied).
     *
     * @return how many records were re-sealed
     */
    public int reseal(FleetKeyRing next) throws MqttException, InterruptedException {
        records("");
        fleetKey = next;
        Map<String, ObjectNode> newest = new java.util.TreeMap<>();
        List<Indexed> all = new ArrayList<>();
        synchronized (index) {
            index.values().forEach(byId -> all.addAll(byId.values()));
        }
        for (Indexed r : all) {
            if (r.opened() == null || head(r) == null) {
                continue; // unreadable or not vouched for: left for its own admin
            }
            String person = r.opened().path("body").path("person_id").asText();
            ObjectNode best = newest.get(person);
            if (best == null || newer(r.opened(), best)) {
                newest.put(person, (ObjectNode) r.opened());
            }
        }
        Set<String> kept = new java.util.HashSet<>();
        for (ObjectNode clear : newest.values()) {
            publishRecord(clear);
            kept.add(next.ref(next.currentEpoch(), clear.path("body").path("person_id").asText()) + "/"
                    + clear.get("id").asText());
        }
        publishManifest(new ArrayList<>(newest.values()));
        for (Indexed r : all) {
            String id = r.raw().path("id").asText();
            if (!kept.contains(r.ref() + "/" + id)) {
                client.publish(new Topics(prefix, Topics.FLEET).galleryRecord(r.ref(), id), new byte[0], 1, true);
            }
        }
        return newest.size();
    }

    /** Another admin's key: its records and manifests are then included in the manifests this client publishes. */
    public void trust(PublicKey otherAdmin) {
        trusted.put(AdminKeys.keyId(otherAdmin), otherAdmin);
    }

    /**
     * Signs and publishes (retained) the fleet manifest: per person the newest record this client can verify, from
     * the retained records, the retained manifest and {@code change} (the record just published, or null). Records
     * signed by keys it does not know are left out rather than vouched for; doors still apply them when fetched.
     */
    public ObjectNode publishManifest(List<ObjectNode> changes) throws MqttException, InterruptedException {
        FleetKeyRing fk = requireFleetKey();
        records("");
        List<Indexed> all = new ArrayList<>();
        synchronized (index) {
            index.values().forEach(byId -> all.addAll(byId.values()));
        }
        List<CommandLedger.Head> heads = new ArrayList<>();
        for (Indexed r : all) {
            CommandLedger.Head h = head(r);
            if (h != null) {
                heads.add(h);
            }
        }
        byte[] old = retainedManifest;
        if (old != null && old.length > 0) {
            try {
                heads.addAll(FleetManifest.verify(old, trusted, fk).heads().values());
            } catch (IllegalArgumentException e) {
                // another admin's, a forged one, or sealed to a key this admin lacks: not vouched for
            }
        }
        for (ObjectNode change : changes) {
            if (FleetManifest.headOf(change) != null) {
                heads.add(FleetManifest.headOf(change));
            }
        }
        // a manifest is never older than a head it lists (doors refuse that), whatever this client's clock says
        Instant issued = clock.instant();
        for (CommandLedger.Head h : heads) {
            issued = issued.isBefore(Instant.ofEpochMilli(h.issuedAtMs())) ? Instant.ofEpochMilli(h.issuedAtMs())
                    : issued;
        }
        ObjectNode m = FleetManifest.sign(UUID.randomUUID().toString(), issued, heads, key, pub, fk);
        try {
            client.publish(new Topics(prefix, Topics.FLEET).fleetManifest(), JSON.writeValueAsBytes(m), 1, true);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return m;
    }

    /** Streams events ({@code <prefix>/<device or +>/events}) to {@code sink} until interrupted or closed. */
    public void subscribeEvents(String device, Consumer<JsonNode> sink) throws MqttException {
        client.subscribe(new Topics(prefix, device == null ? "+" : device).events(), 1, (topic, msg) -> {
            try {
                sink.accept(JSON.readTree(msg.getPayload()));
            } catch (Exception e) {
                // not JSON: not one of ours
            }
        });
    }

    private void clearOlderRecords(String person, ObjectNode cmd) throws MqttException, InterruptedException {
        for (Indexed r : records(person)) {
            if (!r.raw().get("id").asText().equals(cmd.get("id").asText()) && newer(cmd, r.opened())) {
                client.publish(new Topics(prefix, Topics.FLEET).galleryRecord(r.ref(), r.raw().get("id").asText()),
                        new byte[0], 1, true);
            }
        }
    }

    /** The head a retained record sets when a trusted admin key signed it (checked once per record), else null. */
    private CommandLedger.Head head(Indexed r) {
        if (r.opened() == null) {
            return null;
        }
        String digest = SignedCommand.digest(r.raw());
        CommandLedger.Head cached = verifiedHeads.get(digest);
        if (cached != null) {
            return cached;
        }
        PublicKey k = trusted.get(r.raw().path("key_id").asText());
        CommandLedger.Head h = FleetManifest.headOf(r.opened());
        if (k != null && h != null && Topics.FLEET.equals(r.raw().path("target").asText())
                && SignedCommand.verify(r.raw(), k)) {
            verifiedHeads.put(digest, h);
            return h;
        }
        return null;
    }

    /**
     * The retained records of a person (all of them for {@code ""}: that only builds the index). On first use this
     * client subscribes to every gallery record and waits {@link #SETTLE} for the retained ones; from then on the
     * index follows the broker live. Records are opened with the fleet key; one it cannot open is kept unread.
     */
    private List<Indexed> records(String person) throws MqttException, InterruptedException {
        if (!indexed) {
            client.subscribe(new Topics(prefix, Topics.FLEET).galleryAll(), 1, (topic, msg) -> {
                String[] levels = topic.split("/");
                String id = levels[levels.length - 1];
                String ref = levels[levels.length - 2];
                if (msg.getPayload().length == 0) {
                    synchronized (index) {
                        index.getOrDefault(ref, new LinkedHashMap<>()).remove(id);
                    }
                    return;
                }
                Indexed r;
                try {
                    JsonNode raw = JSON.readTree(msg.getPayload());
                    JsonNode opened;
                    try {
                        FleetKeyRing fk = fleetKey;
                        opened = fk == null && raw.path("body").has("sealed") ? null
                                : fk == null ? raw : SealedRecord.opened(raw, fk);
                    } catch (IllegalArgumentException e) {
                        opened = null;
                    }
                    r = new Indexed(ref, raw, opened);
                } catch (Exception e) {
                    return; // not a record
                }
                synchronized (index) {
                    index.computeIfAbsent(ref, k -> new LinkedHashMap<>()).put(id, r);
                }
            });
            client.subscribe(new Topics(prefix, Topics.FLEET).fleetManifest(), 1,
                    (topic, msg) -> retainedManifest = msg.getPayload());
            Thread.sleep(SETTLE.toMillis());
            indexed = true;
        }
        List<Indexed> out = new ArrayList<>();
        if (person.isEmpty()) {
            return out;
        }
        synchronized (index) {
            for (Map<String, Indexed> byId : index.values()) {
                for (Indexed r : byId.values()) {
                    if (r.opened() != null && person.equals(r.opened().path("body").path("person_id").asText())) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    private static boolean newer(JsonNode a, JsonNode b) {
        int c = Instant.parse(a.get("issued_at").asText()).compareTo(Instant.parse(b.get("issued_at").asText()));
        return c > 0 || (c == 0 && a.get("id").asText().compareTo(b.get("id").asText()) > 0);
    }

    private Replies listen(String commandId) {
        Replies r = new Replies(commandId, doorKeys);
        current = r;
        return r;
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect(1000);
        }
        client.close(true);
    }

    /** Replies to one command id, one per device: a verified reply wins over anything else that claims to be one. */
    private static final class Replies {
        private final String id;
        private final DoorKeys doorKeys;
        private final Map<String, JsonNode> verified = new LinkedHashMap<>();
        private final Map<String, JsonNode> rejected = new LinkedHashMap<>();
        private final java.util.concurrent.BlockingQueue<Arrival> arrived =
                new java.util.concurrent.LinkedBlockingQueue<>();

        private record Arrival(String topicDevice, byte[] payload) {
        }

        Replies(String id, DoorKeys doorKeys) {
            this.id = id;
            this.doorKeys = doorKeys;
        }

        /**
         * Runs on Paho's callback thread, which sends the PUBACK only when this returns: it just queues, without a
         * lock. Parsing and the signature check run in the waiting thread ({@link #await}). (Checking here made the
         * embedded Moquette 0.17 crash now and then on a PUBACK: IllegalReferenceCountException.)
         */
        void offer(String topicDevice, byte[] payload) {
            arrived.add(new Arrival(topicDevice, payload));
        }

        private void check(Arrival a) {
            JsonNode n;
            try {
                n = JSON.readTree(a.payload());
            } catch (Exception e) {
                return; // not JSON: not a reply
            }
            if (n == null || !n.isObject() || !java.util.Objects.equals(id, n.path("command_id").asText(null))) {
                return;
            }
            String device = n.path("device").asText(null);
            String why = problem(a.topicDevice(), device, n);
            if (why == null) {
                verified.putIfAbsent(device, n);
            } else {
                String who = device != null && device.equals(a.topicDevice()) ? device : a.topicDevice();
                rejected.putIfAbsent(who, unverified(id, who, why));
            }
        }

        private String problem(String topicDevice, String device, JsonNode n) {
            if (device == null || !device.equals(topicDevice)) {
                return "a reply on " + topicDevice + "'s topic names device " + device;
            }
            PublicKey key;
            try {
                key = doorKeys.forDevice(device);
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
            if (!n.hasNonNull("sig")) {
                return "the reply is not signed";
            }
            if (!SignedReply.verify(n, key)) {
                return "the reply's signature does not verify with the key of door " + device;
            }
            return null;
        }

        private static JsonNode unverified(String commandId, String device, String why) {
            ObjectNode t = JSON.createObjectNode();
            t.put("command_id", commandId);
            t.put("device", device);
            t.put("ok", false);
            t.put("code", "unverified_reply");
            t.put("message", "reply not from the door: " + why);
            return t;
        }

        /** Called by one thread, the one that sent the command. */
        List<JsonNode> await(Set<String> expect, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!verified.keySet().containsAll(expect)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                Arrival a = arrived.poll(left, TimeUnit.NANOSECONDS);
                if (a != null) {
                    check(a);
                }
            }
            for (Arrival a = arrived.poll(); a != null; a = arrived.poll()) {
                check(a);
            }
            List<JsonNode> out = new ArrayList<>(verified.values());
            rejected.forEach((device, r) -> {
                if (!verified.containsKey(device)) {
                    out.add(r);
                }
            });
            return out;
        }
    }
}
