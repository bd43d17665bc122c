package io.facegate.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.facegate.config.Yaml;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A test-side receiver with a persistent session (clean session off, QoS 1), reconnecting on its own, so messages
 * published while it was cut off (broker restart) are still delivered. Keeps every message and the first arrival
 * of each event id.
 */
final class Subscriber implements AutoCloseable {
    private static final ObjectMapper JSON = Yaml.jsonMapper();

    private final MqttClient client;
    private final List<JsonNode> all = new ArrayList<>();
    private final Map<String, JsonNode> firstById = new LinkedHashMap<>();

    Subscriber(String uri, String clientId, String... filters) throws MqttException, InterruptedException {
        client = new MqttClient(uri, clientId, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(false);
        o.setAutomaticReconnect(true);
        o.setMaxReconnectDelay(500);
        o.setMaxInflight(1000);
        // Moquette 0.17 sometimes drops a SUBSCRIBE sent right after the CONNACK of a new persistent session
        // ("SUBSCRIBE received on already closed connection"): try again on a fresh connection.
        for (int attempt = 1; ; attempt++) {
            try {
                if (!client.isConnected()) {
                    client.connect(o);
                }
                for (String f : filters) {
                    client.subscribe(f, 1, (topic, msg) -> onMessage(msg.getPayload()));
                }
                return;
            } catch (MqttException e) {
                if (attempt == 5) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private void onMessage(byte[] payload) {
        if (payload.length == 0) {
            return;
        }
        JsonNode n;
        try {
            n = JSON.readTree(payload);
        } catch (IOException e) {
            n = JSON.getNodeFactory().textNode(new String(payload));
        }
        synchronized (this) {
            all.add(n);
            if (n.has("event_id")) {
                firstById.putIfAbsent(n.get("event_id").asText(), n);
            }
            notifyAll();
        }
    }

    synchronized List<JsonNode> firstArrivals() {
        return new ArrayList<>(firstById.values());
    }

    synchronized List<JsonNode> all() {
        return new ArrayList<>(all);
    }

    /** Waits until {@code done} holds for the list of all messages, or the timeout passes; returns whether it did. */
    synchronized boolean await(Predicate<List<JsonNode>> done, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!done.test(all)) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            wait(Math.min(left, 200));
        }
        return true;
    }

    synchronized boolean awaitDistinct(int n, long timeoutMs) throws InterruptedException {
        return await(l -> firstById.size() >= n, timeoutMs);
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(500);
            }
            client.close(true);
        } catch (MqttException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
