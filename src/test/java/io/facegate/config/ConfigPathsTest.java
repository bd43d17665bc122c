package io.facegate.config;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ConfigPaths}: what {@code run --check} finds about every path of the configuration before the daemon
 * starts, each problem naming the key and its true cause (missing, not a folder, not readable, not writable).
 */
class ConfigPathsTest {
    @TempDir
    Path dir;

    private FacegateConfig config(String yaml) {
        return ConfigLoader.parse(yaml.replace("$DIR", dir.toString()));
    }

    private static void assertOneProblem(List<String> problems, String... parts) {
        assertEquals(1, problems.size(), problems.toString());
        for (String p : parts) {
            assertTrue(problems.get(0).contains(p), "'" + p + "' not in: " + problems.get(0));
        }
    }

    /** Folders and files that all exist as needed: nothing to report. */
    private String valid() throws Exception {
        Files.createDirectories(dir.resolve("models"));
        Files.writeString(dir.resolve("models/models.lock"), "# lock\n");
        Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(dir.resolve("frames"));
        return "vision:\n  models_dir: $DIR/models\ngallery:\n  data_dir: $DIR/data\n"
                + "camera:\n  type: folder\n  path: $DIR/frames\n"
                + "mqtt:\n  state_path: $DIR/data/mqtt.db\n";
    }

    @Test
    void aCompleteSetupHasNoProblems() throws Exception {
        assertEquals(List.of(), ConfigPaths.problems(config(valid())));
    }

    @Test
    void missingModelsFolderAndMissingLockAreToldApart() throws Exception {
        String yaml = valid();
        Files.delete(dir.resolve("models/models.lock"));
        assertOneProblem(ConfigPaths.problems(config(yaml)), "vision.models_dir", "models.lock", "does not exist");
        Files.delete(dir.resolve("models"));
        assertOneProblem(ConfigPaths.problems(config(yaml)), "vision.models_dir", dir.resolve("models").toString(),
                "folder", "does not exist");
        Files.writeString(dir.resolve("models"), "not a folder");
        assertOneProblem(ConfigPaths.problems(config(yaml)), "vision.models_dir", "is not a folder");
    }

    @Test
    void unreadableModelsFolderIsCalledUnreadable() throws Exception {
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
                "root reads every folder whatever its permissions: run as another user to check this");
        String yaml = valid();
        Files.setPosixFilePermissions(dir.resolve("models"), PosixFilePermissions.fromString("---------"));
        try {
            assertOneProblem(ConfigPaths.problems(config(yaml)), "vision.models_dir", "not readable");
        } finally {
            Files.setPosixFilePermissions(dir.resolve("models"), PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void cameraFolderAndTlsFilesAreChecked() throws Exception {
        String yaml = valid();
        Files.delete(dir.resolve("frames"));
        assertOneProblem(ConfigPaths.problems(config(yaml)), "camera.path", "does not exist");
        Files.createDirectories(dir.resolve("frames"));
        assertOneProblem(ConfigPaths.problems(config(yaml + "  ca_file: $DIR/ca.pem\n")), "mqtt.ca_file",
                dir.resolve("ca.pem").toString(), "does not exist");
    }

    @Test
    void adminKeyFileThatIsMissingIsNamedAsAFile() throws Exception {
        String yaml = valid() + "  admin_public_keys: [$DIR/keys/alice.pub]\n";
        assertOneProblem(ConfigPaths.problems(config(yaml)), "mqtt.admin_public_keys[0]",
                dir.resolve("keys/alice.pub").toString(), "does not exist");
    }

    @Test
    void stateFileInAPlaceThatCannotBeCreatedIsNamed() throws Exception {
        String yaml = valid();
        Files.writeString(dir.resolve("blocker"), "a file where a folder should be");
        FacegateConfig c = config(yaml.replace("$DIR/data/mqtt.db", "$DIR/blocker/mqtt.db"));
        assertOneProblem(ConfigPaths.problems(c), "mqtt.state_path", "is not a folder");
    }
    /** Used to say "Illegal base64 character 2e" for a .pub path that is not there. */
    @Test
    void startUpSaysAMissingAdminKeyFileIsMissing() {
        String missing = dir.resolve("keys/alice.pub").toString();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> io.facegate.mqtt.AdminKeys.trusted(List.of(missing)));
        assertTrue(e.getMessage().contains("mqtt.admin_public_keys[0]") && e.getMessage().contains(missing)
                && e.getMessage().contains("does not exist") && !e.getMessage().contains("base64"), e.getMessage());
    }
}
