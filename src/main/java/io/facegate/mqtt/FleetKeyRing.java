package io.facegate.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facegate.config.Yaml;

import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fleet key: what lets doors (and admins) read sealed fleet gallery records and manifests, which the broker
 * carries but cannot read. One X25519 key pair per <em>epoch</em>; rotation adds an epoch and keeps the previous
 * one, so a door still reads records sealed to it until the admin has re-sealed them.
 *
 * <p>Sealing: a random 256-bit data key per key-ring instance and epoch (an admin session), wrapped to the
 * epoch's public key with an ephemeral X25519 agreement (HKDF-SHA256, AES-256-GCM) and carried next to every
 * ciphertext; the payload is AES-256-GCM under the data key, with associated data that binds it to its record (id,
 * kind, issue time, topic reference), so a ciphertext cannot be moved to another record. A door unwraps each data key
 * once and caches it: one agreement per admin session, not one per record.
 *
 * <p>Topic references: a person's records live under {@code HMAC-SHA256(topic key of the epoch, person id)}, so
 * topics do not carry names either.
 *
 * <p>File (mode 600): {@code facegate-fleet-key-v1} then one line per epoch, newest first:
 * {@code epoch N <base64 PKCS#8 private> <base64 X.509 public>}.
 */
public final class FleetKeyRing {
    private static final String MAGIC = "facegate-fleet-key-v1";
    private static final ObjectMapper JSON = Yaml.jsonMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** Epoch to key pair, newest last. */
    private final TreeMap<Integer, KeyPair> epochs;
    private final Map<Integer, byte[]> topicKeys = new ConcurrentHashMap<>();
    /** Unwrapped data keys by (epoch, ephemeral public key): one agreement per admin session. */
    private final Map<String, byte[]> opened = new ConcurrentHashMap<>();
    /** This instance's own data key and its wrapping (sealing side), made on first use. */
    private volatile Wrapped own;

    private record Wrapped(int epoch, byte[] dataKey, String eph, String wrap) {
    }

    private FleetKeyRing(Map<Integer, KeyPair> epochs) {
        if (epochs.isEmpty()) {
            throw new IllegalArgumentException("a fleet key needs at least one epoch");
        }
        this.epochs = new TreeMap<>(epochs);
    }

    /** A new fleet key, epoch 1. */
    public static FleetKeyRing create() {
        return new FleetKeyRing(Map.of(1, generate()));
    }

    /** A new epoch; the current one is kept as the previous (older ones are dropped). */
    public FleetKeyRing rotate() {
        Map<Integer, KeyPair> next = new TreeMap<>();
        next.put(currentEpoch(), epochs.lastEntry().getValue());
        next.put(currentEpoch() + 1, generate());
        return new FleetKeyRing(next);
    }

    public int currentEpoch() {
        return epochs.lastKey();
    }

    /** The epochs this ring can read. */
    public Set<Integer> epochs() {
        return epochs.keySet();
    }

    /**
     * Reads a fleet key file; throws {@link IllegalArgumentException} naming the file and the cause when it is
     * missing, unreadable, readable by others than its owner, or not a fleet key.
     */
    public static FleetKeyRing load(Path file) {
        String text;
        try {
            if (Files.getFileAttributeView(file, java.nio.file.attribute.PosixFileAttributeView.class) != null) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
                if (!OWNER_ONLY.containsAll(perms)) {
                    throw new IllegalArgumentException("fleet key file " + file + " is readable by others (mode "
                            + PosixFilePermissions.toString(perms) + "): chmod 600 it");
                }
            }
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("fleet key file " + file + " does not exist");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("fleet key file " + file + " is not readable by this user");
        } catch (IOException e) {
            throw new IllegalArgumentException("fleet key file " + file + " cannot be read: " + e.getMessage());
        }
        List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        if (lines.isEmpty() || !lines.get(0).equals(MAGIC)) {
            throw new IllegalArgumentException("fleet key file " + file + " is not a facegate fleet key (first line "
                    + "must be " + MAGIC + "; make one with 'facegate admin fleet-key create')");
        }
        Map<Integer, KeyPair> epochs = new TreeMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\\s+");
            try {
                if (f.length != 4 || !f[0].equals("epoch")) {
                    throw new IllegalArgumentException("expected 'epoch N PRIVATE PUBLIC'");
                }
                KeyFactory kf = KeyFactory.getInstance("X25519");
                PrivateKey priv = kf.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(f[2])));
                PublicKey pub = kf.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(f[3])));
                KeyPair kp = new KeyPair(pub, priv);
                if (!matches(kp)) {
                    throw new IllegalArgumentException("the public key is not the private key's");
                }
                epochs.put(Integer.parseInt(f[1]), kp);
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new IllegalArgumentException("fleet key file " + file + ": bad epoch line ("
                        + e.getMessage() + ")");
            }
        }
        if (epochs.isEmpty()) {
            throw new IllegalArgumentException("fleet key file " + file + " holds no epoch");
        }
        return new FleetKeyRing(epochs);
    }

    /** Writes the ring to {@code file} with mode 600 from the start (never world-readable, not even briefly). */
    public void save(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        StringBuilder sb = new StringBuilder("# facegate fleet key: secret. Doors and admins only, mode 600.\n")
                .append(MAGIC).append('\n');
        for (var e : epochs.descendingMap().entrySet()) {
            sb.append("epoch ").append(e.getKey()).append(' ')
                    .append(Base64.getEncoder().encodeToString(e.getValue().getPrivate().getEncoded())).append(' ')
                    .append(Base64.getEncoder().encodeToString(e.getValue().getPublic().getEncoded())).append('\n');
        }
        Files.writeString(tmp, sb.toString(), StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The opaque topic level of a person's records under {@code epoch}: 32 hex digits, no name. */
    public String ref(int epoch, String personId) {
        byte[] k = topicKeys.computeIfAbsent(epoch, e -> hkdf(keyOf(e).getPrivate().getEncoded(), new byte[0],
                "facegate-fleet-topic-v1"));
        return HexFormat.of().formatHex(hmac(k, personId.getBytes(StandardCharsets.UTF_8)), 0, 16);
    }

    /** Seals {@code plain} to the current epoch, bound to {@code aad}. */
    public ObjectNode seal(JsonNode plain, String aad) {
        Wrapped w = own;
        if (w == null || w.epoch() != currentEpoch()) {
            w = wrapNewDataKey();
            own = w;
        }
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("epoch", w.epoch());
        s.put("eph", w.eph());
        s.put("wrap", w.wrap());
        try {
            s.put("ct", Base64.getEncoder().encodeToString(aesGcm(Cipher.ENCRYPT_MODE, w.dataKey(),
                    JSON.writeValueAsBytes(plain), bytes(aad))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | GeneralSecurityException e) {
            throw new IllegalStateException("sealing failed: " + e.getMessage(), e);
        }
        return s;
    }

    /**
     * Opens what {@link #seal} made for {@code aad}; throws {@link IllegalArgumentException} naming the cause when it
     * is sealed to an epoch this ring lacks, or does not decrypt (tampered, moved to another record, another key).
     */
    public JsonNode open(JsonNode sealed, String aad) {
        if (sealed == null || !sealed.isObject() || !sealed.path("epoch").canConvertToInt()
                || !sealed.path("eph").isTextual() || !sealed.path("wrap").isTextual()
                || !sealed.path("ct").isTextual()) {
            throw new IllegalArgumentException("not sealed to the fleet key (no epoch/eph/wrap/ct)");
        }
        int epoch = sealed.get("epoch").asInt();
        if (!epochs.containsKey(epoch)) {
            throw new IllegalArgumentException("sealed to fleet key epoch " + epoch + "; this key holds epoch(s) "
                    + epochs.keySet() + " (provision the new fleet key file)");
        }
        String eph = sealed.get("eph").asText();
        try {
            byte[] dataKey = opened.get(epoch + ":" + eph);
            if (dataKey == null) {
                dataKey = unwrap(epoch, eph, sealed.get("wrap").asText());
                opened.put(epoch + ":" + eph, dataKey);
            }
            byte[] plain = aesGcm(Cipher.DECRYPT_MODE, dataKey, Base64.getDecoder().decode(sealed.get("ct").asText()),
                    bytes(aad));
            return JSON.readTree(plain);
        } catch (GeneralSecurityException | IllegalArgumentException | IOException e) {
            throw new IllegalArgumentException("sealed payload does not decrypt with fleet key epoch " + epoch
                    + " (tampered, moved from another record, or sealed to another fleet key)");
        }
    }

    /** The associated data binding a sealed record body to its record. */
    static String recordAad(String commandId, String kind, String issuedAt, String ref) {
        return "facegate-record-v1\n" + commandId + "\n" + kind + "\n" + issuedAt + "\n" + ref;
    }

    /** The associated data binding sealed manifest heads to their manifest. */
    static String manifestAad(String manifestId, String issuedAt) {
        return "facegate-manifest-v1\n" + manifestId + "\n" + issuedAt;
    }

    private Wrapped wrapNewDataKey() {
        int epoch = currentEpoch();
        byte[] dataKey = new byte[32];
        RANDOM.nextBytes(dataKey);
        KeyPair eph = generate();
        byte[] kek = kek(agree(eph.getPrivate(), keyOf(epoch).getPublic()), eph.getPublic().getEncoded(), epoch);
        try {
            String wrap = Base64.getEncoder().encodeToString(aesGcm(Cipher.ENCRYPT_MODE, kek, dataKey,
                    bytes("facegate-wrap-v1\n" + epoch)));
            return new Wrapped(epoch, dataKey, Base64.getEncoder().encodeToString(eph.getPublic().getEncoded()), wrap);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing failed: " + e.getMessage(), e);
        }
    }

    private byte[] unwrap(int epoch, String ephB64, String wrapB64) throws GeneralSecurityException {
        byte[] ephBytes = Base64.getDecoder().decode(ephB64);
        PublicKey eph = KeyFactory.getInstance("X25519").generatePublic(new X509EncodedKeySpec(ephBytes));
        byte[] kek = kek(agree(keyOf(epoch).getPrivate(), eph), ephBytes, epoch);
        return aesGcm(Cipher.DECRYPT_MODE, kek, Base64.getDecoder().decode(wrapB64), bytes("facegate-wrap-v1\n"
                + epoch));
    }

    private byte[] kek(byte[] shared, byte[] ephPub, int epoch) {
        byte[] fleetPub = keyOf(epoch).getPublic().getEncoded();
        byte[] salt = new byte[ephPub.length + fleetPub.length];
        System.arraycopy(ephPub, 0, salt, 0, ephPub.length);
        System.arraycopy(fleetPub, 0, salt, ephPub.length, fleetPub.length);
        return hkdf(shared, salt, "facegate-fleet-wrap-v1");
    }

    private KeyPair keyOf(int epoch) {
        KeyPair kp = epochs.get(epoch);
        if (kp == null) {
            throw new IllegalArgumentException("no fleet key epoch " + epoch);
        }
        return kp;
    }

    /** AES-256-GCM; the 12-byte random nonce is prepended to the ciphertext. */
    private static byte[] aesGcm(int mode, byte[] key, byte[] in, byte[] aad) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        if (mode == Cipher.ENCRYPT_MODE) {
            byte[] nonce = new byte[12];
            RANDOM.nextBytes(nonce);
            c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(aad);
            byte[] ct = c.doFinal(in);
            byte[] out = new byte[12 + ct.length];
            System.arraycopy(nonce, 0, out, 0, 12);
            System.arraycopy(ct, 0, out, 12, ct.length);
            return out;
        }
        if (in.length < 12 + 16) {
            throw new javax.crypto.AEADBadTagException("too short");
        }
        c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, in, 0, 12));
        c.updateAAD(aad);
        return c.doFinal(in, 12, in.length - 12);
    }

    private static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("X25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 unavailable: " + e.getMessage(), e);
        }
    }

    private static byte[] agree(PrivateKey priv, PublicKey pub) {
        try {
            KeyAgreement ka = KeyAgreement.getInstance("X25519");
            ka.init(priv);
            ka.doPhase(pub, true);
            return ka.generateSecret();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("X25519 agreement failed: " + e.getMessage(), e);
        }
    }

    /** Whether the public key belongs to the private one: an agreement with a fresh key gives the same secret. */
    private static boolean matches(KeyPair kp) {
        KeyPair probe = generate();
        return java.util.Arrays.equals(agree(kp.getPrivate(), probe.getPublic()),
                agree(probe.getPrivate(), kp.getPublic()));
    }

    /** HKDF-SHA256 (RFC 5869), one 32-byte block. */
    private static byte[] hkdf(byte[] ikm, byte[] salt, String info) {
        byte[] prk = hmac(salt.length == 0 ? new byte[32] : salt, ikm);
        byte[] in = new byte[info.length() + 1];
        System.arraycopy(bytes(info), 0, in, 0, info.length());
        in[info.length()] = 1;
        return hmac(prk, in);
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
