package io.facegate.config;

import java.util.List;

/**
 * YAML section {@code mqtt}: how a door talks to the (untrusted) broker, and which admins may command it.
 *
 * @param enabled               false keeps the door fully offline (events still go to the outbox file)
 * @param brokerUri             {@code tcp://host:1883} or {@code ssl://host:8883}
 * @param deviceId              MQTT client id and topic segment; letters, digits, '-' and '_' only
 * @param topicPrefix           first topic level of every message (default {@code facegate})
 * @param username              broker user, or null for anonymous
 * @param password              broker password, or null
 * @param caFile                PEM CA bundle to verify an {@code ssl://} broker (null: the JVM trust store)
 * @param clientCertFile        PEM client certificate for mutual TLS, or null
 * @param clientKeyFile         PEM PKCS#8 private key of that certificate, or null
 * @param keepAliveSeconds      MQTT keep-alive
 * @param reconnectMinMs        first reconnect delay; doubles up to {@code reconnectMaxMs}
 * @param reconnectMaxMs        longest reconnect delay
 * @param statePath             SQLite file holding the event outbox, applied command ids and gallery heads
 * @param outboxMaxEvents       bound of the outbox; when full, the oldest events are dropped and counted
 * @param adminPublicKeys       Ed25519 admin keys: a path to a {@code .pub} file or the base64 key itself
 * @param maxCommandBytes       larger command payloads are refused unread
 * @param clockSkewSeconds      tolerance for a command issued "in the future"
 * @param healthIntervalSeconds how often the retained health message is refreshed
 * @param eventSnapshots        attach the face snapshot (JPEG) to access events
 * @param homeAssistant         Home Assistant discovery settings
 * @param deviceKeyFile         the door's Ed25519 private key (PEM PKCS#8, with {@code .pub} next to it) that signs
 *                              its command replies. Null: {@code <state_path's folder>/<device_id>.key}, created at
 *                              first start when absent. A path given here must exist: a missing provisioned key
 *                              stops the door instead of silently becoming a new identity
 * @param fleetSync             take part in fleet gallery sync (sealed retained records and the signed manifest);
 *                              needs {@code fleetKeyFile}. Off by default: a door not given the fleet key cannot read
 *                              fleet records anyway
 * @param fleetKeyFile          the fleet key (made by {@code facegate admin fleet-key create}, mode 600) that opens
 *                              sealed fleet records; a door with {@code fleet_sync} on and no readable key here
 *                              refuses to start
 */
