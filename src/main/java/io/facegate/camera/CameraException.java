package io.facegate.camera;

/** A camera that cannot be opened or read; the message says which camera and why, without secrets. */
public class CameraException extends Exception {
    public CameraException(String message) {
        super(message);
    }

    public CameraException(String message, Throwable cause) {
        super(message, cause);
    }
}
