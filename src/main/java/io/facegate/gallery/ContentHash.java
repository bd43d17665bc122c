package io.facegate.gallery;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The gallery's content hash: an additive multiset hash, the sum modulo 2^256 of the SHA-256 of every person's
 * attributes and every template (embedding and provenance). It does not depend on insertion order, row ids or
 * bookkeeping times, so two doors holding the same people and templates report the same hash, and a change
 * updates it in O(change) by adding and subtracting digests.
 */
final class ContentHash {
    static final BigInteger MOD = BigInteger.ONE.shiftLeft(256);

    private ContentHash() {
    }

    /** The published hash of a content sum: SHA-256 of its 32 bytes, in hex. */
    static String hashOfSum(BigInteger sum) {
        byte[] raw = sum.toByteArray();
        byte[] fixed = new byte[32];
        int n = Math.min(32, raw.length);
        System.arraycopy(raw, raw.length - n, fixed, 32 - n, n);
        return HexFormat.of().formatHex(sha256().digest(fixed));
    }

    /** SHA-256 of the person's attributes that matter (not the bookkeeping times). */
    static BigInteger digestOf(Person p) {
        MessageDigest md = sha256();
        field(md, "person");
        field(md, p.id());
        field(md, p.displayName());
        field(md, String.join("\u0000", p.groups()));
        field(md, p.enabled() ? "1" : "0");
        field(md, p.validFrom() == null ? "" : Long.toString(p.validFrom().toEpochMilli()));
        field(md, p.validUntil() == null ? "" : Long.toString(p.validUntil().toEpochMilli()));
        return new BigInteger(1, md.digest());
    }

    static byte[] templateDigest(Template t) {
        MessageDigest md = sha256();
        field(md, "template");
        field(md, t.personId());
        field(md, t.modelId());
        field(md, t.modelSha256());
        field(md, Long.toHexString(Double.doubleToLongBits(t.quality())));
        field(md, t.photoSha256());
        field(md, Long.toString(t.createdAt().toEpochMilli()));
        md.update(TemplateCodec.toBytes(t.embedding()));
        return md.digest();
    }

    private static void field(MessageDigest md, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        md.update(ByteBuffer.allocate(4).putInt(b.length).array());
        md.update(b);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
