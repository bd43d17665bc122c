package io.facegate.cli;

import io.facegate.access.Candidate;
import io.facegate.access.DecisionRule;
import io.facegate.bench.FaceProbe;
import io.facegate.vision.Embeddings;
import io.facegate.vision.FacePipeline;
import io.facegate.image.ImageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code facegate compare A B}: one-to-one verification of the largest face in each photo, by the door's decision
 * rule with B as a one-template gallery (the threshold for {@code access.target_fpir} at that size, the quality
 * gates on both faces).
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare the largest face in two photos: cosine similarity and the door's verdict, with the"
                + " second photo as a one-person gallery (threshold from access.target_fpir, quality gates).",
                "Exit status 0: same person, 1: not, 2: no verdict (no face, unreadable photo)."})
public final class CompareCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "A", description = "First photo.")
    Path first;

    @Parameters(index = "1", paramLabel = "B", description = "Second photo.")
    Path second;

    @Mixin
    DecisionOptions options;

    @Override
    public Integer call() {
        try (FacePipeline pipeline = options.openVision()) {
            DecisionRule rule = options.rule(pipeline);
            FaceProbe a = largest(pipeline, first);
            FaceProbe b = largest(pipeline, second);
            double similarity = Embeddings.cosine(a.embedding(), b.embedding());
            for (FaceProbe p : new FaceProbe[] {a, b}) {
                Optional<String> poor = rule.qualityProblem(p.quality());
                if (poor.isPresent()) {
                    System.out.printf(Locale.ROOT, "similarity %.4f: no verdict, %s: %s%n", similarity,
                            p == a ? first : second, poor.get());
                    return 1;
                }
            }
            // a one-person gallery: no other person to beat, so the margin is the largest possible
            DecisionRule.Verdict v = rule.judge(new Candidate("B", similarity, similarity + 1), 1);
            System.out.printf(Locale.ROOT, "similarity %.4f (threshold %.3f for access.target_fpir %.0e): %s%n",
                    similarity, v.threshold(), rule.config().targetFpir(),
                    v.matched() ? "same person" : "different people");
            return v.matched() ? 0 : 1;
        } catch (ImageException | IllegalStateException e) {
            System.err.println("compare: " + e.getMessage());
            return 2;
        }
    }

    private static FaceProbe largest(FacePipeline pipeline, Path photo) throws ImageException {
        return FaceProbe.largest(pipeline, photo).orElseThrow(() -> new ImageException(photo + ": no face found"));
    }
}
