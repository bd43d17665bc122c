package io.facegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.facegate.config.ConfigException;
import io.facegate.config.ConfigLoader;
import io.facegate.config.FacegateConfig;
import io.facegate.config.GalleryConfig;
import io.facegate.config.Yaml;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** Options shared by the gallery commands: which configuration and which data directory. */
public final class GalleryOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "YAML configuration; its `gallery` section is used (default: built-in defaults).")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Gallery data directory (overrides gallery.data_dir; default /var/lib/facegate).")
    Path dataDir;

    /** The whole configuration the gallery section came from (the defaults without --config). */
    public FacegateConfig facegate() {
        return config == null ? FacegateConfig.defaults() : ConfigLoader.load(config);
    }

    public GalleryConfig gallery() {
        GalleryConfig c = GalleryConfig.defaults();
        if (config != null) {
            try {
                JsonNode root = Yaml.mapper().readTree(config.toFile());
                JsonNode section = root == null ? null : root.get("gallery");
                if (section != null && !section.isNull()) {
                    c = Yaml.mapper().treeToValue(section, GalleryConfig.class);
                }
            } catch (IOException e) {
                throw new ConfigException(config + ": gallery section: " + e.getMessage(), e);
            }
        }
        return dataDir != null ? c.withDataDir(dataDir) : c;
    }
}
