package io.facegate.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** Reads and validates {@code facegate.yml}; every problem is one {@link ConfigException} naming the key. */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    public static FacegateConfig load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": configuration file not found");
        }
        try {
            FacegateConfig c = Yaml.mapper().readValue(file.toFile(), FacegateConfig.class);
            return c == null ? FacegateConfig.defaults() : c;
        } catch (JsonMappingException e) {
            throw new ConfigException(file + ": " + describe(e), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getOriginalMessage()
                    + location(e), e);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Parses YAML text (tests, the demo's generated configuration). */
    public static FacegateConfig parse(String yaml) {
        try {
            FacegateConfig c = Yaml.mapper().readValue(yaml, FacegateConfig.class);
            return c == null ? FacegateConfig.defaults() : c;
        } catch (JsonMappingException e) {
            throw new ConfigException(describe(e), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException("not valid YAML: " + e.getOriginalMessage() + location(e), e);
        }
    }

    private static String describe(JsonMappingException e) {
        String key = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown key '" + key + "'" + location(e) + " (known here: " + u.getKnownPropertyIds() + ")";
        }
        // a section's own validation names the key itself
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException c) {
                return c.getMessage() + location(e);
            }
        }
        return (key.isEmpty() ? "" : key + ": ") + "bad value: " + e.getOriginalMessage() + location(e);
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null || e.getLocation().getLineNr() < 0 ? "" : " (line " + e.getLocation().getLineNr() + ")";
    }
}
