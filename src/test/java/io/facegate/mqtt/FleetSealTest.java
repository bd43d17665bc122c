package io.facegate.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sealed fleet records: only a fleet key opens them, and a sealed body opens only for the record it was made for. */
class FleetSealTest {
    @TempDir
    Path dir;

    private final KeyPair admin = AdminKeys.generate();

    private ObjectNode clearEnroll(String person, String id) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("person_id", person);
        body.put("display_name", "Ada Lovelace");
        body.putArray("groups").add("engineering");
        body.putArray("templates").add("AAAAAAAAgD8=");
        body.put("model_sha256", "ab");
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        return SignedCommand.sign(id, CommandKind.ENROLL, Topics.FLEET, t, t.plusSeconds(300), body,
                admin.getPrivate(), admin.getPublic());
    }

    @Test
    void aSealedRecordRoundTripsAndShowsNothingInClear() throws Exception {
        FleetKeyRing key = FleetKeyRing.create();
        ObjectNode clear = clearEnroll("ada", "c-1");
        ObjectNode sealed = SealedRecord.seal(clear, key, admin.getPrivate(), admin.getPublic());
        String wire = new String(io.facegate.config.Yaml.jsonMapper().writeValueAsBytes(sealed));
        for (String secret : new String[] {"ada", "Lovelace", "engineering", "AAAAAAAAgD8="}) {
            assertTrue(!wire.contains(secret), secret + " in clear: " + wire);
        }
        assertTrue(SignedCommand.verify(sealed, admin.getPublic()), "signed over the ciphertext");
        assertEquals(clear.get("body"), SealedRecord.openBody(sealed, key));
        assertEquals(key.ref(1, "ada"), SealedRecord.refOf(sealed));
        assertNotEquals(key.ref(1, "ada"), key.ref(1, "bob"));
        assertNotEquals(key.ref(1, "ada"), FleetKeyRing.create().ref(1, "ada"), "a reference needs the fleet key");
    }

    @Test
    void aRecordSealedToTheOldEpochStillOpensAfterRotationUntilResealed() throws Exception {
        FleetKeyRing old = FleetKeyRing.create();
        ObjectNode sealedOld = SealedRecord.seal(clearEnroll("ada", "c-1"), old, admin.getPrivate(),
                admin.getPublic());
        Path file = dir.resolve("fleet.key");
        old.rotate().save(file);
        FleetKeyRing rotated = FleetKeyRing.load(file);
        assertEquals(2, rotated.currentEpoch());
        assertEquals("ada", SealedRecord.openBody(sealedOld, rotated).get("person_id").asText(),
                "a door holding the rotated key reads the previous epoch's records");

        ObjectNode sealedNew = SealedRecord.seal(clearEnroll("ada", "c-2"), rotated, admin.getPrivate(),
                admin.getPublic());
        assertEquals(2, sealedNew.get("body").get("sealed").get("epoch").asInt());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SealedRecord.openBody(sealedNew, old));
        assertTrue(e.getMessage().contains("epoch 2"), e.getMessage());

        FleetKeyRing twice = rotated.rotate();
        assertEquals(java.util.Set.of(2, 3), twice.epochs(), "only the previous epoch is kept");
        assertThrows(IllegalArgumentException.class, () -> SealedRecord.openBody(sealedOld, twice));
    }

    @Test
    void aTamperedOrMovedCiphertextIsRefused() {
        FleetKeyRing key = FleetKeyRing.create();
        ObjectNode sealed = SealedRecord.seal(clearEnroll("ada", "c-1"), key, admin.getPrivate(), admin.getPublic());

        ObjectNode tampered = sealed.deepCopy();
        ObjectNode s = (ObjectNode) tampered.get("body").get("sealed");
        s.put("ct", FleetManifestTest.flipLastByte(s.get("ct").asText()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SealedRecord.openBody(tampered, key));
        assertTrue(e.getMessage().contains("does not decrypt"), e.getMessage());

        // the same ciphertext presented as another command (a replay as a newer version) or another person
        ObjectNode moved = sealed.deepCopy();
        moved.put("id", "c-9");
        assertThrows(IllegalArgumentException.class, () -> SealedRecord.openBody(moved, key));
        ObjectNode otherPerson = sealed.deepCopy();
        ((ObjectNode) otherPerson.get("body")).put("ref", key.ref(1, "bob"));
        assertThrows(IllegalArgumentException.class, () -> SealedRecord.openBody(otherPerson, key));

        assertThrows(IllegalArgumentException.class, () -> SealedRecord.openBody(sealed, FleetKeyRing.create()),
                "another fleet's key");
        assertThrows(IllegalArgumentException.class, () -> SealedRecord.openBody(clearEnroll("ada", "c-1"), key),
                "a clear record");
    }

    @Test
    void aKeyFileIsOwnerOnlyAndProblemsNameTheFile() throws Exception {
        Path file = dir.resolve("fleet.key");
        FleetKeyRing.create().save(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        IllegalArgumentException open = assertThrows(IllegalArgumentException.class, () -> FleetKeyRing.load(file));
        assertTrue(open.getMessage().contains(file.toString()) && open.getMessage().contains("chmod 600"),
                open.getMessage());

        Path missing = dir.resolve("none.key");
        IllegalArgumentException absent = assertThrows(IllegalArgumentException.class,
                () -> FleetKeyRing.load(missing));
        assertTrue(absent.getMessage().contains(missing + " does not exist"), absent.getMessage());

        Path junk = dir.resolve("junk.key");
        Files.createFile(junk, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(junk, "-----BEGIN PRIVATE KEY-----\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FleetKeyRing.load(junk)).getMessage()
                .contains("not a facegate fleet key"));
    }

    @Test
    void aManifestSealedToTheFleetKeyHidesThePersonIds() throws Exception {
        FleetKeyRing key = FleetKeyRing.create();
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        ObjectNode m = FleetManifest.sign("m-1", t, java.util.List.of(new CommandLedger.Head("ada@example.com",
                t.toEpochMilli(), "c-1", false)), admin.getPrivate(), admin.getPublic(), key);
        byte[] wire = io.facegate.config.Yaml.jsonMapper().writeValueAsBytes(m);
        assertTrue(!new String(wire).contains("ada"), new String(wire));
        JsonNode heads = key.open(m.get("heads"), FleetKeyRing.manifestAad("m-1", t.toString()));
        assertTrue(heads.has("ada@example.com"));
        assertThrows(IllegalArgumentException.class, () -> FleetManifest.verify(wire,
                java.util.Map.of(AdminKeys.keyId(admin.getPublic()), admin.getPublic()), FleetKeyRing.create()));
    }
}
