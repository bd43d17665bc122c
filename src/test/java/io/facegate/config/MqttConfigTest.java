package io.facegate.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code mqtt} YAML section: snake_case keys, defaults for what is left out, errors that name the key. */
class MqttConfigTest {
    @Test
    void readsSnakeCaseYamlAndFillsDefaults() throws Exception {
        MqttConfig c = Yaml.mapper().readValue("""
                broker_uri: ssl://broker.example:8883
                device_id: door-7
                admin_public_keys: [/etc/facegate/alice.pub]
                outbox_max_events: 500
                home_assistant:
                  enabled: true
                """, MqttConfig.class);
        assertEquals("ssl://broker.example:8883", c.brokerUri());
        assertEquals("door-7", c.deviceId());
        assertEquals(List.of("/etc/facegate/alice.pub"), c.adminPublicKeys());
        assertEquals(500, c.outboxMaxEvents());
        assertEquals("facegate", c.topicPrefix());
        assertEquals(30, c.keepAliveSeconds());
        assertTrue(c.homeAssistant().enabled());
        assertFalse(c.homeAssistant().allowUnsignedUnlock());
        assertEquals(MqttConfig.defaults().statePath(), c.statePath());
    }

    @Test
    void errorsNameTheKey() {
        var e = assertThrows(Exception.class, () -> Yaml.mapper().readValue("device_id: fleet\n", MqttConfig.class));
        assertTrue(rootMessage(e).contains("mqtt.device_id"), rootMessage(e));
        e = assertThrows(Exception.class, () -> Yaml.mapper().readValue("broker_uri: http://x\n", MqttConfig.class));
        assertTrue(rootMessage(e).contains("mqtt.broker_uri"), rootMessage(e));
        e = assertThrows(Exception.class, () -> Yaml.mapper().readValue("client_key_file: k.pem\n", MqttConfig.class));
        assertTrue(rootMessage(e).contains("mqtt.client_cert_file"), rootMessage(e));
        e = assertThrows(Exception.class, () -> Yaml.mapper().readValue("brokr_uri: tcp://x:1\n", MqttConfig.class));
        assertTrue(rootMessage(e).contains("brokr_uri"), "a typo is an error, not a silent default");
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
