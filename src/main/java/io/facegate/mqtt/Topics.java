package io.facegate.mqtt;

/**
 * The topic contract (see docs/mqtt.md). Every name is built here so the daemon, the admin tool and the tests
 * cannot drift apart.
 */
public record Topics(String prefix, String device) {
    public static final String FLEET = "fleet";

    public String status() {
        return prefix + "/" + device + "/status";
    }

    public String events() {
        return prefix + "/" + device + "/events";
    }

    public String health() {
        return prefix + "/" + device + "/health";
    }

    public String command() {
        return prefix + "/" + device + "/cmd";
    }

    public String reply() {
        return prefix + "/" + device + "/reply";
    }

    /** Retained door state ({@code {"locked":true,"open":false,"lockdown":false}}) for dashboards. */
    public String door() {
        return prefix + "/" + device + "/door";
    }

    /** Unsigned Home Assistant lock commands; subscribed only when the configuration allows it. */
    public String haLockSet() {
        return prefix + "/" + device + "/ha/lock/set";
    }

    public String fleetCommand() {
        return prefix + "/" + FLEET + "/cmd";
    }

    /**
     * Retained signed, sealed person records: {@code <prefix>/fleet/gallery/<ref>/<command id>}, where {@code ref} is
     * the person's opaque reference under the fleet key ({@link FleetKeyRing#ref}), never the person id.
     */
    public String galleryRecord(String ref, String commandId) {
        return prefix + "/" + FLEET + "/gallery/" + ref + "/" + commandId;
    }

    public String galleryRecordsOf(String ref) {
        return prefix + "/" + FLEET + "/gallery/" + ref + "/+";
    }

    /** The retained, signed fleet manifest: every person's newest change (see {@link FleetManifest}). */
    public String fleetManifest() {
        return prefix + "/" + FLEET + "/manifest";
    }

    /** The person reference in a gallery record topic, or null when the topic is not one. */
    public String refOfRecord(String topic) {
        String head = prefix + "/" + FLEET + "/gallery/";
        if (!topic.startsWith(head)) {
            return null;
        }
        String[] rest = topic.substring(head.length()).split("/");
        return rest.length == 2 ? rest[0] : null;
    }

    public String galleryAll() {
        return prefix + "/" + FLEET + "/gallery/#";
    }

    public static String anyDevice(String prefix, String leaf) {
        return prefix + "/+/" + leaf;
    }

    /** The device id in {@code <prefix>/<device>/<leaf>}, or null when the topic does not have that shape. */
    public static String deviceOf(String prefix, String topic) {
        if (!topic.startsWith(prefix + "/")) {
            return null;
        }
        String rest = topic.substring(prefix.length() + 1);
        int slash = rest.indexOf('/');
        return slash <= 0 ? null : rest.substring(0, slash);
    }
}
