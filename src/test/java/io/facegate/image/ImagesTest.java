package io.facegate.image;

import io.facegate.TestData;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImagesTest {
    private static final long LIMIT = 40_000_000L;

    @Test
    void decodesARealPhotoToBgr() throws Exception {
        Path photo = TestData.faces("deepface").resolve("p01/4.jpg");
        try (Mat m = Images.read(photo, LIMIT)) {
            assertEquals(330, m.cols());
            assertEquals(512, m.rows());
            assertEquals(3, m.channels());
        }
    }

    @Test
    void greyPngBecomesThreeChannels() throws Exception {
        try (Mat m = Images.read(TestData.faces("bbt").resolve("amy/1.png"), LIMIT)) {
            assertEquals(3, m.channels());
        }
    }

    @Test
    void truncatedJpegIsRefused() throws Exception {
        byte[] full = Files.readAllBytes(TestData.faces("deepface").resolve("p01/4.jpg"));
        byte[] half = Arrays.copyOf(full, full.length / 2);
        ImageException e = assertThrows(ImageException.class, () -> Images.decode(half, LIMIT));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void textFileNamedJpgIsRefused(@TempDir Path dir) throws IOException {
        Path fake = dir.resolve("photo.jpg");
        Files.writeString(fake, "this is not an image, just some text pretending to be one\n");
        ImageException e = assertThrows(ImageException.class, () -> Images.read(fake, LIMIT));
        assertTrue(e.getMessage().contains("photo.jpg"), e.getMessage());
        assertTrue(e.getMessage().contains("not an image"), e.getMessage());
    }

    @Test
    void hugeDeclaredSizeIsRefusedBeforeDecoding() throws IOException {
        byte[] bomb = pngHeader(20000, 20000);
        ImageException e = assertThrows(ImageException.class, () -> Images.decode(bomb, LIMIT));
        assertTrue(e.getMessage().contains("20000x20000"), e.getMessage());
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
    }

    @Test
    void emptyAndTinyInputs() {
        assertThrows(ImageException.class, () -> Images.decode(new byte[0], LIMIT));
        assertThrows(ImageException.class, () -> Images.decode(null, LIMIT));
    }

    /** A PNG signature and a valid IHDR chunk declaring w x h, followed by nothing: a decompression-bomb header. */
    static byte[] pngHeader(int w, int h) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        DataOutputStream c = new DataOutputStream(chunk);
        c.write("IHDR".getBytes(StandardCharsets.US_ASCII));
        c.writeInt(w);
        c.writeInt(h);
        c.write(new byte[] {8, 2, 0, 0, 0});
        byte[] body = chunk.toByteArray();
        out.writeInt(body.length - 4);
        out.write(body);
        CRC32 crc = new CRC32();
        crc.update(body);
        out.writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }
}
