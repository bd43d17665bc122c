package io.facegate.config;

/**
 * The whole configuration: one YAML file, one section per concern. A section left out takes its defaults; an
 * unknown key anywhere is an error.
 */
public record FacegateConfig(VisionConfig vision, GalleryConfig gallery, AccessConfig access, DoorConfig door,
                             CameraConfig camera, PipelineConfig pipeline, MqttConfig mqtt) {
    public FacegateConfig {
        vision = vision == null ? VisionConfig.defaults() : vision;
        gallery = gallery == null ? GalleryConfig.defaults() : gallery;
        access = access == null ? AccessConfig.defaults() : access;
        door = door == null ? DoorConfig.defaults() : door;
        camera = camera == null ? CameraConfig.defaults() : camera;
        pipeline = pipeline == null ? PipelineConfig.defaults() : pipeline;
        mqtt = mqtt == null ? MqttConfig.defaults() : mqtt;
    }

    public static FacegateConfig defaults() {
        return new FacegateConfig(null, null, null, null, null, null, null);
    }

    public FacegateConfig withVision(VisionConfig v) {
        return new FacegateConfig(v, gallery, access, door, camera, pipeline, mqtt);
    }

    public FacegateConfig withGallery(GalleryConfig g) {
        return new FacegateConfig(vision, g, access, door, camera, pipeline, mqtt);
    }

    public FacegateConfig withAccess(AccessConfig a) {
        return new FacegateConfig(vision, gallery, a, door, camera, pipeline, mqtt);
    }

    public FacegateConfig withDoor(DoorConfig d) {
        return new FacegateConfig(vision, gallery, access, d, camera, pipeline, mqtt);
    }

    public FacegateConfig withMqtt(MqttConfig m) {
        return new FacegateConfig(vision, gallery, access, door, camera, pipeline, m);
    }
}
