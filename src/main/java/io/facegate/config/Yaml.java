package io.facegate.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
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
        // a key given twice must not let the last one silently win (ConfigLoader names both lines first)
        ObjectMapper m = configure(new ObjectMapper(new YAMLFactory()
                .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)));
        // In a hand-written file, '' for a number, path or enum is a mistake rather than "use the default" (leave
        // the key out or empty for that), and 2.5 for a whole number (unlock_ms: 2.5 meant seconds?) must not
        // become 2.
        m.coercionConfigDefaults().setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        return m.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
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
