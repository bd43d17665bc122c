package io.facegate.vision;

/** A model that cannot be used: missing, corrupt, of the wrong shape, or failing at run time. */
public class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
