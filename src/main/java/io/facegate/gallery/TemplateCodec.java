package io.facegate.gallery;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Base64;

/**
 * The one encoding of a template's embedding: float32, little-endian, nothing else (no header, no dimension).
 * The gallery stores it in SQLite, exports and fleet records carry it as base64, and the door's start-up loader
 * reads it straight into the matcher. Any other byte order or width would turn a stored person into noise.
 */
public final class TemplateCodec {
    private TemplateCodec() {
    }

    public static byte[] toBytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    /**
     * @throws GalleryException when {@code raw} does not hold exactly {@code dim} values
     */
    public static float[] fromBytes(byte[] raw, int dim) {
        if (raw == null || raw.length != dim * Float.BYTES) {
            throw new GalleryException("template blob has " + (raw == null ? 0 : raw.length)
                    + " bytes, expected " + dim * Float.BYTES);
        }
        float[] v = new float[dim];
        floats(raw).get(v);
        return v;
    }

    /** SHA-256 (hex) of the encoded template: what identifies a template received without a photo. */
    public static String digest(float[] v) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(toBytes(v)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    public static String toBase64(float[] v) {
        return Base64.getEncoder().encodeToString(toBytes(v));
    }

    /** The values of {@code raw} in place, without a copy (for checks and the start-up loader). */
    static FloatBuffer floats(byte[] raw) {
        return ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    }
}
