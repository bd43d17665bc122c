package io.facegate.gallery;

/**
 * A change could not be committed: the gallery file is read-only, full, locked by another process or failing.
 * The file holds the state from before the change; the message names the cause.
 */
public class GalleryWriteException extends GalleryException {
    public GalleryWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
