package io.facegate.daemon;

import io.facegate.TestData;
import io.facegate.config.ConfigLoader;
import io.facegate.config.FacegateConfig;
import io.facegate.demo.DemoRun;
import io.facegate.demo.Scenario;
import io.facegate.mqtt.EmbeddedBroker;
import io.facegate.vision.FacePipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real daemon (real models, gallery and policy; mock door, embedded broker) on visits of one enrolled person
 * (deepface p01, enrolled with two photos, walking up with the other six): the pipeline spends inference only where
 * it can change a decision. Counted with the pipeline's own per-stage sample counts.
 */
class PipelineWorkTest {
    @TempDir
    Path tmp;

    @Test
    void aDecidedTrackGetsNoMoreLivenessChecks() throws Exception {
        // embed_interval_ms 0: a decided track is still embedded on every frame, as before a decision
        DemoRun.Result r = run("pipeline: {embed_interval_ms: 0}\n");
        assertTrue(r.visits().grantedEnrolledVisits() >= 1, "p01 was let in: " + r.visits());
        long embedded = count(r, PipelineMetrics.Stage.EMBED);
        long checked = count(r, PipelineMetrics.Stage.LIVENESS);
        assertTrue(checked > 0, "liveness ran before the decisions");
        assertTrue(checked < embedded, "frames after a grant are embedded (to notice someone else stepping in) but"
                + " not checked for liveness: " + checked + " liveness, " + embedded + " embeddings");
    }

    @Test
    void aFaceBelowAGateThatNeedsNoEmbeddingIsNeitherEmbeddedNorCheckedForLiveness() throws Exception {
        DemoRun.Result r = run("access: {min_eye_distance_px: 10000}\n");
        assertTrue(count(r, PipelineMetrics.Stage.LANDMARKS) > 0, "faces were found and measured");
        assertEquals(0, count(r, PipelineMetrics.Stage.EMBED), "no face can pass the eye-distance gate");
        assertEquals(0, count(r, PipelineMetrics.Stage.LIVENESS));
        assertEquals(0, r.visits().grantedEnrolledVisits());
        assertTrue(r.visits().denials().getOrDefault("POOR_QUALITY", 0) > 0, "reported as poor quality: "
                + r.visits().denials());
    }

    private DemoRun.Result run(String yaml) throws Exception {
        Path faces = TestData.faces("deepface");
        Path models = TestData.models();
        Path dataset = Files.createDirectories(tmp.resolve("people"));
        Files.createSymbolicLink(dataset.resolve("p01"), faces.resolve("p01"));
        try (EmbeddedBroker broker = EmbeddedBroker.start(tmp)) {
            FacegateConfig base = ConfigLoader.parse("vision: {models_dir: '" + models + "'}\n" + yaml);
            FacegateConfig cfg = DemoRun.config(Files.createDirectories(tmp.resolve("work")), base, broker.uri(),
                    null);
            Scenario scenario;
            DemoRun.Enrolled enrolled;
            try (FacePipeline vision = FacePipeline.open(cfg.vision())) {
                scenario = Scenario.fromFolder(dataset, vision);
                enrolled = DemoRun.enroll(cfg, vision, scenario);
            }
            assertEquals(java.util.Set.of("p01"), enrolled.people());
            try (scenario) {
                // 12 frames a visit, then empty frames long enough for the track to end, at 30 fps
                return DemoRun.run(cfg, scenario, enrolled, new DemoRun.Camera(640, 480, 12, 40, 30, false), broker,
                        null);
            }
        }
    }

    private static long count(DemoRun.Result r, PipelineMetrics.Stage stage) {
        Map<String, PipelineMetrics.StageStats> stages = r.metrics().stages();
        PipelineMetrics.StageStats s = stages.get(stage.key());
        return s == null ? 0 : s.count();
    }
}
