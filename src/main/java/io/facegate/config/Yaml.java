package io.facegate.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one place where configuration mappers are built. Keys are snake_case in YAML and camelCase in the
 * records; an unknown key is an error (a typo must never silently fall back to a default).
 */
public final class Yaml {
    private Yaml() {
    }

    public static ObjectMapper mapper() {
        return configure(new ObjectMapper(new YAMLFactory()));
    }

    /** JSON mapper with the same conventions, for payloads and reports. */
    public static ObjectMapper jsonMapper() {
        return configure(new ObjectMapper());
    }

    private static ObjectMapper configure(ObjectMapper m) {
        return m.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .registerModule(new JavaTimeModule())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }
}
