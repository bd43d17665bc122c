package io.facegate.camera;

/**
 * Told when the camera goes away and when it is back. Called on the camera thread: return quickly
 * (publish an event, set a flag), never block it.
 */
public interface CameraListener {
    /** Frames stopped: unplugged, stream dropped, file ended, or opening failed. Called once per outage. */
    void onCameraLost(String reason);

    /** Frames arrive again after {@link #onCameraLost}. */
    void onCameraRestored();

    CameraListener NONE = new CameraListener() {
        @Override
        public void onCameraLost(String reason) {
        }

        @Override
        public void onCameraRestored() {
        }
    };
}
