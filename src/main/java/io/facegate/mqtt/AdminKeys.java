package io.facegate.mqtt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ed25519 admin keys (built into Java 17): PEM files ({@code PRIVATE KEY} PKCS#8, {@code PUBLIC KEY} X.509) and the
 * key id a command names, the first 16 hex digits of the SHA-256 of the public key's X.509 encoding.
 */
public final class AdminKeys {
    private AdminKeys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no Ed25519", e);
        }
    }

    /** Writes {@code PREFIX.key} (mode 600, created so from the start) and {@code PREFIX.pub}. */
    public static void write(KeyPair kp, String prefix) throws IOException {
        Path key = Path.of(prefix + ".key");
        Path pub = Path.of(prefix + ".pub");
        Path parent = key.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.deleteIfExists(key);
        Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(key, pem("PRIVATE KEY", kp.getPrivate().getEncoded()), StandardOpenOption.TRUNCATE_EXISTING);
        Files.writeString(pub, pem("PUBLIC KEY", kp.getPublic().getEncoded()));
    }

    public static PrivateKey readPrivate(Path file) throws IOException {
        try {
            return KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new PKCS8EncodedKeySpec(unpem(Files.readString(file), "PRIVATE KEY")));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(file + " is not an Ed25519 private key (PEM PKCS#8): " + e.getMessage(), e);
        }
    }

    /** The public key of a private key file: {@code PREFIX.pub} next to it. */
    public static PublicKey readPublic(Path file) throws IOException {
        return decodePublic(Files.readString(file), file.toString());
    }

    /** A public key given as PEM text or bare base64 of its X.509 encoding. */
    public static PublicKey decodePublic(String text, String where) {
        try {
            byte[] der = text.contains("-----BEGIN") ? unpem(text, "PUBLIC KEY")
                    : Base64.getDecoder().decode(text.trim());
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /**
     * The admin keys of {@code mqtt.admin_public_keys}: each entry is a path to a {@code .pub} file or the base64
     * key itself. Keyed by key id.
     */
    public static Map<String, PublicKey> trusted(List<String> entries) {
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            String e = entries.get(i);
            String where = "mqtt.admin_public_keys[" + i + "]";
            PublicKey k;
            Path p = Path.of(e.trim().length() < 200 && !e.contains("\n") ? e.trim() : ".");
            if (!e.contains("-----BEGIN") && Files.isRegularFile(p)) {
                try {
                    k = decodePublic(Files.readString(p), where + " (" + p + ")");
                } catch (IOException ex) {
                    throw new UncheckedIOException(where + ": cannot read " + p, ex);
                }
            } else if (io.facegate.config.ConfigPaths.looksLikePath(e)) {
                // base64 never holds a dot: this is a key file that cannot be read, not a malformed key
                throw new IllegalArgumentException(where + ": key file "
                        + io.facegate.config.ConfigPaths.readableFile(Path.of(e.trim()), null));
            } else {
                k = decodePublic(e, where);
            }
            keys.put(keyId(k), k);
        }
        return keys;
    }

    public static String keyId(PublicKey k) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(k.getEncoded());
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    static byte[] unpem(String text, String type) {
        int b = text.indexOf("-----BEGIN " + type + "-----");
        int e = text.indexOf("-----END " + type + "-----");
        if (b < 0 || e < b) {
            throw new IllegalArgumentException("no PEM " + type + " block");
        }
        return Base64.getMimeDecoder().decode(text.substring(b + type.length() + 16, e));
    }
}
