package io.facegate.mqtt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facegate.config.MqttConfig;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Home Assistant MQTT discovery: retained configs for the door as a {@code lock}, access decisions as an
 * {@code event}, the door contact as a {@code binary_sensor}, and sensors for frames per second and gallery size;
 * availability from the status topic. Re-published whenever Home Assistant announces {@code online}.
 *
 * <p>The lock entity never opens the door from an unsigned message unless {@code mqtt.home_assistant.
 * allow_unsigned_unlock} is set: by default it is disabled in Home Assistant and its command topic is not even
 * subscribed. (Signed unlocks go through {@code facegate admin unlock}.)
 */
final class HomeAssistantDiscovery {
    /** Event types the event entity declares; others are not forwarded by Home Assistant. */
    public static final List<String> EVENT_TYPES = List.of("access_granted", "access_denied", "door_opened",
            "door_closed", "door_forced", "door_held_open", "lockdown_on", "lockdown_off", "events_dropped");

    private static final ObjectMapper JSON = new ObjectMapper();
    private final MqttConfig cfg;
    private final Topics topics;

    public HomeAssistantDiscovery(MqttConfig cfg) {
        this.cfg = cfg;
        this.topics = new Topics(cfg.topicPrefix(), cfg.deviceId());
    }

    public String statusTopic() {
        return cfg.homeAssistant().discoveryPrefix() + "/status";
    }

    /** Discovery topic → retained config payload. */
    public Map<String, byte[]> messages() {
        String dp = cfg.homeAssistant().discoveryPrefix();
        String dev = cfg.deviceId();
        String node = "facegate_" + dev.replace('-', '_');
        Map<String, byte[]> out = new LinkedHashMap<>();

        ObjectNode lock = base("Door", node + "_lock");
        lock.put("state_topic", topics.door());
        lock.put("value_template", "{{ 'LOCKED' if value_json.locked else 'UNLOCKED' }}");
        lock.put("command_topic", topics.haLockSet());
        lock.put("payload_unlock", "UNLOCK");
        lock.put("payload_lock", "LOCK");
        lock.put("optimistic", false);
        lock.put("enabled_by_default", cfg.homeAssistant().allowUnsignedUnlock());
        out.put(dp + "/lock/" + node + "/door/config", bytes(lock));

        ObjectNode event = base("Access", node + "_access");
        event.put("state_topic", topics.events());
        ArrayNode types = event.putArray("event_types");
        EVENT_TYPES.forEach(types::add);
        event.put("value_template", "{{ {'event_type': value_json.type, 'person_id': value_json.person_id | "
                + "default(None), 'display_name': value_json.display_name | default(None), 'reason': "
                + "value_json.reason | default(None)} | to_json }}");
        out.put(dp + "/event/" + node + "/access/config", bytes(event));

        ObjectNode contact = base("Door contact", node + "_contact");
        contact.put("state_topic", topics.door());
        contact.put("device_class", "door");
        contact.put("value_template", "{{ 'ON' if value_json.open else 'OFF' }}");
        out.put(dp + "/binary_sensor/" + node + "/contact/config", bytes(contact));

        ObjectNode fps = base("Frames per second", node + "_fps");
        fps.put("state_topic", topics.health());
        fps.put("value_template", "{{ value_json.fps }}");
        fps.put("unit_of_measurement", "fps");
        fps.put("state_class", "measurement");
        fps.put("entity_category", "diagnostic");
        out.put(dp + "/sensor/" + node + "/fps/config", bytes(fps));

        ObjectNode gallery = base("Gallery size", node + "_gallery");
        gallery.put("state_topic", topics.health());
        gallery.put("value_template", "{{ value_json.gallery.persons }}");
        gallery.put("unit_of_measurement", "persons");
        gallery.put("state_class", "measurement");
        gallery.put("entity_category", "diagnostic");
        out.put(dp + "/sensor/" + node + "/gallery/config", bytes(gallery));
        return out;
    }

    /** Publishes every config, retained. */
    public void publish(MqttLink link) {
        messages().forEach((topic, payload) -> link.publish(topic, payload, 1, true));
    }

    /** Republishes when Home Assistant (re)starts and says {@code online}. */
    public void attach(MqttLink link) {
        link.onConnect(() -> publish(link));
        link.subscribe(statusTopic(), (topic, payload, retained) -> {
            if ("online".equals(new String(payload, StandardCharsets.UTF_8).trim())) {
                publish(link);
            }
        });
    }

    private ObjectNode base(String name, String uniqueId) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("name", name);
        n.put("unique_id", uniqueId);
        n.put("object_id", uniqueId);
        n.put("availability_topic", topics.status());
        n.put("payload_available", "online");
        n.put("payload_not_available", "offline");
        ObjectNode device = n.putObject("device");
        device.putArray("identifiers").add("facegate_" + cfg.deviceId());
        device.put("name", "facegate " + cfg.deviceId());
        device.put("manufacturer", "facegate");
        device.put("model", "face-recognition door controller");
        return n;
    }

    private static byte[] bytes(ObjectNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
