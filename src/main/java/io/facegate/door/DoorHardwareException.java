package io.facegate.door;

/** A GPIO operation failed; the controller answers it by driving the relay to the locked state. */
public class DoorHardwareException extends RuntimeException {
    public DoorHardwareException(String message, Throwable cause) {
        super(message, cause);
    }
}
