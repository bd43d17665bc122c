package io.facegate.camera;

/**
 * Somewhere frames come from: a camera, a stream, a file or a folder of images.
 *
 * <p>Use from one thread: {@link #open()}, then {@link #grab()} until it returns null, then {@link #close()}.
 * Implementations are not thread-safe unless they say so (the native grabbers are not).
 */
public interface FrameSource extends AutoCloseable {

    /** Connects to the camera or opens the file; fails with a message that says what to check. */
    void open() throws CameraException;

    /**
     * The next frame, which the caller owns and must close; null at the end of the stream (a file that
     * ended, a stream the server closed). A camera that fails while reading throws.
     */
    CameraFrame grab() throws CameraException;

    /** Releases the device and every native buffer; safe to call twice and without {@link #open()}. */
    @Override
    void close();

    /** What this source reads, for logs and events (an address without credentials). */
    String describe();
}
