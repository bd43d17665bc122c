package io.facegate.daemon;

import io.facegate.config.DoorConfig;
import io.facegate.door.DoorController;
import io.facegate.gallery.Enroller;
import io.facegate.gallery.Gallery;
import io.facegate.gallery.GalleryException;
import io.facegate.gallery.GalleryWriteException;
import io.facegate.gallery.Person;
import io.facegate.gallery.Template;
import io.facegate.gallery.TemplateCodec;
import io.facegate.mqtt.CommandResult;
import io.facegate.mqtt.DeviceActions;
import io.facegate.mqtt.EnrollRequest;
import io.facegate.mqtt.GalleryState;
import io.facegate.mqtt.PersonUpdate;
import io.facegate.vision.FacePipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a verified MQTT command does on this door: gallery changes through the enroller (quality gates, duplicate
 * check) or as templates of the loaded model, and door actions through the state machine.
 *
 * <p>A change the gallery could not commit (read-only, full or locked file) is answered {@code not_stored} with the
 * cause, never ok; the gallery already denies the person it concerns (see {@link Gallery}).
 */
final class DaemonActions implements DeviceActions {
    private final Gallery gallery;
    private final Enroller enroller;
    private final FacePipeline vision;
    private final DoorController door;
    private final DoorConfig doorConfig;
    private final FaceCapture capture;

    DaemonActions(Gallery gallery, Enroller enroller, FacePipeline vision, DoorController door, DoorConfig doorConfig) {
        this(gallery, enroller, vision, door, doorConfig, FaceCapture.disabled());
    }

    DaemonActions(Gallery gallery, Enroller enroller, FacePipeline vision, DoorController door, DoorConfig doorConfig,
                  FaceCapture capture) {
        this.capture = capture;
        this.gallery = gallery;
        this.enroller = enroller;
        this.vision = vision;
        this.door = door;
        this.doorConfig = doorConfig;
    }

    @Override
    public CommandResult enroll(EnrollRequest r) {
        Instant now = Instant.now();
        Person existing = gallery.person(r.personId()).orElse(null);
        Person person;
        try {
            person = new Person(r.personId(), r.displayName(), r.groups(), r.enabled(), r.validFrom(), r.validUntil(),
                    existing == null ? now : existing.createdAt(), now);
        } catch (IllegalArgumentException e) {
            return CommandResult.error("bad_request", e.getMessage());
        }
        if (!r.templates().isEmpty()) {
            return enrollTemplates(person, r);
        }
        List<Enroller.PhotoBytes> photos = new ArrayList<>();
        for (int i = 0; i < r.photos().size(); i++) {
            photos.add(new Enroller.PhotoBytes("photo " + (i + 1), r.photos().get(i)));
        }
        Enroller.Outcome outcome;
        try {
            outcome = enroller.enrollBytes(person, photos, true);
        } catch (GalleryWriteException e) {
            return notStored(e);
        } catch (GalleryException e) {
            return CommandResult.error("bad_request", e.getMessage());
        }
        if (outcome.change().isEmpty()) {
            String why = outcome.photos().stream().filter(p -> !p.accepted())
                    .map(p -> p.source() + ": " + p.message()).collect(Collectors.joining("; "));
            return CommandResult.error("quality_gate", why.isEmpty() ? "no photo accepted" : why);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("accepted", outcome.accepted());
        data.put("refused", outcome.photos().stream().filter(p -> !p.accepted())
                .map(p -> p.source() + ": " + p.message()).toList());
        data.put("templates", gallery.store().templates(person.id()).stream()
                .filter(t -> t.modelSha256().equals(vision.featureModel().sha256()))
                .map(t -> TemplateCodec.toBase64(t.embedding())).toList());
        data.put("model_sha256", vision.featureModel().sha256());
        data.put("gallery_version", outcome.change().get().version());
        return CommandResult.ok("enrolled " + person.id() + " from " + outcome.accepted() + " photo(s)", data);
    }

    private CommandResult enrollTemplates(Person person, EnrollRequest r) {
        String loaded = vision.featureModel().sha256();
        if (r.modelSha256() == null || !r.modelSha256().equalsIgnoreCase(loaded)) {
            return CommandResult.error("model_mismatch", "templates were made by model " + r.modelSha256()
                    + ", this door runs " + loaded);
        }
        int dim = vision.embeddingDimension();
        List<Template> templates = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = 0; i < r.templates().size(); i++) {
            float[] e = r.templates().get(i);
            Optional<String> defect = Template.defect(e, dim);
            if (defect.isPresent()) {
                return CommandResult.error("bad_request", "template " + (i + 1) + " of " + person.id() + ": "
                        + defect.get());
            }
            templates.add(new Template(person.id(), e, vision.featureModel().id(), loaded, 1.0,
                    TemplateCodec.digest(e), now));
        }
        try {
            long version = gallery.enroll(person, templates, true).version();
            return CommandResult.ok("enrolled " + person.id() + " from " + templates.size() + " template(s)",
                    Map.of("gallery_version", version));
        } catch (GalleryWriteException e) {
            return notStored(e);
        } catch (GalleryException | IllegalArgumentException e) {
            return CommandResult.error("bad_request", e.getMessage());
        }
    }

