package io.facegate.vision;

import io.facegate.TestData;
import io.facegate.config.VisionConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A missing, corrupt or wrong-shaped model fails at start, naming the file and what was expected. */
class ModelPackTest {

    private static Path copyPack(Path to) throws IOException {
        Path models = TestData.models();
        for (String f : List.of("models.lock", "fr_detect.onnx", "fr_landmark.onnx", "fr_feature.onnx", "fr_liveness.onnx")) {
            Files.copy(models.resolve(f), to.resolve(f));
        }
        return to;
    }

    @Test
    void loadsTheLockedPack() {
        ModelPack pack = ModelPack.load(TestData.models());
        assertEquals("fr_feature.onnx", pack.entry("feature").file());
        assertEquals(64, pack.entry("feature").sha256().length());
        pack.verify(pack.entry("feature"), true);
    }

    @Test
    void wrongShapeIsNamed(@TempDir Path dir) throws IOException {
        copyPack(dir);
        // put the landmark network where the detector should be, with a lock line that matches its hash
        Files.copy(dir.resolve("fr_landmark.onnx"), dir.resolve("fr_detect.onnx"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String landmarkSha = ModelPack.sha256(dir.resolve("fr_landmark.onnx"));
        List<String> lock = Files.readAllLines(dir.resolve("models.lock")).stream()
                .map(l -> l.startsWith("model detect ") ? l.replaceFirst("[0-9a-f]{64}", landmarkSha) : l).toList();
        Files.write(dir.resolve("models.lock"), lock);
        ModelException e = assertThrows(ModelException.class,
                () -> FacePipeline.open(VisionConfig.defaults().withModelsDir(dir)));
        assertTrue(e.getMessage().contains("fr_detect.onnx has the wrong shape"), e.getMessage());
        assertTrue(e.getMessage().contains("expected input input[1, 3, 240, 320]"), e.getMessage());
        assertTrue(e.getMessage().contains("[1, 1, 64, 64]"), e.getMessage());
    }

    @Test
    void corruptFileFailsTheHashCheck(@TempDir Path dir) throws IOException {
        copyPack(dir);
        byte[] bytes = Files.readAllBytes(dir.resolve("fr_feature.onnx"));
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(dir.resolve("fr_feature.onnx"), bytes);
        ModelException e = assertThrows(ModelException.class,
                () -> FacePipeline.open(VisionConfig.defaults().withModelsDir(dir)));
        assertTrue(e.getMessage().contains("fr_feature.onnx is corrupt"), e.getMessage());
    }

    @Test
    void missingFileAndMissingLockAreNamed(@TempDir Path dir) throws IOException {
        ModelException noLock = assertThrows(ModelException.class,
                () -> FacePipeline.open(VisionConfig.defaults().withModelsDir(dir)));
        assertTrue(noLock.getMessage().contains("models.lock"), noLock.getMessage());
        copyPack(dir);
        Files.delete(dir.resolve("fr_liveness.onnx"));
        ModelException e = assertThrows(ModelException.class,
                () -> FacePipeline.open(VisionConfig.defaults().withModelsDir(dir)));
        assertTrue(e.getMessage().contains("liveness model") && e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void unavailableGpuProviderFallsBackToCpu() {
        VisionConfig cfg = new VisionConfig(TestData.models(), List.of("cuda", "cpu"), 1, null, null, null, null, null);
        try (FacePipeline p = FacePipeline.open(cfg)) {
            // the CPU artifact of ONNX Runtime has no CUDA provider; a GPU build on the class path would keep it
            assertTrue(p.provider().equals("cpu") || p.provider().equals("cuda"), p.provider());
        }
    }
    /** The models folder is wrong in itself: the error says so instead of "models.lock not found". */
    @Test
    void aModelsFolderThatIsNotOneIsNamed(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("models"), "not a folder");
        ModelException notFolder = assertThrows(ModelException.class, () -> ModelPack.load(file));
        assertTrue(notFolder.getMessage().contains("is not a folder"), notFolder.getMessage());
        ModelException missing = assertThrows(ModelException.class, () -> ModelPack.load(dir.resolve("nope")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        ModelException noLock = assertThrows(ModelException.class, () -> ModelPack.load(dir));
        assertTrue(noLock.getMessage().contains("models.lock") && noLock.getMessage().contains("not found"),
                noLock.getMessage());
    }
}
