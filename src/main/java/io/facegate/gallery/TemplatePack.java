package io.facegate.gallery;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A packed copy of the matrix one gallery state loads into, beside the gallery file ({@code gallery.db.pack}), so
 * that a start reads it in one go (one mapped file, one checksum, one copy per row) instead of one SQLite row per
 * template, each normalised and quantised again.
 *
 * <p>The gallery file stays the only source of truth: the pack is a cache of one exact state of it. It names the
 * gallery version and content hash it was made from and is used only when both equal the file's now (every change
 * increments the version and changes the hash, in its own transaction); it is written only from a load that began
 * and ended at the same version and skipped nobody, and a whole pack is renamed into place. A pack that is missing,
 * stale, of another model or matrix form, truncated or fails its CRC-32C is ignored (the rows are read as before and
 * a fresh pack is written), so it can neither bring back a removed person nor add one: the person rows still come
 * from the gallery file, and a pack naming a person the file does not hold, or holding another number of templates
 * than the file, is ignored too.
 *
 * <p>Layout: {@code FGPACK02}; the normalised float32 rows (when kept), the int8 rows (when kept) and their float32
 * scales; the rows' owner indices (int32) into the header's person list; the header (JSON); the header's length
 * (int32); the CRC-32C of everything before it (int64). Numbers are little-endian.
 */
final class TemplatePack {
    private static final Logger LOG = LoggerFactory.getLogger(TemplatePack.class);
    private static final byte[] MAGIC = "FGPACK02".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TRAILER = Integer.BYTES + Long.BYTES;

    /** What a pack holds besides the rows: the gallery state it copies, the matrix form, the rows' persons. */
    record Header(@JsonProperty("version") long version, @JsonProperty("content_hash") String contentHash,
                  @JsonProperty("model_sha256") String modelSha256, @JsonProperty("dim") int dim,
                  @JsonProperty("rows") int rows, @JsonProperty("float32") boolean float32,
                  @JsonProperty("int8") boolean int8, @JsonProperty("persons") List<String> persons,
                  @JsonProperty("quarantined") List<GalleryStore.InvalidTemplate> quarantined) {
    }

    /** An opened, checked pack; row {@code r} belongs to {@code persons[owner[r]]}. */
    record Contents(Header header, FloatBuffer floats, ByteBuffer int8, FloatBuffer scales, IntBuffer owner) {
        /** Row r's normalised float32 values, or null when the pack holds only the int8 form. */
        FloatBuffer floatRow(int r) {
            return floats == null ? null : floats.slice(r * header.dim(), header.dim());
        }

        /** Row r's int8 values, or null when the pack holds only float32. */
        ByteBuffer int8Row(int r) {
            return int8 == null ? null : int8.slice(r * header.dim(), header.dim());
        }

        float scale(int r) {
            return scales == null ? Float.NaN : scales.get(r);
        }
    }

    private TemplatePack() {
    }

    static Path fileFor(Path galleryFile) {
        return galleryFile.resolveSibling(galleryFile.getFileName() + ".pack");
    }

