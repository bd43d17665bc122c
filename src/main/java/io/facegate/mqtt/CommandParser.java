package io.facegate.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import io.facegate.gallery.Person;
import io.facegate.gallery.TemplateCodec;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a command's fields: the envelope every command has, and the body of each kind. A field that is missing or
 * of the wrong shape is an {@link IllegalArgumentException} naming it; nothing here judges who sent the command
 * ({@link CommandVerifier}) or what it does ({@link CommandProcessor}). A new kind adds one small body method.
 */
final class CommandParser {
    private CommandParser() {
    }

    /** The fields of every command, read after the signature verified. */
    record Envelope(CommandKind kind, String target, Instant issuedAt, Instant expiresAt, String keyId) {
    }

    /** The parsed body of one kind; only the fields of that kind are set. */
    record Body(String personId, EnrollRequest enroll, PersonUpdate update, Duration unlock, boolean lockdownOn,
                Capture capture) {
        private static final Body EMPTY = new Body(null, null, null, null, false, null);
    }

    /** A capture command's folder (a plain name under the daemon's capture_dir) and, to start one, how long. */
    record Capture(String folder, Duration duration) {
    }

    static Envelope envelope(JsonNode env) {
        JsonNode v = env.get("v");
        if (v == null || !v.isInt() || v.asInt() != 1) {
            throw new IllegalArgumentException("'v' must be 1");
        }
        CommandKind kind = CommandKind.fromWire(require(env, "kind"));
        String target = require(env, "target");
        Instant issued = instant(env, "issued_at");
        Instant expires = instant(env, "expires_at");
        if (!expires.isAfter(issued)) {
            throw new IllegalArgumentException("'expires_at' must be after 'issued_at'");
        }
        String keyId = require(env, "key_id");
        if (!env.path("body").isObject()) {
            throw new IllegalArgumentException("'body' must be an object");
        }
        return new Envelope(kind, target, issued, expires, keyId);
    }

    static Body body(CommandKind kind, JsonNode b) {
        return switch (kind) {
            case ENROLL -> enroll(b);
            case UPDATE_PERSON -> updatePerson(b);
            case REMOVE_PERSON -> new Body(person(b), null, null, null, false, null);
            case UNLOCK -> unlock(b);
            case LOCKDOWN -> new Body(null, null, null, null, bool(b, "on"), null);
            case SYNC_GALLERY -> Body.EMPTY;
            case CAPTURE_FACES -> new Body(null, null, null, null, false, new Capture(captureFolder(b),
                    Duration.ofSeconds(seconds(b, "capture_faces", DeviceActions.CAPTURE_MAX_SECONDS))));
            case DELETE_CAPTURE -> new Body(null, null, null, null, false, new Capture(captureFolder(b), null));
        };
    }

    private static Body enroll(JsonNode b) {
        String personId = person(b);
        List<byte[]> photos = new ArrayList<>();
        for (JsonNode p : b.path("photos")) {
            photos.add(base64(p, "photos[]"));
        }
        List<float[]> templates = new ArrayList<>();
        for (JsonNode t : b.path("templates")) {
            templates.add(template(t));
        }
        String model = optText(b, "model_sha256");
        if (photos.isEmpty() == templates.isEmpty()) {
            throw new IllegalArgumentException("enroll needs photos or templates (one of them)");
        }
        if (!templates.isEmpty() && (model == null || !model.matches("[0-9a-f]{64}"))) {
            throw new IllegalArgumentException("templates need 'model_sha256' (64 hex digits)");
        }
        EnrollRequest enroll = new EnrollRequest(personId, displayName(b), groups(b, true),
                !b.has("enabled") || bool(b, "enabled"), optInstant(b, "valid_from"),
                optInstant(b, "valid_until"), photos, templates, model);
        return new Body(personId, enroll, null, null, false, null);
    }

