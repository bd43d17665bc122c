package io.facegate.gallery;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The stored and transmitted form of a template: float32 little-endian, pinned byte for byte. */
class TemplateCodecTest {
    @Test
    void writesLittleEndianFloat32() {
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3F, 0, 0, 0, (byte) 0xC0},
                TemplateCodec.toBytes(new float[] {1.0f, -2.0f}));
        assertArrayEquals(new float[] {1.0f, -2.0f},
                TemplateCodec.fromBytes(new byte[] {0, 0, (byte) 0x80, 0x3F, 0, 0, 0, (byte) 0xC0}, 2));
    }

    @Test
    void base64IsOfTheSameBytes() {
        assertArrayEquals(TemplateCodec.toBytes(new float[] {0.25f, 3f}),
                java.util.Base64.getDecoder().decode(TemplateCodec.toBase64(new float[] {0.25f, 3f})));
    }

    @Test
    void refusesABlobOfTheWrongLength() {
        assertThrows(GalleryException.class, () -> TemplateCodec.fromBytes(new byte[7], 2));
        assertThrows(GalleryException.class, () -> TemplateCodec.fromBytes(null, 2));
    }
}
