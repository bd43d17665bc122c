package io.facegate.daemon;

import io.facegate.config.DoorConfig;
import io.facegate.door.DoorController;
import io.facegate.gallery.Enroller;
import io.facegate.gallery.Gallery;
import io.facegate.mqtt.DeviceActions;
import io.facegate.vision.FacePipeline;

/** Lets the MQTT integration tests drive the production command handler, {@link DaemonActions} (package-private). */
public final class DaemonActionsAccess {
    private DaemonActionsAccess() {
    }

    public static DeviceActions create(Gallery gallery, Enroller enroller, FacePipeline vision, DoorController door,
                                       DoorConfig doorConfig) {
        return new DaemonActions(gallery, enroller, vision, door, doorConfig);
    }

    public static DeviceActions create(Gallery gallery, Enroller enroller, FacePipeline vision, DoorController door,
                                       DoorConfig doorConfig, FaceCapture capture) {
        return new DaemonActions(gallery, enroller, vision, door, doorConfig, capture);
    }
}
