package io.facegate.door;

/**
 * Receives every door event in order. Called on whichever thread caused the event (GPIO callback, timer, API
 * caller), never while the controller holds its lock; keep it short. An exception thrown here is logged and
 * does not affect the door.
 */
@FunctionalInterface
public interface DoorEventListener {
    void onDoorEvent(DoorEvent event);
}
