package io.facegate.gallery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 in the middle of a bulk enrollment: a child JVM enrolls people in a loop and is killed with
 * destroyForcibly after a varying number of commits; the reopened gallery must pass the full check, hold only
 * whole enrollments, and its version must count exactly the committed changes.
 */
class CrashSafetyTest {

    @Test
    void killedChildLeavesAConsistentGallery(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gallery.db");
        long committedBefore = 0;
        int[] killAfter = {5, 23, 41};
        for (int r = 0; r < killAfter.length; r++) {
            final int round = r;
            long printed = runAndKill(file, "r" + round, killAfter[round]);
            try (GalleryStore s = GalleryStore.open(file)) {
                GalleryStore.Verification v = s.verify();
                assertTrue(v.consistent(), "after kill " + round + ": " + v.problems());
                List<Person> persons = s.persons();
                for (Person p : persons) {
                    assertEquals(CrashChild.TEMPLATES, s.templateCount(p.id()), "whole enrollment of " + p.id());
                }
                long inRound = persons.stream().filter(p -> p.id().startsWith("r" + round + "-")).count();
                // Every commit the child reported is durable; it may have committed a few more before the kill
                // landed, but always a gap-free prefix of its sequence (one transaction per person).
                assertTrue(inRound >= printed, "round " + round + ": printed " + printed + ", stored " + inRound);
                for (int i = 0; i < inRound; i++) {
                    assertTrue(s.person("r" + round + "-" + i).isPresent(), "gap at r" + round + "-" + i);
                }
                committedBefore += inRound;
                assertEquals(committedBefore, persons.size());
                assertEquals(committedBefore, s.version(), "one version per committed change");
            }
        }
    }

    /** Starts the child, kills it once it has printed {@code n} commits, returns how many it printed. */
    private static long runAndKill(Path file, String prefix, int n) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Inside surefire the class path is one manifest-only jar: short, and it names everything.
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), file.toString(), prefix);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        long printed = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("committed ")) {
                    printed = Long.parseLong(line.substring(10));
                    if (printed >= n) {
                        p.destroyForcibly(); // SIGKILL: no shutdown hooks, no close
                        break;
                    }
                }
            }
        } finally {
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child did not die");
        }
        return printed;
    }
}
