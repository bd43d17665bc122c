package io.facegate.mqtt;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.facegate.config.MqttConfig;
import io.facegate.config.Yaml;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Everything MQTT for one door, as the daemon uses it: events through the durable outbox, signed commands in with
 * replies out, fleet gallery sync, retained health and door state, and Home Assistant discovery.
 *
 * <pre>{@code
 * MqttDoor mqtt = new MqttDoor(cfg.mqtt(), actions, healthSupplier, Clock.systemUTC());
 * mqtt.start();
 * mqtt.publish(EventMessage.Draft.of(decision));     // from the decision loop; durable when it returns
 * mqtt.doorState(locked, open, lockdown);            // from the door state machine
 * }</pre>
 */
public final class MqttDoor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MqttDoor.class);
    private static final ObjectMapper JSON = Yaml.jsonMapper();

    private final MqttConfig cfg;
    private final StateDb db;
    private final Outbox outbox;
    private final CommandLedger ledger;
    private final MqttLink link;
    private final OutboxPublisher publisher;
    private final CommandProcessor processor;
    private final FleetSync fleet;
    private final DeviceActions actions;
    private final Supplier<DeviceHealth> health;
    private final Clock clock;
    private final Instant started;
    private final ExecutorService commands;
    private final ScheduledExecutorService timer;
    private volatile byte[] lastDoorState;

    public MqttDoor(MqttConfig cfg, DeviceActions actions, Supplier<DeviceHealth> health, Clock clock) {
        this.cfg = cfg;
        this.actions = actions;
        this.health = health;
        this.clock = clock;
        this.started = clock.instant();
        // a door told to sync without a readable fleet key stops here, naming the file, before it opens anything
        FleetKeyRing fleetKey = cfg.fleetSync() ? FleetKeyRing.load(Path.of(cfg.fleetKeyFile())) : null;
        this.db = StateDb.open(Path.of(cfg.statePath()));
        this.outbox = new Outbox(db, cfg.deviceId(), cfg.outboxMaxEvents());
        this.ledger = new CommandLedger(db);
        this.link = new MqttLink(cfg);
        this.publisher = new OutboxPublisher(link, outbox, 64, clock);
        var keys = AdminKeys.trusted(cfg.adminPublicKeys());
        this.processor = new CommandProcessor(cfg.deviceId(), DeviceKey.loadOrCreate(cfg), keys,
                cfg.maxCommandBytes(), Duration.ofSeconds(cfg.clockSkewSeconds()), actions, ledger, clock,
                this::resync);
        if (fleetKey != null) {
            this.fleet = new FleetSync(db, ledger, actions, keys, Duration.ofSeconds(cfg.clockSkewSeconds()), clock,
                    fleetKey, new FleetSync.Fetcher() {
                        @Override
                        public void fetch(String ref) {
                            link.subscribe(link.topics().galleryRecordsOf(ref), MqttDoor.this::onRecord);
                        }

                        @Override
                        public void drop(String ref) {
                            link.unsubscribe(link.topics().galleryRecordsOf(ref));
                        }

                        @Override
                        public void removedFromManifest(CommandLedger.Head head) {
                            try { // the removal is done and recorded; a reply that fails must not stop the sync
                                link.publish(link.topics().reply(),
                                        processor.signedJson(processor.removedFromManifest(head)), 1, false);
                            } catch (RuntimeException e) {
                                LOG.warn("reply for removal {} taken from the manifest not sent: {}",
                                        head.commandId(), e.toString());
                            }
                        }
                    });
            processor.manifestFloor(fleet::floor);
            processor.recordBody(env -> SealedRecord.openBody(env, fleetKey));
        } else {
            this.fleet = null;
            LOG.info("fleet gallery sync is off (mqtt.fleet_sync: false)");
        }
        this.commands = Executors.newSingleThreadExecutor(r -> daemon(r, "mqtt-commands-" + cfg.deviceId()));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "mqtt-health-" + cfg.deviceId()));
        if (cfg.adminPublicKeys().isEmpty()) {
            LOG.warn("mqtt.admin_public_keys is empty: every command will be refused");
        }
    }

    public void start() {
        ledger.prune(clock.instant().minus(Duration.ofDays(1)));
        Topics t = link.topics();
        link.subscribe(t.command(), (topic, p, r) -> submit(CommandProcessor.Source.DEVICE, p));
        link.subscribe(t.fleetCommand(), (topic, p, r) -> submit(CommandProcessor.Source.FLEET, p));
        // Not the wildcard over every record: a broker drops what exceeds its queue limit. The manifest says
        // which persons this door lacks, and FleetSync fetches those few at a time.
        if (fleet != null) {
            link.subscribe(t.fleetManifest(), (topic, p, r) -> commands.execute(() -> fleet.onManifest(p)));
        }
        if (cfg.homeAssistant().enabled()) {
            new HomeAssistantDiscovery(cfg).attach(link);
            if (cfg.homeAssistant().allowUnsignedUnlock()) {
                LOG.warn("mqtt.home_assistant.allow_unsigned_unlock is on: anyone able to publish on {} opens"
                        + " the door", t.haLockSet());
                link.subscribe(t.haLockSet(), (topic, p, r) -> {
                    if (!r && "UNLOCK".equals(new String(p, StandardCharsets.UTF_8).trim())) {
                        commands.execute(() -> actions.unlock(Duration.ofSeconds(5), "home-assistant"));
                    }
                });
            }
        }
        link.onConnect(() -> {
            byte[] door = lastDoorState;
            if (door != null) {
                link.publish(t.door(), door, 1, true);
            }
            timer.execute(this::publishHealth);
        });
        timer.scheduleAtFixedRate(this::publishHealth, cfg.healthIntervalSeconds(), cfg.healthIntervalSeconds(),
                TimeUnit.SECONDS);
        if (fleet != null) {
            timer.scheduleAtFixedRate(() -> commands.execute(fleet::tick), 1, 1, TimeUnit.SECONDS);
        }
        publisher.start();
        link.start();
    }

    /** Commits the event to the outbox (durable when this returns) and lets the publisher send it. */
    public EventMessage publish(EventMessage.Draft draft) {
        if (!cfg.eventSnapshots() && draft.snapshotJpeg() != null) {
            draft = draft.withSnapshot(null);
        }
        return outbox.append(draft);
    }

    /** Retained door state for dashboards and Home Assistant. */
    public void doorState(boolean locked, boolean open, boolean lockdown) {
        doorState(locked, open, lockdown, null);
    }

    /** As {@link #doorState(boolean, boolean, boolean)}, with why the door is in fault (null: no fault). */
    public void doorState(boolean locked, boolean open, boolean lockdown, String fault) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("locked", locked);
        m.put("open", open);
        m.put("lockdown", lockdown);
        m.put("fault", fault);
        m.put("time", clock.instant().toString());
        try {
            lastDoorState = JSON.writeValueAsBytes(m);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        if (link.isConnected()) {
            link.publish(link.topics().door(), lastDoorState, 1, true);
        }
    }

    public boolean connected() {
        return link.isConnected();
    }

    Outbox outbox() {
        return outbox;
    }

    /** Events stored and not yet published. */
    public long outboxDepth() {
        return outbox.depth();
    }

    /** Events dropped when the outbox was full plus events that could not be stored. */
    public long eventsDropped() {
        return outbox.droppedTotal();
    }

    /** What health should say about the outbox (events not stored, or drops not yet reported), or null. */
    public String outboxError() {
        return outbox.lastError();
    }

    /** Whether this door holds every change the newest fleet manifest names, and the manifest's age. */
    public Map<String, Object> fleetSyncStatus() {
        if (fleet == null) {
            Map<String, Object> off = new LinkedHashMap<>();
            off.put("state", "off");
            return off;
        }
        return fleet.status().toMap(clock.instant());
    }

    /** Version and heads hash of the fleet-synchronised gallery changes this door holds. */
    CommandLedger.SyncState syncState() {
        return ledger.syncState();
    }

    /** Hash of the fleet-synchronised heads this door holds: equal on two doors that hold the same changes. */
    public String fleetHeadsHash() {
        return ledger.syncState().headsHash();
    }

    /** The health message, as published. */
    public Map<String, Object> healthMessage() {
        DeviceHealth h = health.get();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", cfg.deviceId());
        m.put("time", clock.instant().toString());
        m.put("uptime_s", Duration.between(started, clock.instant()).toSeconds());
        m.put("state", h.state());
        m.put("fps", h.fps());
        m.put("stage_latency_ms", h.stageLatencyMs());
        m.put("provider", h.provider());
        Map<String, Object> g = new LinkedHashMap<>();
        Map<String, Object> s = processor.stateData();
        g.put("version", s.get("gallery_version"));
        g.put("heads_hash", s.get("gallery_heads_hash"));
        g.put("content_hash", s.get("gallery_content_hash"));
        g.put("persons", s.get("gallery_persons"));
        if (h.galleryState() != null) {
            g.put("state", h.galleryState());
        }
        g.put("sync", fleetSyncStatus());
        m.put("gallery", g);
        m.put("outbox", Map.of("depth", outbox.depth(), "dropped_total", outbox.droppedTotal()));
        String err = h.lastError() != null ? h.lastError() : link.lastError();
        m.put("last_error", err);
        m.put("door_fault", h.doorFault());
        m.put("access", h.access());
        return m;
    }

    private void publishHealth() {
        try {
            if (link.isConnected()) {
                link.publish(link.topics().health(), JSON.writeValueAsBytes(healthMessage()), 1, true);
            }
        } catch (Exception e) {
            LOG.warn("health publish failed: {}", e.toString());
        }
    }

    private void submit(CommandProcessor.Source source, byte[] payload) {
        commands.execute(() -> {
            try {
                processor.handle(source, payload).ifPresent(reply ->
                        link.publish(link.topics().reply(), processor.signedJson(reply), 1, false));
            } catch (RuntimeException e) {
                // the state database failed: nothing was acknowledged, the door stays as it was
                LOG.error("command handling failed: {}", e.toString());
            }
        });
    }

    /** A sync request: subscribe to the manifest again so the broker re-sends it and missing records are fetched. */
    private void resync() {
        if (fleet == null) {
            return;
        }
        fleet.recheckAll();
        link.unsubscribe(link.topics().fleetManifest());
        link.subscribe(link.topics().fleetManifest(), (topic, p, r) -> commands.execute(() -> fleet.onManifest(p)));
    }

    /** A gallery record on a person's topic: an empty retained message is an admin clearing an old record. */
    private void onRecord(String topic, byte[] payload, boolean retained) {
        String ref = link.topics().refOfRecord(topic);
        if (payload.length == 0 || ref == null) {
            return;
        }
        submit(CommandProcessor.Source.GALLERY, payload);
        commands.execute(() -> fleet.onRecord(ref));
    }

    @Override
    public void close() {
        timer.shutdownNow();
        commands.shutdown();
        try {
            commands.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publisher.close();
        link.close();
        db.close();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
