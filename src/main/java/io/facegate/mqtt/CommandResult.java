package io.facegate.mqtt;

import java.util.Map;

/**
 * What the device made of a command: ok, or an error code (a stable word for scripts) and a message for people.
 * {@code data} carries results such as the gallery state or the templates an enrollment produced.
 */
public record CommandResult(boolean ok, String code, String message, Map<String, Object> data) {
    public CommandResult {
        data = data == null ? Map.of() : Map.copyOf(data);
    }

    public static CommandResult ok(String message) {
        return new CommandResult(true, "ok", message, Map.of());
    }

    public static CommandResult ok(String message, Map<String, Object> data) {
        return new CommandResult(true, "ok", message, data);
    }

    public static CommandResult error(String code, String message) {
        return new CommandResult(false, code, message, Map.of());
    }
}
