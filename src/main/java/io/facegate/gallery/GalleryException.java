package io.facegate.gallery;

/** The gallery cannot be opened or changed; the message says what and where. Nothing was changed. */
public class GalleryException extends RuntimeException {
    public GalleryException(String message) {
        super(message);
    }

    public GalleryException(String message, Throwable cause) {
        super(message, cause);
    }
}