    @Override
    public CommandResult updatePerson(PersonUpdate u) {
        Optional<Person> current = gallery.person(u.personId());
        if (current.isEmpty()) {
            return CommandResult.error("unknown_person", "no person " + u.personId());
        }
        Person p = current.get();
        Person updated;
        try {
            updated = new Person(p.id(),
                    u.displayName() != null ? u.displayName() : p.displayName(),
                    u.groups() != null ? u.groups() : p.groups(),
                    u.enabled() != null ? u.enabled() : p.enabled(),
                    u.clearValidFrom() ? null : u.validFrom() != null ? u.validFrom() : p.validFrom(),
                    u.clearValidUntil() ? null : u.validUntil() != null ? u.validUntil() : p.validUntil(),
                    p.createdAt(), Instant.now());
        } catch (IllegalArgumentException e) {
            return CommandResult.error("bad_request", e.getMessage());
        }
        try {
            long version = gallery.update(updated).version();
            return CommandResult.ok("updated " + p.id(), Map.of("gallery_version", version));
        } catch (GalleryWriteException e) {
            return notStored(e);
        } catch (GalleryException e) {
            return CommandResult.error("bad_request", e.getMessage());
        }
    }

    @Override
    public CommandResult removePerson(String personId) {
        try {
            return gallery.remove(personId)
                    .map(c -> CommandResult.ok("removed " + personId, Map.of("gallery_version", c.version())))
                    .orElseGet(() -> CommandResult.ok("no person " + personId + " (nothing to remove)"));
        } catch (GalleryException e) {
            return notStored(e);
        }
    }

    /** The change was not committed; the gallery denies the person meanwhile (its health says so). */
    private static CommandResult notStored(GalleryException e) {
        return CommandResult.error("not_stored", e.getMessage() + "; the person is denied on this door until the"
                + " change is sent again and stored");
    }

    @Override
    public CommandResult unlock(Duration duration, String by) {
        if (duration.isNegative() || duration.isZero() || duration.toMillis() > doorConfig.maxUnlockMs()) {
            return CommandResult.error("bad_request", "unlock for 1 ms to " + doorConfig.maxUnlockMs() + " ms");
        }
        return door.unlockFor(duration, by) ? CommandResult.ok("unlocked for " + duration.toMillis() + " ms")
                : CommandResult.error("refused", "the door refused to unlock (lockdown, a door fault, or not running: see its door state)");
    }

    @Override
    public CommandResult lockdown(boolean on, String by) {
        return door.setLockdown(on, by) ? CommandResult.ok("lockdown " + (on ? "on" : "off"))
                : CommandResult.error("refused", "the door refused the lockdown change");
    }

    @Override
    public GalleryState galleryState() {
        return new GalleryState(gallery.persons().size(), contentHashOrNull());
    }

    /** Null when unknown: health must still go out, saying why (last_error). */
    private String contentHashOrNull() {
        try {
            return gallery.contentHash();
        } catch (GalleryException e) {
            return null;
        }
    }

    @Override
    public CommandResult captureFaces(String name, Duration duration, String by) {
        return capture.start(name, duration, by);
    }

    @Override
    public CommandResult deleteCapture(String name, String by) {
        return capture.delete(name, by);
    }
}
