package io.facegate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.facegate.TestData;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The arm64 proof (deploy/arm64/README.md): the project's jar and its arm64 natives run in a Debian bookworm arm64
 * root under qemu-aarch64 and agree with x86-64, and the arm64 .deb installs and removes cleanly there. Runs only
 * where FACEGATE_ARM64_ROOT names a root built by deploy/arm64/build-root.sh (root, mmdebstrap, qemu-user-static):
 * building one takes minutes and emulated inference is slow, so CI skips it, saying why. Needs a packaged build:
 * {@code mvn -B -q package -DskipTests -Pdeb} first (the jar, target/lib and the .deb are what is checked).
 */
class Arm64RootTest {
    private static final Path REPO = Path.of("").toAbsolutePath();
    /** A hang guard, not a speed claim: under emulation the three runs take tens of minutes on 2 cores. */
    private static final long SCRIPT_LIMIT_MINUTES = 120;

    @Test
    void benchVerifyUnderQemuGivesTheSameAucAndEerAsX86AndTheDemoExitsZero() throws Exception {
        Path root = arm64Root();
        assumeTrue(Files.isRegularFile(REPO.resolve("target/facegate.jar")),
                "target/facegate.jar not built: run mvn -B -q package -DskipTests first");
        TestData.models();
        List<String> sets = new ArrayList<>();
        for (String set : List.of("deepface", "bbt")) {
            if (Files.isDirectory(TestData.facesDir().resolve(set))) {
                sets.add(set);
            }
        }
        assumeTrue(!sets.isEmpty(), "no face sets (deepface, bbt) in " + TestData.facesDir() + " (FACEGATE_FACES)");

        Path out = Files.createTempDirectory("facegate-arm64-verify");
        String log = runScript(out.resolve("verify.log"), "deploy/arm64/verify.sh", "--root", root.toString(),
                "--faces", TestData.facesDir().toString(), "--out", out.toString(), "--sets", String.join(" ", sets));

        // The script's verdict is checked below from its raw outputs, not taken on its word.
        ObjectMapper json = new ObjectMapper();
        for (String set : sets) {
            JsonNode x86 = json.readTree(out.resolve("x86-verify-" + set + ".out").toFile());
            JsonNode arm = json.readTree(out.resolve("arm64-verify-" + set + ".out").toFile());
            assertEquals(x86.get("images").asInt(), arm.get("images").asInt(), set + ": images\n" + log);
            assertEquals(x86.get("faces_found").asInt(), arm.get("faces_found").asInt(), set + ": faces found\n" + log);
            assertEquals(round4(x86, "auc"), round4(arm, "auc"), set + ": AUC x86-64 vs arm64\n" + log);
            assertEquals(round4(x86, "eer"), round4(arm, "eer"), set + ": EER x86-64 vs arm64\n" + log);
            assertEquals("cpu", arm.get("provider").asText(), set + ": provider under qemu");
        }
        assertTrue(Files.readString(out.resolve("timings.tsv")).contains("arm64-qemu\tdemo\t"), log);
        for (String line : Files.readAllLines(out.resolve("timings.tsv"))) {
            String[] f = line.split("\t");
            assertEquals("0", f[3], f[0] + " " + f[1] + " exit status\n" + log);
        }
    }

    @Test
    void theArm64PackageInstallsAndRemovesCleanlyInTheRoot() throws Exception {
        Path root = arm64Root();
        Path deb;
        try (Stream<Path> files = Files.list(REPO.resolve("target"))) {
            deb = files.filter(p -> p.getFileName().toString().matches("facegate_.+_arm64\\.deb"))
                    .findFirst().orElse(null);
        }
        assumeTrue(deb != null,
                "no target/facegate_*_arm64.deb: run models/fetch && mvn -B -q package -DskipTests -Pdeb");

        Path out = Files.createTempDirectory("facegate-arm64-deb");
        String log = runScript(out.resolve("check-deb.log"), "deploy/arm64/check-deb.sh", "--root", root.toString(),
                "--deb", deb.toString());
        assertFalse(log.contains("FAIL"), log);
        assertTrue(log.contains("check-deb.sh: PASS"), log);
    }

    /** The root named by FACEGATE_ARM64_ROOT; skipped when unset, failed when set to something that is no root. */
    private static Path arm64Root() {
        String env = System.getenv("FACEGATE_ARM64_ROOT");
        assumeTrue(env != null && !env.isBlank(), "FACEGATE_ARM64_ROOT is not set: the arm64 check needs a Debian arm64"
                + " root built by deploy/arm64/build-root.sh (as root, with mmdebstrap and qemu-user-static)");
        Path root = Path.of(env).toAbsolutePath();
        assertTrue(Files.isRegularFile(root.resolve("var/lib/dpkg/arch")) && Files.exists(root.resolve("usr/bin/java")),
                "FACEGATE_ARM64_ROOT=" + root + " is not a root built by deploy/arm64/build-root.sh");
        return root;
    }

    /** Runs a deploy script of the checkout, output to {@code logFile}; returns the output, fails on exit != 0. */
    private static String runScript(Path logFile, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("sh"));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).directory(REPO.toFile()).redirectErrorStream(true)
                .redirectOutput(logFile.toFile()).start();
        if (!p.waitFor(SCRIPT_LIMIT_MINUTES, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            fail(command[0] + " still running after " + SCRIPT_LIMIT_MINUTES + " min: " + Files.readString(logFile));
        }
        String log = Files.readString(logFile);
        assertEquals(0, p.exitValue(), command[0] + " exit status\n" + log);
        return log;
    }

    private static String round4(JsonNode result, String key) {
        JsonNode v = result.get(key);
        assertTrue(v != null && v.isNumber(), key + " missing in " + result);
        return String.format(java.util.Locale.ROOT, "%.4f", v.asDouble());
    }
}