    private static float[] template(JsonNode t) {
        byte[] raw = base64(t, "templates[]");
        if (raw.length == 0 || raw.length % Float.BYTES != 0) {
            throw new IllegalArgumentException("a template is base64 of float32 little-endian");
        }
        float[] f = TemplateCodec.fromBytes(raw, raw.length / Float.BYTES);
        for (float x : f) {
            if (!Float.isFinite(x)) {
                throw new IllegalArgumentException("a template holds a non-finite value");
            }
        }
        return f;
    }

    private static Body updatePerson(JsonNode b) {
        String personId = person(b);
        PersonUpdate update = new PersonUpdate(personId, optText(b, "display_name"), groups(b, false),
                b.has("enabled") ? bool(b, "enabled") : null, optInstant(b, "valid_from"),
                optInstant(b, "valid_until"), b.path("clear_valid_from").asBoolean(false),
                b.path("clear_valid_until").asBoolean(false));
        return new Body(personId, null, update, null, false, null);
    }

    private static Body unlock(JsonNode b) {
        JsonNode s = b.get("seconds");
        if (s == null || !s.canConvertToInt() || !s.isIntegralNumber() || s.asInt() < 1 || s.asInt() > 3600) {
            throw new IllegalArgumentException("unlock needs 'seconds' between 1 and 3600");
        }
        return new Body(null, null, null, Duration.ofSeconds(s.asInt()), false, null);
    }

    /** A plain folder name (no path): captures stay under the folder the daemon's configuration names. */
    private static String captureFolder(JsonNode b) {
        String f = optText(b, "folder");
        if (f == null || !DeviceActions.CAPTURE_FOLDER.matcher(f).matches()) {
            throw new IllegalArgumentException("'folder' must be a name of 1-64 letters, digits, '_' or '-'"
                    + " (starting with a letter or digit)");
        }
        return f;
    }

    private static int seconds(JsonNode b, String what, int max) {
        JsonNode s = b.get("seconds");
        if (s == null || !s.isIntegralNumber() || !s.canConvertToInt() || s.asInt() < 1 || s.asInt() > max) {
            throw new IllegalArgumentException(what + " needs 'seconds' between 1 and " + max);
        }
        return s.asInt();
    }

    private static String person(JsonNode b) {
        String p = optText(b, "person_id");
        Person.requireValidId(p); // the gallery's rule: what the CLI enrolls, commands can change
        return p;
    }

    private static String displayName(JsonNode b) {
        String n = optText(b, "display_name");
        if (n == null || n.isBlank() || n.length() > 200) {
            throw new IllegalArgumentException("'display_name' is required (at most 200 characters)");
        }
        return n;
    }

    private static Set<String> groups(JsonNode b, boolean required) {
        JsonNode g = b.get("groups");
        if (g == null || g.isNull()) {
            return required ? Set.of() : null;
        }
        if (!g.isArray()) {
            throw new IllegalArgumentException("'groups' must be an array of strings");
        }
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode e : g) {
            if (!e.isTextual()) {
                throw new IllegalArgumentException("'groups' must be an array of strings");
            }
            out.add(e.asText());
        }
        return out;
    }

    private static boolean bool(JsonNode b, String f) {
        JsonNode v = b.get(f);
        if (v == null || !v.isBoolean()) {
            throw new IllegalArgumentException("'" + f + "' must be true or false");
        }
        return v.asBoolean();
    }

    private static byte[] base64(JsonNode n, String what) {
        if (!n.isTextual()) {
            throw new IllegalArgumentException("'" + what + "' must be base64 strings");
        }
        try {
            return Base64.getDecoder().decode(n.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + what + "' is not valid base64");
        }
    }

    /** A text field, or null when it is absent or not text. */
    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    private static String require(JsonNode n, String f) {
        String v = text(n, f);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("missing '" + f + "'");
        }
        return v;
    }

    private static String optText(JsonNode n, String f) {
        JsonNode v = n.get(f);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("'" + f + "' must be a string");
        }
        return v.asText();
    }

    private static Instant instant(JsonNode n, String f) {
        try {
            return Instant.parse(require(n, f));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + f + "' is not an ISO-8601 UTC time");
        }
    }

    private static Instant optInstant(JsonNode n, String f) {
        return n.hasNonNull(f) ? instant(n, f) : null;
    }
}
