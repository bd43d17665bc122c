package io.facegate.mqtt;

import io.facegate.config.MqttConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;

/**
 * The door's own Ed25519 key, which signs its command replies so that the admin tool can tell a door's answer from
 * one forged on the broker. Same PEM files as admin keys ({@code facegate admin keygen} makes either).
 *
 * <p>Unset {@code mqtt.device_key_file}: the key lives next to the state file as {@code <device_id>.key} and is
 * created at first start (the door logs its public key file and key id for the admins). A configured path must exist:
 * a provisioned key that went missing stops the door rather than silently becoming a new identity.
 */
public final class DeviceKey {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceKey.class);

    private DeviceKey() {
    }

    /** Loads the device key of {@code cfg}, creating the default one when absent; fails naming the file. */
    public static KeyPair loadOrCreate(MqttConfig cfg) {
        Path key = cfg.deviceKeyPath();
        Path pub = publicFile(key);
        try {
            if (!Files.exists(key) && cfg.deviceKeyFile() == null) {
                if (Files.exists(pub)) {
                    throw new IllegalStateException(pub + " exists but its private key " + key + " does not:"
                            + " restore it, or remove " + pub + " to make a new device key");
                }
                KeyPair kp = AdminKeys.generate();
                AdminKeys.write(kp, key.toString().substring(0, key.toString().length() - ".key".length()));
                LOG.warn("MQTT device key created: {} (key id {}); give {} to the admins (admin --door-keys)", key,
                        AdminKeys.keyId(kp.getPublic()), pub);
                return kp;
            }
            if (!Files.exists(key)) {
                throw new IllegalStateException("mqtt.device_key_file " + key + " does not exist (make one with"
                        + " 'facegate admin keygen --out PREFIX', or leave the key out to have one created)");
            }
            KeyPair kp = new KeyPair(AdminKeys.readPublic(pub), AdminKeys.readPrivate(key));
            requireMatching(kp, key, pub);
            LOG.info("MQTT device key {} (key id {})", key, AdminKeys.keyId(kp.getPublic()));
            return kp;
        } catch (IOException e) {
            throw new IllegalStateException("MQTT device key " + key + ": " + e.getMessage(), e);
        }
    }

    /** {@code PREFIX.pub} next to {@code PREFIX.key}. */
    public static Path publicFile(Path key) {
        String k = key.toString();
        return Path.of(k.substring(0, k.length() - ".key".length()) + ".pub");
    }

    /** A .pub that is not the private key's half would make every reply fail verification: refuse it at start. */
    private static void requireMatching(KeyPair kp, Path key, Path pub) {
        try {
            byte[] probe = "facegate-device-key-check".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(kp.getPrivate());
            s.update(probe);
            byte[] sig = s.sign();
            s.initVerify(kp.getPublic());
            s.update(probe);
            if (!s.verify(sig)) {
                throw new IllegalStateException(pub + " is not the public key of " + key);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MQTT device key " + key + ": " + e.getMessage(), e);
        }
    }
}
