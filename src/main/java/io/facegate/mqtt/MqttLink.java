package io.facegate.mqtt;

import io.facegate.config.MqttConfig;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The door's one connection to the broker. It connects in the background, retries with exponential backoff for
 * as long as it takes (the door keeps working offline meanwhile), re-subscribes after every reconnect, and keeps
 * {@code <prefix>/<device>/status} truthful: retained {@code online}, {@code offline} as the last will and on a
 * clean shutdown.
 *
 * <p>A door that cannot hear its commands must not look online: every SUBACK is checked, and a subscription the
 * broker refuses (granted QoS 0x80, typically its ACL) or that fails is a failed connection: no {@code online}, the
 * connection is dropped (the broker publishes the {@code offline} will), {@link #lastError()} names the topic, and
 * the link retries with backoff. A subscription refused later on a live connection withdraws {@code online} the
 * same way.
 *
 * <p>Each connection attempt uses a fresh Paho client with a clean session and memory persistence: durability is
 * the outbox's job (SQLite), and a fresh client cannot resend stale in-flight messages behind the outbox's back.
 */
final class MqttLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MqttLink.class);

    /** Receives a message of a subscription; runs on the Paho thread, so it must hand heavy work off. */
    @FunctionalInterface
    public interface Handler {
        void onMessage(String topic, byte[] payload, boolean retained);
    }

    private final MqttConfig cfg;
    private final Topics topics;
    private final ScheduledExecutorService loop;
    private final Map<String, Handler> subscriptions = new ConcurrentHashMap<>();
    private final List<Runnable> onConnect = new CopyOnWriteArrayList<>();
    private final AtomicInteger generation = new AtomicInteger();
    private volatile MqttAsyncClient client;
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile String lastError;
    private long backoffMs;

    public MqttLink(MqttConfig cfg) {
        this.cfg = cfg;
        this.topics = new Topics(cfg.topicPrefix(), cfg.deviceId());
        this.backoffMs = cfg.reconnectMinMs();
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mqtt-link-" + cfg.deviceId());
            t.setDaemon(true);
            return t;
        });
    }

    public Topics topics() {
        return topics;
    }

    public MqttConfig config() {
        return cfg;
    }

    /** Starts connecting in the background; returns at once. */
    public void start() {
        loop.execute(this::connectOnce);
    }

    public boolean isConnected() {
        return connected;
    }

    /** Connection generation: changes on every (re)connect so callers can ignore callbacks of an old session. */
    public int generation() {
        return generation.get();
    }

    public String lastError() {
        return lastError;
    }

    /**
     * Subscribes now if connected and again after every reconnect. A refusal on the live connection drops it, so
     * the door goes offline and reconnects (with backoff) rather than staying online without hearing the topic.
     */
    public void subscribe(String filter, Handler handler) {
        subscriptions.put(filter, handler);
        MqttAsyncClient c = client;
        if (connected && c != null) {
            try {
                subscribeOn(c, filter, handler, new IMqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken t) {
                        String refused = refusal(filter, t);
                        if (refused != null) {
                            loop.execute(() -> withdraw(c, refused));
                        }
                    }

                    @Override
                    public void onFailure(IMqttToken t, Throwable e) {
                        loop.execute(() -> withdraw(c, "subscribing to " + filter + " failed: " + e.getMessage()));
                    }
                });
            } catch (MqttException e) {
                String why = "subscribing to " + filter + " failed: " + describe(e);
                loop.execute(() -> withdraw(c, why));
            }
        }
    }

    /** A live connection that lost a subscription: offline (the will) and reconnect, naming the cause. */
    private void withdraw(MqttAsyncClient c, String why) {
        if (c != client || !connected || closed) {
            return;
        }
        connected = false;
        lastError = why;
        LOG.error("MQTT {}; going offline and reconnecting in {} ms", why, backoffMs);
        discard(c);
        scheduleReconnect();
    }

    /** Stops a subscription now (if connected) and after reconnects. */
    public void unsubscribe(String filter) {
        subscriptions.remove(filter);
        MqttAsyncClient c = client;
        if (connected && c != null) {
            try {
                c.unsubscribe(filter);
            } catch (MqttException e) {
                LOG.warn("MQTT unsubscribe {} failed: {}", filter, describe(e));
            }
        }
    }

    /** Runs {@code r} (on the link thread) after every successful connect, subscriptions already placed. */
    public void onConnect(Runnable r) {
        onConnect.add(r);
    }

    /** Publishes; the future completes when the broker acknowledged (QoS 1) or the message left (QoS 0). */
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retained) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        MqttAsyncClient c = client;
        if (!connected || c == null) {
            f.completeExceptionally(new IllegalStateException("not connected to " + cfg.brokerUri()));
            return f;
        }
        try {
            c.publish(topic, payload, qos, retained, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken t) {
                    f.complete(null);
                }

                @Override
                public void onFailure(IMqttToken t, Throwable e) {
                    f.completeExceptionally(e);
                }
            });
        } catch (MqttException | RuntimeException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    private void connectOnce() {
        if (closed) {
            return;
        }
        MqttAsyncClient c = null;
        try {
            c = new MqttAsyncClient(cfg.brokerUri(), cfg.deviceId(), new MemoryPersistence());
            MqttAsyncClient self = c;
            c.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    onLost(self, cause);
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    // delivered to per-subscription listeners
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                    // completion is tracked per publish
                }
            });
            c.connect(options()).waitForCompletion(TimeUnit.SECONDS.toMillis(15));
            // subscribe before announcing "online": an admin who sees the door online can command it
            for (Map.Entry<String, Handler> e : subscriptions.entrySet()) {
                IMqttToken t;
                try {
                    t = subscribeOn(self, e.getKey(), e.getValue(), null);
                    t.waitForCompletion(10_000);
                } catch (MqttException ex) {
                    throw new SubscriptionRefused("subscribing to " + e.getKey() + " failed: " + describe(ex));
                }
                String refused = refusal(e.getKey(), t);
                if (refused != null) {
                    throw new SubscriptionRefused(refused);
                }
            }
            client = c; // only now: a connection that cannot hear its commands never becomes the link's client
            connected = true;
            generation.incrementAndGet();
            backoffMs = cfg.reconnectMinMs();
            lastError = null;
            LOG.info("MQTT connected to {} as {}", cfg.brokerUri(), cfg.deviceId());
            c.publish(topics.status(), "online".getBytes(StandardCharsets.UTF_8), 1, true);
            for (Runnable r : onConnect) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.warn("MQTT on-connect action failed: {}", e.toString());
                }
            }
        } catch (SubscriptionRefused e) {
            lastError = e.getMessage();
            LOG.error("MQTT connected to {} as {}, but {}; not online, retrying in {} ms", cfg.brokerUri(),
                    cfg.deviceId(), lastError, backoffMs);
            discard(c);
            scheduleReconnect();
        } catch (MqttException e) {
            lastError = describe(e);
            LOG.warn("MQTT cannot connect to {} as {}: {}; retrying in {} ms", cfg.brokerUri(), cfg.deviceId(),
                    lastError, backoffMs);
            discard(c);
            scheduleReconnect();
        } catch (RuntimeException e) {
            lastError = e.getMessage();
            LOG.warn("MQTT setup failed for {}: {}; retrying in {} ms", cfg.brokerUri(), e.getMessage(), backoffMs);
            discard(c);
            scheduleReconnect();
        }
    }

    private void onLost(MqttAsyncClient c, Throwable cause) {
        if (c != client) {
            return;
        }
        connected = false;
        lastError = "connection lost: " + (cause == null ? "unknown" : cause.getMessage());
        if (closed) {
            return;
        }
        LOG.warn("MQTT {}; reconnecting", lastError);
        loop.execute(() -> {
            discard(c);
            scheduleReconnect();
        });
    }

    private void scheduleReconnect() {
        if (closed) {
            return;
        }
        long delay = backoffMs + ThreadLocalRandom.current().nextLong(backoffMs / 4 + 1);
        backoffMs = Math.min(cfg.reconnectMaxMs(), backoffMs * 2);
        loop.schedule(this::connectOnce, delay, TimeUnit.MILLISECONDS);
    }

    private IMqttToken subscribeOn(MqttAsyncClient c, String filter, Handler h, IMqttActionListener done)
            throws MqttException {
        return c.subscribe(filter, 1, null, done, (topic, msg) -> {
            try {
                h.onMessage(topic, msg.getPayload(), msg.isRetained());
            } catch (RuntimeException e) {
                // a handler bug must not tear the connection down (Paho disconnects on a throwing listener)
                LOG.warn("MQTT handler for {} failed: {}", topic, e.toString());
            }
        });
    }

    /** Why the broker refused {@code filter} per its SUBACK (Paho reports a refusal as granted QoS 0x80), or null. */
    static String refusal(String filter, IMqttToken t) {
        int[] granted = t.getGrantedQos();
        if (granted == null || granted.length == 0) {
            return "the broker sent no SUBACK code for " + filter;
        }
        for (int q : granted) {
            if (q == 0x80 || q < 0 || q > 2) {
                return "the broker refused the subscription to " + filter
                        + " (check the broker's ACL for this door's user and client id)";
            }
        }
        return null;
    }

    /** A subscription the door needs was refused or failed: the connection does not count. */
    private static final class SubscriptionRefused extends RuntimeException {
        SubscriptionRefused(String message) {
            super(message);
        }
    }

    private MqttConnectOptions options() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(true);
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval(cfg.keepAliveSeconds());
        o.setConnectionTimeout(10);
        o.setMaxInflight(1000);
        o.setWill(topics.status(), "offline".getBytes(StandardCharsets.UTF_8), 1, true);
        if (cfg.username() != null) {
            o.setUserName(cfg.username());
        }
        if (cfg.password() != null) {
            o.setPassword(cfg.password().toCharArray());
        }
        if (cfg.brokerUri().startsWith("ssl://")) {
            o.setSocketFactory(NoDelaySockets.tls(PemTls.socketFactory(path(cfg.caFile()),
                    path(cfg.clientCertFile()), path(cfg.clientKeyFile()))));
        } else {
            o.setSocketFactory(NoDelaySockets.plain());
        }
        return o;
    }

    private static Path path(String s) {
        return s == null ? null : Path.of(s);
    }

    /** Turns Paho's reason codes into words an installer can act on. */
    static String describe(MqttException e) {
        return switch (e.getReasonCode()) {
            case MqttException.REASON_CODE_FAILED_AUTHENTICATION ->
                    "broker refused the username/password (check mqtt.username and mqtt.password)";
            case MqttException.REASON_CODE_NOT_AUTHORIZED -> "broker says not authorised (check credentials and ACL)";
            case MqttException.REASON_CODE_INVALID_CLIENT_ID -> "broker refused the client id (mqtt.device_id)";
            case MqttException.REASON_CODE_BROKER_UNAVAILABLE -> "broker unavailable";
            case MqttException.REASON_CODE_SERVER_CONNECT_ERROR -> "broker unreachable"
                    + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")");
            case MqttException.REASON_CODE_CLIENT_TIMEOUT -> "broker did not answer in time";
            default -> e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")");
        };
    }

    private static void discard(MqttAsyncClient c) {
        if (c == null) {
            return;
        }
        try {
            c.disconnectForcibly(0, 100, false);
        } catch (MqttException | RuntimeException ignored) {
            // already gone
        }
        try {
            c.close(true);
        } catch (MqttException | RuntimeException ignored) {
            // already closed
        }
    }

    /** Clean shutdown: publish retained {@code offline}, then disconnect. */
    @Override
    public void close() {
        closed = true;
        loop.shutdownNow();
        MqttAsyncClient c = client;
        if (c != null && connected) {
            try {
                c.publish(topics.status(), "offline".getBytes(StandardCharsets.UTF_8), 1, true)
                        .waitForCompletion(2000);
                c.disconnect(1000).waitForCompletion(2000);
            } catch (MqttException e) {
                LOG.debug("MQTT clean disconnect failed: {}", e.toString());
            }
        }
        connected = false;
        discard(c);
    }

    /** Kills the connection without a clean disconnect (the broker publishes the will): for fault tests. */
    void crashForTest() {
        closed = true;
        loop.shutdownNow();
        connected = false;
        discard(client);
    }
}