    /**
     * The pack for exactly this gallery state and model, or null (saying why at debug level: a stale or missing
     * pack is normal after a change) when there is none that may be used.
     */
    static Contents read(Path file, long version, String contentHash, String modelSha256) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < MAGIC.length + TRAILER || size > Integer.MAX_VALUE) {
                return ignore(file, "size " + size);
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            map.order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < MAGIC.length; i++) {
                if (map.get(i) != MAGIC[i]) {
                    return ignore(file, "not a template pack of this version");
                }
            }
            int body = (int) size - Long.BYTES;
            int headerLength = map.getInt(body - Integer.BYTES);
            int headerStart = body - Integer.BYTES - headerLength;
            if (headerLength <= 0 || headerStart < MAGIC.length) {
                return ignore(file, "bad header length");
            }
            CRC32C crc = new CRC32C();
            crc.update(map.slice(0, body));
            if (crc.getValue() != map.getLong(body)) {
                return ignore(file, "checksum mismatch");
            }
            byte[] json = new byte[headerLength];
            map.get(headerStart, json);
            Header h = JSON.readValue(json, Header.class);
            if (h.version() != version || !h.contentHash().equals(contentHash)
                    || !h.modelSha256().equalsIgnoreCase(modelSha256)) {
                return ignore(file, "made from gallery version " + h.version() + ", not " + version);
            }
            long cells = (long) h.rows() * h.dim();
            long floatBytes = h.float32() ? cells * Float.BYTES : 0;
            long int8Bytes = h.int8() ? cells + (long) h.rows() * Float.BYTES : 0;
            if (h.dim() <= 0 || h.rows() < 0 || !(h.float32() || h.int8())
                    || MAGIC.length + floatBytes + int8Bytes + (long) h.rows() * Integer.BYTES != headerStart) {
                return ignore(file, "sizes do not add up");
            }
            int at = MAGIC.length;
            FloatBuffer floats = null;
            if (h.float32()) {
                floats = map.slice(at, (int) floatBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                at += (int) floatBytes;
            }
            ByteBuffer int8 = null;
            FloatBuffer scales = null;
            if (h.int8()) {
                int8 = map.slice(at, (int) cells);
                at += (int) cells;
                scales = map.slice(at, h.rows() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                at += h.rows() * Float.BYTES;
            }
            IntBuffer owner = map.slice(at, h.rows() * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
            for (int r = 0; r < h.rows(); r++) {
                int o = owner.get(r);
                if (o < 0 || o >= h.persons().size()) {
                    return ignore(file, "row " + r + " has no person");
                }
                if (scales != null && !(scales.get(r) > 0 && Float.isFinite(scales.get(r)))) {
                    return ignore(file, "row " + r + " has no int8 scale");
                }
            }
            return new Contents(h, floats, int8, scales, owner);
        } catch (NoSuchFileException e) {
            return ignore(file, "none yet");
        } catch (IOException | RuntimeException e) {
            return ignore(file, e.toString());
        }
    }

    private static Contents ignore(Path file, String why) {
        LOG.debug("template pack {} not used: {}", file, why);
        return null;
    }

    /**
     * Writes the pack of a freshly loaded matrix (of this gallery state, nobody skipped) and renames it into place.
     * A failure is logged and changes nothing else: the pack is only a cache.
     */
    static void write(Path file, long version, String contentHash, String modelSha256, TemplateMatrix matrix,
                      List<GalleryStore.InvalidTemplate> quarantined) {
        TemplateMatrix.Snapshot s = matrix.snapshot();
        int dim = matrix.dim();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Map<String, Integer> index = new HashMap<>();
            List<String> persons = new ArrayList<>();
            List<Integer> live = new ArrayList<>();
            for (int r = 0; r < s.rows(); r++) {
                if (s.owner()[r] >= 0) {
                    live.add(r);
                }
            }
            int n = live.size();
            boolean float32 = s.data() != null;
            boolean int8 = s.q8() != null;
            CRC32C crc = new CRC32C();
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                Sink sink = b -> {
                    out.write(b);
                    crc.update(b);
                };
                sink.write(MAGIC);
                if (float32) {
                    ByteBuffer row = ByteBuffer.allocate(dim * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                    for (int r : live) {
                        row.clear();
                        row.asFloatBuffer().put(s.data(), r * dim, dim);
                        sink.write(row.array());
                    }
                }
                if (int8) {
                    for (int r : live) {
                        sink.write(java.util.Arrays.copyOfRange(s.q8(), r * dim, (r + 1) * dim));
                    }
                    ByteBuffer scales = ByteBuffer.allocate(n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                    for (int r : live) {
                        scales.putFloat(s.scale8()[r]);
                    }
                    sink.write(scales.array());
                }
                ByteBuffer owners = ByteBuffer.allocate(n * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (int r : live) {
                    String id = s.persons()[s.owner()[r]];
                    owners.putInt(index.computeIfAbsent(id, k -> {
                        persons.add(k);
                        return persons.size() - 1;
                    }));
                }
                sink.write(owners.array());
                byte[] header = JSON.writeValueAsBytes(new Header(version, contentHash, modelSha256, dim, n, float32,
                        int8, persons, quarantined));
                sink.write(header);
                sink.write(ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(header.length)
                        .array());
                out.write(ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(crc.getValue())
                        .array());
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            LOG.warn("template pack {} not written (start-up reads the gallery row by row until it is): {}", file,
                    e.toString());
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a stray temporary file is never read
            }
        }
    }

    private interface Sink {
        void write(byte[] b) throws IOException;
    }
}
