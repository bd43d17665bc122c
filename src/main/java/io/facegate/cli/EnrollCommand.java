package io.facegate.cli;

import io.facegate.bench.FaceDataset;
import io.facegate.bench.Progress;
import io.facegate.config.GalleryConfig;
import io.facegate.gallery.Enroller;
import io.facegate.gallery.Gallery;
import io.facegate.gallery.Person;
import io.facegate.gallery.Rejection;
import io.facegate.vision.FacePipeline;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code facegate enroll}: adds people to the gallery from photos, through the quality gates. */
@Command(name = "enroll", mixinStandardHelpOptions = true,
        description = {"Enrolls a person from one or more photos, or every sub-folder of a folder (one per person,"
                + " the folder name is the person id and name).",
                "Each photo passes the quality gates (one face, large enough, sharp, facing the camera, decodable, within the pixel limit) and the duplicate check;"
                + " refused photos are listed with the reason. Photos are never stored, only templates.",
                "Exit status: 0 when every photo was accepted, 1 when some were refused, 2 on errors."})
public final class EnrollCommand implements Callable<Integer> {
    static final class One {
        @Option(names = "--person", required = true, paramLabel = "ID", description = "stable person id")
        String id;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "display name")
        String name;

        @Option(names = "--group", paramLabel = "G", description = "access group (repeatable)")
        List<String> groups = new ArrayList<>();

        @Parameters(arity = "1..*", paramLabel = "PHOTO", description = "photos of this person")
        List<Path> photos;
    }

    static final class Source {
        @ArgGroup(exclusive = false)
        One one;

        @Option(names = "--folder", paramLabel = "DIR", description = "DIR/<person id>/<photos>")
        Path folder;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--replace", description = "replace the person's existing templates instead of adding")
    boolean replace;

    @Option(names = "--allow-duplicate", description = "enroll even when the face matches another person")
    boolean allowDuplicate;

    @Mixin
    VisionOptions vision;

    @Mixin
    GalleryOptions galleryOptions;

    @Override
    public Integer call() throws Exception {
        GalleryConfig cfg = galleryOptions.gallery();
        if (allowDuplicate) {
            cfg = cfg.withAllowDuplicates(true);
        }
        try (FacePipeline pipeline = vision.open(); Gallery gallery = Gallery.open(cfg, pipeline.featureModel())) {
            Enroller enroller = new Enroller(pipeline, gallery);
            if (source.folder != null) {
                return folder(enroller, gallery, source.folder);
            }
            Person p = gallery.person(source.one.id)
                    .map(old -> new Person(old.id(), source.one.name, Set.copyOf(source.one.groups), old.enabled(),
                            old.validFrom(), old.validUntil(), old.createdAt(), old.updatedAt()))
                    .orElse(Person.of(source.one.id, source.one.name, Set.copyOf(source.one.groups)));
            Enroller.Outcome o = enroller.enroll(p, source.one.photos, replace);
            for (Enroller.PhotoOutcome po : o.photos()) {
                System.out.println(line(po));
            }
            summary(o.personId(), o, gallery);
            return o.accepted() == o.photos().size() ? 0 : 1;
        }
    }

    private int folder(Enroller enroller, Gallery gallery, Path dir) throws Exception {
        FaceDataset ds = FaceDataset.load(dir);
        int total = ds.people().stream().mapToInt(p -> p.photos().size()).sum();
        Progress bar = new Progress("enroll", total);
        int done = 0;
        int people = 0;
        int accepted = 0;
        Map<Rejection, Integer> byReason = new EnumMap<>(Rejection.class);
        List<String> refused = new ArrayList<>();
        for (FaceDataset.Person fp : ds.people()) {
            Person p;
            try {
                p = gallery.person(fp.name()).orElse(Person.of(fp.name(), fp.name(), null));
            } catch (IllegalArgumentException e) {
                refused.add(fp.name() + "/: " + e.getMessage());
                done += fp.photos().size();
                bar.update(done);
                continue;
            }
            Enroller.Outcome o = enroller.enroll(p, fp.photos(), replace);
            for (Enroller.PhotoOutcome po : o.photos()) {
                if (!po.accepted()) {
                    byReason.merge(po.rejection(), 1, Integer::sum);
                    refused.add(dir.relativize(Path.of(po.source())) + ": " + po.rejection() + ": " + po.message());
                }
            }
            accepted += o.accepted();
            people += o.change().isPresent() ? 1 : 0;
            done += fp.photos().size();
            bar.update(done);
        }
        System.out.printf("%d of %d people enrolled, %d of %d photos accepted, gallery version %d%n", people,
                ds.people().size(), accepted, total, gallery.version());
        if (!refused.isEmpty()) {
            System.out.println("refused by reason: " + byReason);
            refused.forEach(r -> System.out.println("  " + r));
        }
        return refused.isEmpty() ? 0 : 1;
    }

    private static String line(Enroller.PhotoOutcome po) {
        return po.accepted() ? String.format("accepted %s (quality %.2f)", po.source(), po.quality())
                : String.format("REFUSED  %s: %s: %s", po.source(), po.rejection(), po.message());
    }

    private static void summary(String id, Enroller.Outcome o, Gallery g) {
        if (o.change().isPresent()) {
            System.out.printf("%s: %d of %d photos enrolled; %d templates; gallery version %d%n", id, o.accepted(),
                    o.photos().size(), g.store().templateCount(id), o.change().get().version());
        } else {
            System.out.printf("%s: nothing enrolled (%d photos refused)%n", id, o.photos().size());
        }
    }
}