public record MqttConfig(Boolean enabled, String brokerUri, String deviceId, String topicPrefix,
                         String username, String password, String caFile, String clientCertFile,
                         String clientKeyFile, Integer keepAliveSeconds, Long reconnectMinMs, Long reconnectMaxMs,
                         String statePath, Integer outboxMaxEvents, List<String> adminPublicKeys,
                         Integer maxCommandBytes, Integer clockSkewSeconds, Integer healthIntervalSeconds,
                         Boolean eventSnapshots, HomeAssistant homeAssistant, String deviceKeyFile,
                         Boolean fleetSync, String fleetKeyFile) {

    /** Topic levels may not contain wildcards or separators; a device id also becomes an MQTT client id. */
    private static final String ID_PATTERN = "[A-Za-z0-9_-]{1,64}";

    public MqttConfig {
        enabled = enabled == null || enabled;
        brokerUri = brokerUri == null ? "tcp://127.0.0.1:1883" : brokerUri;
        deviceId = deviceId == null ? "door-1" : deviceId;
        topicPrefix = topicPrefix == null ? "facegate" : topicPrefix;
        keepAliveSeconds = keepAliveSeconds == null ? 30 : keepAliveSeconds;
        reconnectMinMs = reconnectMinMs == null ? 1000L : reconnectMinMs;
        reconnectMaxMs = reconnectMaxMs == null ? 60_000L : reconnectMaxMs;
        statePath = statePath == null ? "facegate-mqtt.db" : statePath;
        outboxMaxEvents = outboxMaxEvents == null ? 100_000 : outboxMaxEvents;
        adminPublicKeys = adminPublicKeys == null ? List.of() : java.util.Collections.unmodifiableList(
                new java.util.ArrayList<>(adminPublicKeys)); // nulls are refused below, naming the key
        maxCommandBytes = maxCommandBytes == null ? 4 * 1024 * 1024 : maxCommandBytes;
        clockSkewSeconds = clockSkewSeconds == null ? 60 : clockSkewSeconds;
        healthIntervalSeconds = healthIntervalSeconds == null ? 30 : healthIntervalSeconds;
        eventSnapshots = eventSnapshots != null && eventSnapshots;
        homeAssistant = homeAssistant == null ? HomeAssistant.defaults() : homeAssistant;
        fleetSync = fleetSync != null && fleetSync;

        ConfigException.require(!statePath.isBlank(), "mqtt.state_path", "must name a file");
        optional(caFile, "mqtt.ca_file");
        optional(clientCertFile, "mqtt.client_cert_file");
        optional(clientKeyFile, "mqtt.client_key_file");
        optional(deviceKeyFile, "mqtt.device_key_file");
        ConfigException.require(deviceKeyFile == null || deviceKeyFile.endsWith(".key"), "mqtt.device_key_file",
                "must end in .key (its public half is read from the .pub file next to it)");
        optional(fleetKeyFile, "mqtt.fleet_key_file");
        ConfigException.require(!fleetSync || fleetKeyFile != null, "mqtt.fleet_key_file",
                "is required when mqtt.fleet_sync is true (the fleet key opens the sealed fleet records; make it with"
                        + " 'facegate admin fleet-key create')");
        for (String k : adminPublicKeys) {
            optional(k, "mqtt.admin_public_keys");
            ConfigException.require(k != null, "mqtt.admin_public_keys", "must not contain empty entries");
        }
        ConfigException.require(brokerUri.startsWith("tcp://") || brokerUri.startsWith("ssl://"),
                "mqtt.broker_uri", "must start with tcp:// or ssl://, got " + brokerUri);
        ConfigException.require(deviceId.matches(ID_PATTERN), "mqtt.device_id",
                "must be 1-64 letters, digits, '-' or '_' (it is a topic level and the client id)");
        ConfigException.require(!deviceId.equals("fleet") && !deviceId.equals("+"), "mqtt.device_id",
                "'fleet' is reserved for commands to every door");
        ConfigException.require(topicPrefix.matches("[A-Za-z0-9_/-]{1,64}") && !topicPrefix.startsWith("/")
                && !topicPrefix.endsWith("/"), "mqtt.topic_prefix", "must be topic levels without wildcards");
        ConfigException.require(keepAliveSeconds > 0, "mqtt.keep_alive_seconds", "must be > 0");
        ConfigException.require(reconnectMinMs > 0, "mqtt.reconnect_min_ms", "must be > 0");
        ConfigException.require(reconnectMaxMs >= reconnectMinMs, "mqtt.reconnect_max_ms",
                "must be >= mqtt.reconnect_min_ms");
        ConfigException.require(outboxMaxEvents > 0, "mqtt.outbox_max_events", "must be > 0");
        ConfigException.require(maxCommandBytes >= 1024, "mqtt.max_command_bytes", "must be >= 1024");
        ConfigException.require(clockSkewSeconds >= 0, "mqtt.clock_skew_seconds", "must be >= 0");
        ConfigException.require(healthIntervalSeconds > 0, "mqtt.health_interval_seconds", "must be > 0");
        ConfigException.require(clientKeyFile == null || clientCertFile != null, "mqtt.client_cert_file",
                "is required when mqtt.client_key_file is set");
        ConfigException.require(clientCertFile == null || clientKeyFile != null, "mqtt.client_key_file",
                "is required when mqtt.client_cert_file is set");
    }

    /** An optional file or key: left out (null) is fine, an empty string is a mistake that would fail much later. */
    private static void optional(String value, String key) {
        ConfigException.require(value == null || !value.isBlank(), key,
                "must not be empty (leave the key out for none)");
    }

    /** Without {@code device_key_file}: the key lives next to the state file (the tests' and tools' usual case). */
    public MqttConfig(Boolean enabled, String brokerUri, String deviceId, String topicPrefix, String username,
                      String password, String caFile, String clientCertFile, String clientKeyFile,
                      Integer keepAliveSeconds, Long reconnectMinMs, Long reconnectMaxMs, String statePath,
                      Integer outboxMaxEvents, List<String> adminPublicKeys, Integer maxCommandBytes,
                      Integer clockSkewSeconds, Integer healthIntervalSeconds, Boolean eventSnapshots,
                      HomeAssistant homeAssistant) {
        this(enabled, brokerUri, deviceId, topicPrefix, username, password, caFile, clientCertFile, clientKeyFile,
                keepAliveSeconds, reconnectMinMs, reconnectMaxMs, statePath, outboxMaxEvents, adminPublicKeys,
                maxCommandBytes, clockSkewSeconds, healthIntervalSeconds, eventSnapshots, homeAssistant, null, null,
                null);
    }

    public static MqttConfig defaults() {
        return new MqttConfig(null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null);
    }

    /** The device key file: {@code device_key_file}, or {@code <state_path's folder>/<device_id>.key}. */
    public java.nio.file.Path deviceKeyPath() {
        if (deviceKeyFile != null) {
            return java.nio.file.Path.of(deviceKeyFile);
        }
        java.nio.file.Path parent = java.nio.file.Path.of(statePath).toAbsolutePath().getParent();
        return parent.resolve(deviceId + ".key");
    }

    /** A copy for another door or broker: tests and the fleet tooling use it. */
    public MqttConfig with(String brokerUri, String deviceId, String statePath, List<String> adminPublicKeys) {
        return new MqttConfig(enabled, brokerUri, deviceId, topicPrefix, username, password, caFile, clientCertFile,
                clientKeyFile, keepAliveSeconds, reconnectMinMs, reconnectMaxMs, statePath, outboxMaxEvents,
                adminPublicKeys, maxCommandBytes, clockSkewSeconds, healthIntervalSeconds, eventSnapshots,
                homeAssistant, deviceKeyFile, fleetSync, fleetKeyFile);
    }

    /** A copy that takes part in fleet sync with the fleet key in {@code fleetKeyFile} (null: sync off). */
    public MqttConfig withFleetKey(String fleetKeyFile) {
        return new MqttConfig(enabled, brokerUri, deviceId, topicPrefix, username, password, caFile, clientCertFile,
                clientKeyFile, keepAliveSeconds, reconnectMinMs, reconnectMaxMs, statePath, outboxMaxEvents,
                adminPublicKeys, maxCommandBytes, clockSkewSeconds, healthIntervalSeconds, eventSnapshots,
                homeAssistant, deviceKeyFile, fleetKeyFile != null, fleetKeyFile);
    }

    /**
     * YAML section {@code mqtt.home_assistant}.
     *
     * @param enabled             publish MQTT discovery
     * @param discoveryPrefix     Home Assistant's discovery prefix (default {@code homeassistant})
     * @param allowUnsignedUnlock let the Home Assistant lock entity open the door with an unsigned message.
     *                            Off by default: anyone who can publish on the broker could then open the door.
     */
    public record HomeAssistant(Boolean enabled, String discoveryPrefix, Boolean allowUnsignedUnlock) {
        public HomeAssistant {
            enabled = enabled != null && enabled;
            discoveryPrefix = discoveryPrefix == null ? "homeassistant" : discoveryPrefix;
            allowUnsignedUnlock = allowUnsignedUnlock != null && allowUnsignedUnlock;
            ConfigException.require(discoveryPrefix.matches("[A-Za-z0-9_/-]{1,64}"),
                    "mqtt.home_assistant.discovery_prefix", "must be topic levels without wildcards");
        }

        public static HomeAssistant defaults() {
            return new HomeAssistant(null, null, null);
        }
    }
}
