package io.facegate.image;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

/**
 * Decodes untrusted image bytes into BGR {@link Mat}s. The dimensions are read from the header first, so that a
 * small file claiming a huge size (a decompression bomb) is refused before any pixel memory is allocated.
 */
public final class Images {
    /** Files larger than this are refused before they are read. */
    public static final long MAX_FILE_BYTES = 64L << 20;

    private Images() {
    }

    public static Mat read(Path path, long maxPixels) throws ImageException {
        return read(path, maxPixels, 0);
    }

    /**
     * Reads a photo for recognition, decoding JPEGs at 1/2, 1/4 or 1/8 scale (libjpeg's DCT scaling, much
     * cheaper than a full decode) while the shorter side stays at least {@code minShortSide} pixels. The detector
     * sees 320x240 and the embedder a 112x112 face, so the discarded resolution carries nothing they use.
     * Enrollment reads at full size: its quality gates measure faces in the photo's own pixels.
     */
    public static Mat readForRecognition(Path path, long maxPixels, int minShortSide) throws ImageException {
        return read(path, maxPixels, minShortSide);
    }

    private static Mat read(Path path, long maxPixels, int minShortSide) throws ImageException {
        byte[] data;
        try {
            long size = Files.size(path);
            if (size > MAX_FILE_BYTES) {
                throw new ImageException(path + ": file of " + size + " bytes is larger than " + MAX_FILE_BYTES);
            }
            data = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new ImageException(path + ": cannot read: " + e.getMessage());
        }
        try {
            return decode(data, maxPixels, minShortSide);
        } catch (ImageException e) {
            throw new ImageException(path.getFileName() + ": " + e.getMessage());
        }
    }

    /** Decodes JPEG, PNG, BMP, PGM/PPM or WebP bytes into an 8-bit 3-channel BGR Mat that the caller closes. */
    public static Mat decode(byte[] data, long maxPixels) throws ImageException {
        return decode(data, maxPixels, 0);
    }

    private static Mat decode(byte[] data, long maxPixels, int minShortSide) throws ImageException {
        if (data == null || data.length < 8) {
            throw new ImageException("not an image (" + (data == null ? 0 : data.length) + " bytes)");
        }
        long[] wh = headerSize(data);
        long pixels = wh[0] * wh[1];
        if (wh[0] <= 0 || wh[1] <= 0) {
            throw new ImageException("image header has no valid size");
        }
        if (pixels > maxPixels) {
            throw new ImageException("image of " + wh[0] + "x" + wh[1] + " pixels exceeds the limit of "
                    + maxPixels + " pixels");
        }
        if (isJpeg(data) && !endsWithJpegEoi(data)) {
            throw new ImageException("truncated JPEG (no end-of-image marker)");
        }
        Mat decoded;
        try (BytePointer bytes = new BytePointer(data); Mat buffer = new Mat(1, data.length,
                org.bytedeco.opencv.global.opencv_core.CV_8UC1, bytes)) {
            decoded = imdecode(buffer, isJpeg(data) ? reducedFlag(Math.min(wh[0], wh[1]), minShortSide) : IMREAD_COLOR);
        }
        if (decoded == null || decoded.empty()) {
            if (decoded != null) {
                decoded.close();
            }
            throw new ImageException("corrupt or unsupported image data");
        }
        return decoded;
    }

    /** The largest JPEG reduction that keeps the shorter side at least {@code minShortSide}. */
    static int reducedFlag(long shortSide, int minShortSide) {
        if (minShortSide <= 0) {
            return IMREAD_COLOR;
        }
        if (shortSide / 8 >= minShortSide) {
            return IMREAD_REDUCED_COLOR_8;
        }
        if (shortSide / 4 >= minShortSide) {
            return IMREAD_REDUCED_COLOR_4;
        }
        return shortSide / 2 >= minShortSide ? IMREAD_REDUCED_COLOR_2 : IMREAD_COLOR;
    }

    /**
     * Width and height that the image file at {@code path} declares in its header, reading at most its first
     * {@code maxHeaderBytes} and decoding no pixels; empty when the file is not an image of a known format (a
     * video, say). Lets a reader that would decode at once (FFmpeg) refuse a decompression bomb first.
     */
    public static java.util.Optional<long[]> declaredSize(Path path, int maxHeaderBytes) throws IOException {
        byte[] head;
        try (var in = Files.newInputStream(path)) {
            head = in.readNBytes(maxHeaderBytes);
        }
        if (head.length < 8) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(headerSize(head));
        } catch (ImageException e) {
            return java.util.Optional.empty();
        }
    }

    /** Width and height as declared by the image header, without decoding pixels. */
    static long[] headerSize(byte[] d) throws ImageException {
        if (d.length >= 2 && d[0] == 'P' && d[1] >= '1' && d[1] <= '6') {
            return netpbmSize(d);
        }
        if (d.length >= 30 && ascii(d, 0, 4).equals("RIFF") && ascii(d, 8, 4).equals("WEBP")) {
            return webpSize(d);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(d))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageException("not an image of a supported format (jpeg, png, bmp, pgm/ppm, webp)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new long[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new ImageException("unreadable image header: " + e.getMessage());
        }
    }

    private static long[] netpbmSize(byte[] d) throws ImageException {
        // "P5 <w> <h> <max>" with whitespace and # comments between the fields
        long[] fields = new long[2];
        int i = 2;
        for (int f = 0; f < 2; f++) {
            while (i < d.length && (Character.isWhitespace(d[i]) || d[i] == '#')) {
                if (d[i] == '#') {
                    while (i < d.length && d[i] != '\n') {
                        i++;
                    }
                } else {
                    i++;
                }
            }
            long v = 0;
            int start = i;
            while (i < d.length && d[i] >= '0' && d[i] <= '9' && i - start < 10) {
                v = v * 10 + (d[i++] - '0');
            }
            if (i == start) {
                throw new ImageException("malformed PGM/PPM header");
            }
            fields[f] = v;
        }
        return fields;
    }

    private static long[] webpSize(byte[] d) throws ImageException {
        String chunk = ascii(d, 12, 4);
        switch (chunk) {
            case "VP8 ":
                return new long[] {u16(d, 26) & 0x3fff, u16(d, 28) & 0x3fff};
            case "VP8L": {
                long bits = (d[21] & 0xffL) | (d[22] & 0xffL) << 8 | (d[23] & 0xffL) << 16 | (d[24] & 0xffL) << 24;
                return new long[] {(bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1};
            }
            case "VP8X":
                return new long[] {u24(d, 24) + 1, u24(d, 27) + 1};
            default:
                throw new ImageException("malformed WebP header");
        }
    }

    private static boolean isJpeg(byte[] d) {
        return (d[0] & 0xff) == 0xff && (d[1] & 0xff) == 0xd8;
    }

    private static boolean endsWithJpegEoi(byte[] d) {
        int end = d.length;
        // some encoders pad after the marker; tolerate trailing zero bytes
        while (end > 2 && d[end - 1] == 0) {
            end--;
        }
        return (d[end - 2] & 0xff) == 0xff && (d[end - 1] & 0xff) == 0xd9;
    }

    private static String ascii(byte[] d, int off, int len) {
        return new String(d, off, len, StandardCharsets.ISO_8859_1);
    }

    private static int u16(byte[] d, int off) {
        return (d[off] & 0xff) | (d[off + 1] & 0xff) << 8;
    }

    private static long u24(byte[] d, int off) {
        return (d[off] & 0xffL) | (d[off + 1] & 0xffL) << 8 | (d[off + 2] & 0xffL) << 16;
    }
}
