package io.facegate.gallery;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.facegate.config.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * The gallery as a JSON file: persons and templates (embeddings as base64 little-endian float32), never photos.
 * Import is all or nothing: the whole file is parsed and checked first, then stored in one transaction.
 */
public final class GalleryExport {
    static final String FORMAT = "facegate-gallery";
    static final int VERSION = 1;
    private static final ObjectMapper JSON = Yaml.jsonMapper();

    public record TemplateJson(String modelId, String modelSha256, double quality, String photoSha256,
                               Instant createdAt, int dim, String embedding) {
    }

    public record PersonJson(String id, String displayName, Set<String> groups, boolean enabled, Instant validFrom,
                             Instant validUntil, List<TemplateJson> templates) {
    }

    public record FileJson(String format, int version, Instant exportedAt, long galleryVersion, String contentHash,
                           List<PersonJson> persons) {
    }

    private GalleryExport() {
    }

    /** Writes the export atomically (temp file, then rename); returns the number of persons. */
    public static int write(GalleryStore store, Path file) throws IOException {
        List<PersonJson> persons = new ArrayList<>();
        for (GalleryStore.Entry e : store.exportEntries()) {
            List<TemplateJson> ts = new ArrayList<>();
            for (Template t : e.templates()) {
                ts.add(new TemplateJson(t.modelId(), t.modelSha256(), t.quality(), t.photoSha256(), t.createdAt(),
                        t.embedding().length, TemplateCodec.toBase64(t.embedding())));
            }
            Person p = e.person();
            persons.add(new PersonJson(p.id(), p.displayName(), p.groups(), p.enabled(), p.validFrom(),
                    p.validUntil(), ts));
        }
        FileJson f = new FileJson(FORMAT, VERSION, Instant.now(), store.version(), store.contentHash(), persons);
        Path abs = file.toAbsolutePath();
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), f);
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return persons.size();
    }

    /** Parses and checks an export; throws {@link GalleryException} naming the problem. */
    public static List<GalleryStore.Entry> read(Path file) throws IOException {
        FileJson f;
        try {
            f = JSON.readValue(file.toFile(), FileJson.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new GalleryException(file + ": not a facegate gallery export: " + e.getOriginalMessage());
        }
        if (!FORMAT.equals(f.format()) || f.version() != VERSION) {
            throw new GalleryException(file + ": not a facegate gallery export of version " + VERSION
                    + " (format " + f.format() + ", version " + f.version() + ")");
        }
        List<GalleryStore.Entry> out = new ArrayList<>();
        for (PersonJson p : f.persons() == null ? List.<PersonJson>of() : f.persons()) {
            try {
                Person person = new Person(p.id(), p.displayName(), p.groups(), p.enabled(), p.validFrom(),
                        p.validUntil(), null, null);
                List<Template> ts = new ArrayList<>();
                for (TemplateJson t : p.templates() == null ? List.<TemplateJson>of() : p.templates()) {
                    float[] v = TemplateCodec.fromBytes(Base64.getDecoder().decode(t.embedding()), t.dim());
                    Template template = new Template(p.id(), v, t.modelId(), t.modelSha256(), t.quality(),
                            t.photoSha256(), t.createdAt());
                    template.requireValid(t.dim());
                    ts.add(template);
                }
                out.add(new GalleryStore.Entry(person, ts));
            } catch (RuntimeException e) {
                throw new GalleryException(file + ": person " + p.id() + ": " + e.getMessage());
            }
        }
        return out;
    }
}
