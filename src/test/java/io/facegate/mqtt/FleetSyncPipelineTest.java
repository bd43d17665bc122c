package io.facegate.mqtt;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.facegate.config.Yaml;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Cold catch-up keeps {@link FleetSync#BATCH} persons in flight: each person that comes up to date makes room for the
 * next one at once, instead of the whole batch waiting for its slowest record (a door starting against thousands of
 * people spent most of its time waiting on the last record of each batch).
 */
class FleetSyncPipelineTest {
    private static final ObjectMapper JSON = Yaml.jsonMapper();

    @TempDir
    Path dir;
    private StateDb db;

    @AfterEach
    void close() {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void aPersonBroughtUpToDateMakesRoomForTheNextAtOnce() throws Exception {
        db = StateDb.open(dir.resolve("state.db"));
        CommandLedger ledger = new CommandLedger(db);
        KeyPair admin = AdminKeys.generate();
        FleetKeyRing fleetKey = FleetKeyRing.create();
        List<String> fetched = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        FleetSync sync = new FleetSync(db, ledger, null, Map.of(AdminKeys.keyId(admin.getPublic()), admin.getPublic()),
                Duration.ofSeconds(60), Clock.systemUTC(), fleetKey, new FleetSync.Fetcher() {
                    @Override
                    public void fetch(String ref) {
                        fetched.add(ref);
                    }

                    @Override
                    public void drop(String ref) {
                        dropped.add(ref);
                    }
                });
        Instant t = Instant.now().minusSeconds(10);
        List<CommandLedger.Head> heads = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            heads.add(new CommandLedger.Head(String.format("p%02d", i), t.toEpochMilli(), "c-" + i, false));
        }
        sync.onManifest(JSON.writeValueAsBytes(FleetManifest.sign("m-1", t, heads, admin.getPrivate(),
                admin.getPublic(), fleetKey)));
        assertEquals(FleetSync.BATCH, fetched.size(), "one batch in flight");

        // the first person's record was applied (as CommandProcessor records it), and its topic reported
        CommandLedger.Head first = heads.get(0);
        ledger.record(first.commandId(), CommandKind.ENROLL.wire(), Instant.now(), Instant.now(), first, "d");
        sync.onRecord(fleetKey.ref(1, first.personId()));
        assertEquals(List.of(fleetKey.ref(1, first.personId())), dropped);
        assertEquals(FleetSync.BATCH + 1, fetched.size(), "the next person is fetched without waiting for the batch");
        assertEquals(fleetKey.ref(1, heads.get(FleetSync.BATCH).personId()), fetched.get(FleetSync.BATCH));
    }
}
