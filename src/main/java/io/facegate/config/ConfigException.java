package io.facegate.config;

/** A configuration that cannot be used: the message names the key (as written in YAML) and what is wrong. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Throws a {@link ConfigException} naming {@code key} unless {@code ok}. */
    public static void require(boolean ok, String key, String problem) {
        if (!ok) {
            throw new ConfigException(key + ": " + problem);
        }
    }
}
