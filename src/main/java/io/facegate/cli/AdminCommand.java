package io.facegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facegate.config.Yaml;
import io.facegate.gallery.Person;
import io.facegate.mqtt.AdminClient;
import io.facegate.mqtt.AdminKeys;
import io.facegate.mqtt.CommandKind;
import io.facegate.mqtt.DoorKeys;
import io.facegate.mqtt.FleetKeyRing;
import io.facegate.mqtt.PemTls;
import io.facegate.mqtt.Topics;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code facegate admin ...}: key generation, signed commands to one door or the fleet, and an event tail. Every
 * command is signed with the admin's Ed25519 key; the broker only carries it. Replies are printed as JSON lines; the
 * exit code is 0 only when every expected door replied ok.
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = "Administer doors over MQTT with signed commands.",
        subcommands = {AdminCommand.Keygen.class, AdminCommand.Enroll.class, AdminCommand.Update.class,
                AdminCommand.Remove.class, AdminCommand.Unlock.class, AdminCommand.Lockdown.class,
                AdminCommand.Sync.class, AdminCommand.Capture.class, AdminCommand.DeleteCapture.class,
                AdminCommand.Events.class, AdminCommand.FleetKey.class})
public final class AdminCommand implements Runnable {
    static final ObjectMapper JSON = Yaml.jsonMapper();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = {"Write a new Ed25519 key pair: PREFIX.key (private, mode 600) and PREFIX.pub.",
                    "An admin key, or a door's device key (mqtt.device_key_file; name it after the door: door-1)."})
    static final class Keygen implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "PREFIX", description = "Output path prefix.")
        String out;

        @Override
        public Integer call() throws Exception {
            KeyPair kp = AdminKeys.generate();
            AdminKeys.write(kp, out);
            ObjectNode r = JSON.createObjectNode();
            r.put("private_key", out + ".key");
            r.put("public_key", out + ".pub");
            r.put("key_id", AdminKeys.keyId(kp.getPublic()));
            r.put("public_key_base64", Base64.getEncoder().encodeToString(kp.getPublic().getEncoded()));
            System.out.println(JSON.writeValueAsString(r));
            return 0;
        }
    }

    /** Broker connection options shared by every networked subcommand. */
    static final class Broker {
        @Option(names = "--broker", required = true, paramLabel = "URI", description = "tcp://host:1883 or ssl://host:8883")
        String uri;
        @Option(names = "--prefix", defaultValue = "facegate", description = "Topic prefix (default: ${DEFAULT-VALUE}).")
        String prefix;
        @Option(names = "--username", description = "Broker user name.")
        String username;
        @Option(names = "--password", description = "Broker password (or env FACEGATE_MQTT_PASSWORD).")
        String password;
        @Option(names = "--ca-file", description = "PEM CA bundle for ssl://.")
        Path caFile;
        @Option(names = "--tls-cert", description = "PEM client certificate for mutual TLS.")
        Path tlsCert;
        @Option(names = "--tls-key", description = "PEM PKCS#8 key of --tls-cert.")
        Path tlsKey;

        MqttConnectOptions options() {
            MqttConnectOptions o = new MqttConnectOptions();
            o.setConnectionTimeout(10);
            o.setMaxInflight(1000);
            if (username != null) {
                o.setUserName(username);
            }
            String pw = password != null ? password : System.getenv("FACEGATE_MQTT_PASSWORD");
            if (pw != null) {
                o.setPassword(pw.toCharArray());
            }
            if (uri.startsWith("ssl://")) {
                o.setSocketFactory(PemTls.socketFactory(caFile, tlsCert, tlsKey));
            }
            return o;
        }
    }

    /** The one person-id rule ({@link Person#requireValidId}), checked before anything is signed or sent. */
    static final class PersonId implements picocli.CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                Person.requireValidId(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
            return value;
        }
    }

    /** Which doors a command goes to. */
    static final class Target {
        @Option(names = "--device", paramLabel = "ID", description = "One door.")
        String device;
        @Option(names = "--fleet", description = "Every door (gallery changes are kept as retained records).")
        boolean fleet;
    }

    /** Options of every signed command. */
    abstract static class Signed implements Callable<Integer> {
        @Mixin
        BrokerMixin brokerMixin;
        @Option(names = "--key", required = true, paramLabel = "PREFIX.key", description = "Admin private key.")
        Path key;
        @Option(names = "--door-keys", required = true, split = ",", paramLabel = "PATH",
                description = {"The doors' public keys: a folder of <device>.pub files, or <device>.pub files"
                        + " (repeatable). A reply that does not verify with its door's key is an error."})
        List<Path> doorKeys;
        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;
        @Option(names = "--expect", split = ",", paramLabel = "ID",
                description = "With --fleet: the doors that must reply (default: every door whose status is online).")
        List<String> expect;
        @Option(names = "--timeout", defaultValue = "10", description = "Seconds to wait for replies (default: ${DEFAULT-VALUE}).")
        int timeoutS;
        @Option(names = "--ttl", defaultValue = "300", description = "Seconds the command stays valid (default: ${DEFAULT-VALUE}).")
        int ttlS;
        @Option(names = "--trust", paramLabel = "FILE.pub",
                description = "Another fleet admin's public key (repeatable): the fleet manifest this command publishes"
                        + " then also vouches for that admin's records.")
        List<Path> trust;
        @Option(names = "--fleet-key", paramLabel = "FILE",
                description = "The fleet key (admin fleet-key create): fleet gallery changes and 'sync --fleet' are"
                        + " sealed with it, and the current record read with it.")
        Path fleetKey;

        abstract CommandKind kind();

        abstract ObjectNode body(AdminClient cli) throws Exception;

        AdminClient connect() throws Exception {
            Broker b = brokerMixin.broker;
            Path pub = Path.of(key.toString().replaceFirst("\\.key$", "") + ".pub");
            AdminClient cli = new AdminClient(b.uri, b.options(), b.prefix, AdminKeys.readPrivate(key),
                    AdminKeys.readPublic(pub), DoorKeys.of(doorKeys), Clock.systemUTC());
            for (Path other : trust == null ? List.<Path>of() : trust) {
                cli.trust(AdminKeys.readPublic(other));
            }
            if (fleetKey != null) {
                cli.fleetKey(FleetKeyRing.load(fleetKey));
            }
            return cli;
        }

        @Override
        public Integer call() throws Exception {
            try (AdminClient cli = connect()) {
                return sendAndReport(cli, kind(), body(cli));
            }
        }

        int sendAndReport(AdminClient cli, CommandKind kind, ObjectNode body) throws Exception {
            String to = target.fleet ? Topics.FLEET : target.device;
            Set<String> expected = new TreeSet<>();
            if (!target.fleet) {
                expected.add(target.device);
            } else if (expect != null && !expect.isEmpty()) {
                expected.addAll(expect);
            } else {
                expected.addAll(cli.onlineDevices(Duration.ofMillis(500)));
                if (expected.isEmpty()) {
                    System.err.println("no door is online; gallery changes stay retained for doors that connect later");
                }
            }
            ObjectNode cmd = cli.sign(kind, to, body, Duration.ofSeconds(ttlS));
            List<JsonNode> replies = cli.send(cmd, expected, Duration.ofSeconds(timeoutS));
            return report(cmd.get("id").asText(), expected, replies);
        }
    }

    /** picocli mixin wrapper so {@link Broker}'s options sit on each subcommand. */
    static final class BrokerMixin {
        @ArgGroup(exclusive = false, multiplicity = "1", heading = "Broker:%n")
        Broker broker;
    }

    static int report(String commandId, Set<String> expected, List<JsonNode> replies) throws Exception {
        boolean allOk = true;
        Set<String> seen = new TreeSet<>();
        for (JsonNode r : replies) {
            System.out.println(JSON.writeValueAsString(r));
            seen.add(r.path("device").asText());
            allOk &= r.path("ok").asBoolean(false);
        }
        for (String d : expected) {
            if (!seen.contains(d)) {
                ObjectNode t = JSON.createObjectNode();
                t.put("command_id", commandId);
                t.put("device", d);
                t.put("ok", false);
                t.put("code", "timeout");
                t.put("message", "no reply in time");
                System.out.println(JSON.writeValueAsString(t));
                allOk = false;
            }
        }
        return allOk ? 0 : 1;
    }

    /** Person fields shared by enroll and update. */
    static final class PersonFields {
        @Option(names = "--name", description = "Display name.")
        String name;
        @Option(names = "--group", paramLabel = "GROUP", description = "Access group (repeatable).")
        List<String> groups;
        @Option(names = "--valid-from", description = "ISO-8601 UTC time the person becomes valid.")
        Instant validFrom;
        @Option(names = "--valid-until", description = "ISO-8601 UTC time the person expires.")
        Instant validUntil;
        @Option(names = "--enabled", arity = "1", description = "true or false.")
        Boolean enabled;

        void into(ObjectNode b) {
            if (name != null) {
                b.put("display_name", name);
            }
            if (groups != null) {
                ArrayNode g = b.putArray("groups");
                groups.forEach(g::add);
            }
            if (validFrom != null) {
                b.put("valid_from", validFrom.toString());
            }
            if (validUntil != null) {
                b.put("valid_until", validUntil.toString());
            }
            if (enabled != null) {
                b.put("enabled", enabled);
            }
        }
    }

    @Command(name = "enroll", mixinStandardHelpOptions = true,
            description = {"Enroll a person from photos (JPEG/PNG) or from templates.",
                    "With --fleet the record carries templates (never photos): give --templates FILE, or --photo with"
                            + " --via DEVICE to have that door compute them first."})
    static final class Enroll extends Signed {
        @Option(names = "--person", required = true, converter = PersonId.class,
                description = "Person id: 1-64 letters, digits or . _ - @ (the gallery's rule).")
        String person;
        @Mixin
        PersonFieldsMixin fields;
        @Option(names = "--photo", paramLabel = "FILE", description = "Photo file (repeatable).")
        List<Path> photos;
        @Option(names = "--templates", paramLabel = "FILE",
                description = "JSON {\"model_sha256\":\"…\",\"templates\":[\"base64 float32 LE\",…]}.")
        Path templates;
        @Option(names = "--via", paramLabel = "DEVICE",
                description = "With --fleet and --photo: the door that turns the photos into templates.")
        String via;

        @Override
        CommandKind kind() {
            return CommandKind.ENROLL;
        }

        @Override
        ObjectNode body(AdminClient cli) throws Exception {
            ObjectNode b = JsonNodeFactory.instance.objectNode();
            b.put("person_id", person);
            fields.f.into(b);
            if (templates != null) {
                JsonNode t = JSON.readTree(templates.toFile());
                b.put("model_sha256", t.path("model_sha256").asText());
                b.set("templates", t.path("templates"));
            } else if (photos != null && !photos.isEmpty()) {
                ArrayNode p = b.putArray("photos");
                for (Path f : photos) {
                    p.add(Base64.getEncoder().encodeToString(Files.readAllBytes(f)));
                }
            } else {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "give --photo FILE or --templates FILE");
            }
            return b;
        }

        @Override
        public Integer call() throws Exception {
            try (AdminClient cli = connect()) {
                ObjectNode body = body(cli);
                if (target.fleet && body.has("photos")) {
                    if (via == null) {
                        System.err.println("fleet records carry templates, not photos: add --via DEVICE"
                                + " (a door that computes them) or use --templates FILE");
                        return 2;
                    }
                    AdminClient.FleetEnrollment e = cli.templatesVia(via, body, Duration.ofSeconds(ttlS),
                            Duration.ofSeconds(timeoutS));
                    if (e.body() == null) {
                        report(e.commandId(), Set.of(via), e.replies());
                        System.err.println("door " + via + " did not return templates; nothing sent to the fleet");
                        return 1;
                    }
                    body = e.body();
                }
                return sendAndReport(cli, kind(), body);
            }
        }
    }

    /** Wraps {@link PersonFields} as a mixin. */
    static final class PersonFieldsMixin {
        @ArgGroup(exclusive = false)
        PersonFields f = new PersonFields();
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = {"Change a person's name, groups, validity or enabled flag.",
                    "With --fleet the current retained record is read, changed and re-signed as a full record."})
    static final class Update extends Signed {
        @Option(names = "--person", required = true, converter = PersonId.class,
                description = "Person id: 1-64 letters, digits or . _ - @ (the gallery's rule).")
        String person;
        @Mixin
        PersonFieldsMixin fields;

        @Override
        CommandKind kind() {
            return target.fleet ? CommandKind.ENROLL : CommandKind.UPDATE_PERSON;
        }

        @Override
        ObjectNode body(AdminClient cli) throws Exception {
            ObjectNode b;
            if (target.fleet) {
                JsonNode current = cli.currentRecord(person);
                if (current == null || !"enroll".equals(current.path("kind").asText())) {
                    throw new IllegalArgumentException("no current fleet record for person " + person);
                }
                b = ((ObjectNode) current.get("body")).deepCopy();
            } else {
                b = JsonNodeFactory.instance.objectNode();
                b.put("person_id", person);
            }
            fields.f.into(b);
            return b;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a person.")
    static final class Remove extends Signed {
        @Option(names = "--person", required = true, converter = PersonId.class,
                description = "Person id: 1-64 letters, digits or . _ - @ (the gallery's rule).")
        String person;

        @Override
        CommandKind kind() {
            return CommandKind.REMOVE_PERSON;
        }

        @Override
        ObjectNode body(AdminClient cli) {
            return JsonNodeFactory.instance.objectNode().put("person_id", person);
        }
    }

    @Command(name = "unlock", mixinStandardHelpOptions = true, description = "Open the door now.")
    static final class Unlock extends Signed {
        @Option(names = "--seconds", defaultValue = "5", description = "How long (default: ${DEFAULT-VALUE}).")
        int seconds;

        @Override
        CommandKind kind() {
            return CommandKind.UNLOCK;
        }

        @Override
        ObjectNode body(AdminClient cli) {
            return JsonNodeFactory.instance.objectNode().put("seconds", seconds);
        }
    }

    @Command(name = "lockdown", mixinStandardHelpOptions = true, description = "Lockdown on or off.")
    static final class Lockdown extends Signed {
        @Parameters(paramLabel = "on|off", description = "on or off")
        String state;

        @Override
        CommandKind kind() {
            return CommandKind.LOCKDOWN;
        }

        @Override
        ObjectNode body(AdminClient cli) {
            if (!state.equals("on") && !state.equals("off")) {
                throw new IllegalArgumentException("lockdown takes 'on' or 'off'");
            }
            return JsonNodeFactory.instance.objectNode().put("on", state.equals("on"));
        }
    }

    @Command(name = "sync", mixinStandardHelpOptions = true,
            description = "Ask doors to re-read every retained gallery record (doors also do so on every connect).")
    static final class Sync extends Signed {
        @Override
        CommandKind kind() {
            return CommandKind.SYNC_GALLERY;
        }

        @Override
        ObjectNode body(AdminClient cli) throws Exception {
            if (target.fleet) {
                // rebuilt from the retained records: doors then fetch exactly what they lack
                cli.publishManifest(List.of());
            }
            return JsonNodeFactory.instance.objectNode();
        }
    }

    /** A capture folder's name: checked here as the door checks it, before anything is signed. */
    static final class CaptureFolder implements picocli.CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!io.facegate.mqtt.DeviceActions.CAPTURE_FOLDER.matcher(value).matches()) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "': a plain folder name of 1-64"
                        + " letters, digits, '_' or '-' (it is created under the door's access.capture_dir)");
            }
            return value;
        }
    }

    @Command(name = "capture", mixinStandardHelpOptions = true,
            description = {"Make the door save the face crops its camera sees for --seconds into FOLDER under its"
                    + " access.capture_dir: live frames of the site's people for `calibrate liveness --live`. Copy"
                    + " the folder off the door, then delete it with `admin delete-capture`."})
    static final class Capture extends Signed {
        @Option(names = "--seconds", required = true, paramLabel = "N",
                description = "How long to capture (1.." + io.facegate.mqtt.DeviceActions.CAPTURE_MAX_SECONDS
                        + ").")
        int seconds;
        @Option(names = "--folder", required = true, paramLabel = "NAME", converter = CaptureFolder.class,
                description = "Folder name under the door's access.capture_dir.")
        String folder;

        @Override
        CommandKind kind() {
            return CommandKind.CAPTURE_FACES;
        }

        @Override
        ObjectNode body(AdminClient cli) {
            return JsonNodeFactory.instance.objectNode().put("folder", folder).put("seconds", seconds);
        }
    }

    @Command(name = "delete-capture", mixinStandardHelpOptions = true,
            description = "Delete the face crops of a capture folder on the door (stopping a capture into it).")
    static final class DeleteCapture extends Signed {
        @Option(names = "--folder", required = true, paramLabel = "NAME", converter = CaptureFolder.class,
                description = "Folder name under the door's access.capture_dir.")
        String folder;

        @Override
        CommandKind kind() {
            return CommandKind.DELETE_CAPTURE;
        }

        @Override
        ObjectNode body(AdminClient cli) {
            return JsonNodeFactory.instance.objectNode().put("folder", folder);
        }
    }

    @Command(name = "events", mixinStandardHelpOptions = true, description = "Print events as JSON lines.")
    static final class Events implements Callable<Integer> {
        @Mixin
        BrokerMixin brokerMixin;
        @Option(names = "--device", description = "Only this door (default: every door).")
        String device;
        @Option(names = "--follow", description = "Keep printing until interrupted.")
        boolean follow;
        @Option(names = "--count", defaultValue = "0", description = "Stop after N events.")
        int count;
        @Option(names = "--timeout", defaultValue = "5", description = "Without --follow: seconds to listen (default: ${DEFAULT-VALUE}).")
        int timeoutS;

        @Override
        public Integer call() throws Exception {
            Broker b = brokerMixin.broker;
            KeyPair unused = AdminKeys.generate(); // reading events needs no admin key; the client API wants one
            CountDownLatch done = new CountDownLatch(1);
            AtomicInteger n = new AtomicInteger();
            Set<String> seen = new LinkedHashSet<>();
            try (AdminClient cli = new AdminClient(b.uri, b.options(), b.prefix, unused.getPrivate(),
                    unused.getPublic(), DoorKeys.of(List.of()), Clock.systemUTC())) {
                cli.subscribeEvents(device, e -> {
                    synchronized (seen) {
                        if (!seen.add(e.path("event_id").asText())) {
                            return; // a re-delivery: same event id
                        }
                        if (count > 0 && n.get() >= count) {
                            return;
                        }
                        try {
                            System.out.println(JSON.writeValueAsString(e));
                            System.out.flush();
                        } catch (Exception ex) {
                            return;
                        }
                        if (count > 0 && n.incrementAndGet() >= count) {
                            done.countDown();
                        }
                    }
                });
                if (follow) {
                    done.await();
                } else {
                    done.await(timeoutS, TimeUnit.SECONDS);
                }
            }
            return 0;
        }
    }

    @Command(name = "fleet-key", mixinStandardHelpOptions = true,
            description = {"The fleet key that seals fleet gallery records: only doors and admins can read them.",
                    "create, then add-door for each door (mqtt.fleet_sync: true, mqtt.fleet_key_file: FILE);"
                            + " to rotate: rotate, add-door again for every door, then reseal."},
            subcommands = {FleetKey.Create.class, FleetKey.Rotate.class, FleetKey.AddDoor.class,
                    FleetKey.Reseal.class})
    static final class FleetKey implements Runnable {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(System.out);
        }

        @Command(name = "create", mixinStandardHelpOptions = true,
                description = "Write a new fleet key (epoch 1) to FILE, mode 600. Refuses to overwrite one.")
        static final class Create implements Callable<Integer> {
            @Option(names = "--out", required = true, paramLabel = "FILE")
            Path out;

            @Override
            public Integer call() throws Exception {
                if (Files.exists(out)) {
                    System.err.println(out + " exists: a new fleet key would cut every door off; use rotate");
                    return 2;
                }
                FleetKeyRing k = FleetKeyRing.create();
                k.save(out);
                System.out.println(JSON.writeValueAsString(JSON.createObjectNode().put("fleet_key", out.toString())
                        .put("epoch", k.currentEpoch())));
                return 0;
            }
        }

        @Command(name = "rotate", mixinStandardHelpOptions = true,
                description = {"Add a new epoch to the fleet key FILE, keeping the previous one.",
                        "Doors still read records sealed to the previous epoch; new fleet changes are sealed to the"
                                + " new one at once: give every door its new copy (add-door), then run reseal."})
        static final class Rotate implements Callable<Integer> {
            @Option(names = "--fleet-key", required = true, paramLabel = "FILE")
            Path file;

            @Override
            public Integer call() throws Exception {
                FleetKeyRing next = FleetKeyRing.load(file).rotate();
                next.save(file);
                System.out.println(JSON.writeValueAsString(JSON.createObjectNode().put("fleet_key", file.toString())
                        .put("epoch", next.currentEpoch())));
                return 0;
            }
        }

        @Command(name = "add-door", mixinStandardHelpOptions = true,
                description = {"Write a door's copy of the fleet key (mode 600) to install as its"
                        + " mqtt.fleet_key_file, owned by the service user."})
        static final class AddDoor implements Callable<Integer> {
            @Option(names = "--fleet-key", required = true, paramLabel = "FILE")
            Path file;
            @Option(names = "--out", required = true, paramLabel = "FILE", description = "The door's copy.")
            Path out;

            @Override
            public Integer call() throws Exception {
                FleetKeyRing k = FleetKeyRing.load(file);
                k.save(out);
                System.out.println(JSON.writeValueAsString(JSON.createObjectNode().put("door_key", out.toString())
                        .put("epoch", k.currentEpoch())
                        .put("config", "mqtt.fleet_sync: true, mqtt.fleet_key_file: <where you install it>")));
                return 0;
            }
        }

        @Command(name = "reseal", mixinStandardHelpOptions = true,
                description = {"Re-seal every retained fleet record (and the manifest) to the newest epoch of the"
                        + " fleet key and clear the old topics. Also seals the clear records of older versions."})
        static final class Reseal implements Callable<Integer> {
            @Mixin
            BrokerMixin brokerMixin;
            @Option(names = "--key", required = true, paramLabel = "PREFIX.key", description = "Admin private key.")
            Path key;
            @Option(names = "--fleet-key", required = true, paramLabel = "FILE")
            Path file;
            @Option(names = "--trust", paramLabel = "FILE.pub",
                    description = "Another admin's public key (repeatable): their records are re-sealed too.")
            List<Path> trust;

            @Override
            public Integer call() throws Exception {
                Broker b = brokerMixin.broker;
                Path pub = Path.of(key.toString().replaceFirst("\\.key$", "") + ".pub");
                FleetKeyRing ring = FleetKeyRing.load(file);
                try (AdminClient cli = new AdminClient(b.uri, b.options(), b.prefix, AdminKeys.readPrivate(key),
                        AdminKeys.readPublic(pub), DoorKeys.of(List.of()), Clock.systemUTC()).fleetKey(ring)) {
                    for (Path other : trust == null ? List.<Path>of() : trust) {
                        cli.trust(AdminKeys.readPublic(other));
                    }
                    int n = cli.reseal(ring);
                    System.out.println(JSON.writeValueAsString(JSON.createObjectNode().put("resealed", n)
                            .put("epoch", ring.currentEpoch())));
                }
                return 0;
            }
        }
    }
}
