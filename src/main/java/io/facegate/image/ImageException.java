package io.facegate.image;

/** An image that cannot be used: unreadable, not an image, or larger than the configured pixel limit. */
public class ImageException extends Exception {
    public ImageException(String message) {
        super(message);
    }
}
