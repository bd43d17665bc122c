package io.facegate.cli;

import io.facegate.access.DecisionRule;
import io.facegate.access.ScoreCalibration;
import io.facegate.config.FacegateConfig;
import io.facegate.gallery.GalleryExport;
import io.facegate.gallery.GalleryStore;
import io.facegate.gallery.Person;
import io.facegate.gallery.Template;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code facegate gallery ...}: look after the enrolled people without loading any model. A running daemon
 * sees changes made here when it reloads (see {@code Gallery.reloadIfChanged()}).
 */
@Command(name = "gallery", mixinStandardHelpOptions = true,
        description = "List, show, remove, disable, enable, export, import and verify enrolled people.",
        subcommands = {GalleryCommand.ListCmd.class, GalleryCommand.Show.class, GalleryCommand.Remove.class,
                GalleryCommand.Disable.class, GalleryCommand.Enable.class, GalleryCommand.Export.class,
                GalleryCommand.Import.class, GalleryCommand.Verify.class})
public final class GalleryCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    abstract static class Base implements Callable<Integer> {
        @Mixin
        GalleryOptions options;

        GalleryStore open() {
            return GalleryStore.open(options.gallery().databaseFile());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists enrolled people.")
    static final class ListCmd extends Base {
        @Override
        public Integer call() {
            try (GalleryStore s = open()) {
                List<Person> ps = s.persons();
                int templates = 0;
                for (Person p : ps) {
                    int t = s.templateCount(p.id());
                    templates += t;
                    System.out.printf("%-24s %-28s %-8s templates=%d groups=%s%n", p.id(), p.displayName(),
                            p.enabled() ? "enabled" : "DISABLED", t, String.join(",", p.groups()));
                }
                System.out.printf("%d people, gallery version %d, content hash %s%n", ps.size(), s.version(),
                        s.contentHash());
                System.out.println("the door's rule: " + rule(templates));
                return 0;
            }
        }

        /** What the door makes of this gallery's size: its threshold, expected FPIR and FNIR, any capacity warning. */
        private String rule(int templates) {
            try {
                FacegateConfig cfg = options.facegate();
                DecisionRule rule = new DecisionRule(cfg.access(), ScoreCalibration.read(
                        cfg.access().calibrationIn(cfg.vision().modelsDir())));
                return rule.describe(templates) + rule.capacityWarning(templates).map(w -> "\nWARNING: " + w)
                        .orElse("");
            } catch (RuntimeException e) {
                return "unknown (" + e.getMessage() + ")";
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows one person and their templates.")
    static final class Show extends Base {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            try (GalleryStore s = open()) {
                Person p = s.person(id).orElse(null);
                if (p == null) {
                    System.err.println("no person " + id);
                    return 1;
                }
                System.out.printf("id:          %s%nname:        %s%ngroups:      %s%nenabled:     %s%n"
                                + "valid from:  %s%nvalid until: %s%ncreated:     %s%nupdated:     %s%n", p.id(),
                        p.displayName(), String.join(",", p.groups()), p.enabled(),
                        p.validFrom() == null ? "-" : p.validFrom(), p.validUntil() == null ? "-" : p.validUntil(),
                        p.createdAt(), p.updatedAt());
                for (Template t : s.templates(id)) {
                    System.out.printf("template:    %s %s... quality %.2f photo %s... %s%n", t.modelId(),
                            t.modelSha256().substring(0, 12), t.quality(), t.photoSha256().substring(0, 12),
                            t.createdAt());
                }
                return 0;
            }
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes a person and their templates.")
    static final class Remove extends Base {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            try (GalleryStore s = open()) {
                return s.removePerson(id).map(c -> {
                    System.out.printf("removed %s; gallery version %d%n", id, c.version());
                    return 0;
                }).orElseGet(() -> {
                    System.err.println("no person " + id);
                    return 1;
                });
            }
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Disables a person: still recognised, never let in.")
    static final class Disable extends Base {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            return setEnabled(this, id, false);
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enables a disabled person again.")
    static final class Enable extends Base {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            return setEnabled(this, id, true);
        }
    }

    private static int setEnabled(Base b, String id, boolean on) {
        try (GalleryStore s = b.open()) {
            Person p = s.person(id).orElse(null);
            if (p == null) {
                System.err.println("no person " + id);
                return 1;
            }
            GalleryStore.Change c = s.putPerson(p.withEnabled(on));
            System.out.printf("%s %s; gallery version %d%n", on ? "enabled" : "disabled", id, c.version());
            return 0;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Writes people and templates (never photos) to a JSON file.")
    static final class Export extends Base {
        @Parameters(paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() throws Exception {
            try (GalleryStore s = open()) {
                int n = GalleryExport.write(s, file);
                System.out.printf("exported %d people to %s (gallery version %d, content hash %s)%n", n, file,
                        s.version(), s.contentHash());
                return 0;
            }
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Adds or replaces the people of an export, all in one transaction.")
    static final class Import extends Base {
        @Parameters(paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() throws Exception {
            List<GalleryStore.Entry> entries = GalleryExport.read(file);
            try (GalleryStore s = open()) {
                GalleryStore.Change c = s.importEntries(entries, options.gallery().maxTemplatesPerPerson());
                System.out.printf("imported %d people; gallery version %d, content hash %s%n", entries.size(),
                        c.version(), c.contentHash());
                return 0;
            }
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Full integrity check; recomputes the content hash from every row and names every invalid"
                    + " template row (person, template id).", "Exit status: 0 when consistent, 1 otherwise."})
    static final class Verify extends Base {
        @Override
        public Integer call() {
            try (GalleryStore s = open()) {
                GalleryStore.Verification v = s.verify();
                System.out.printf("%s: %d people, %d templates, version %d, content hash %s%n",
                        v.consistent() ? "consistent" : "INCONSISTENT", v.persons(), v.templates(), v.version(),
                        v.storedHash());
                Map<String, Integer> byModel = s.templateCountsByModel();
                byModel.forEach((m, n) -> System.out.printf("  %d templates of model %s%n", n, m));
                v.problems().forEach(p -> System.out.println("  problem: " + p));
                if (!v.invalid().isEmpty()) {
                    System.out.println("  " + v.invalid().size() + " invalid template row(s): a running door skips"
                            + " them (never matched); re-enroll those persons with --replace or remove them");
                }
                return v.consistent() ? 0 : 1;
            }
        }
    }
}
