package io.facegate.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sets one key of the {@code access:} section in a YAML configuration file by editing that one line, so that the
 * rest of the file (comments, order, other sections) stays as the admin wrote it. The edited text must load
 * ({@link ConfigLoader#parse}) and give the key the new value before anything is written; the original is kept as
 * {@code FILE.bak} and the new text replaces the file atomically.
 */
public final class ConfigEdit {
    private static final Pattern SECTION = Pattern.compile("^access:\\s*(#.*)?$");
    private static final Pattern TOP_LEVEL = Pattern.compile("^[^\\s#].*$");

    private ConfigEdit() {
    }

    /**
     * Writes {@code access.<key>: <value>} into {@code file}; returns the backup's path.
     *
     * @param check must accept the configuration as loaded from the edited text (e.g. that the key has the value)
     * @throws ConfigException when the file cannot be edited so (flow-style section, the result does not load or
     *                         fails the check); the file is then unchanged
     */
    public static Path setAccessKey(Path file, String key, String value,
                                    java.util.function.Predicate<FacegateConfig> check) throws IOException {
        if (!key.matches("[a-z0-9_]+")) {
            throw new IllegalArgumentException("not a key: " + key);
        }
        String original = Files.readString(file, StandardCharsets.UTF_8);
        String edited = edit(original, key, value);
        FacegateConfig loaded;
        try {
            loaded = ConfigLoader.parse(edited);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": with access." + key + " set to " + value + " the configuration would"
                    + " not load (" + e.getMessage() + "); not changed", e);
        }
        if (!check.test(loaded)) {
            throw new ConfigException(file + ": could not set access." + key + " to " + value
                    + " by editing the file (check its access: section); not changed");
        }
        Path backup = file.resolveSibling(file.getFileName() + ".bak");
        Files.copy(file, backup, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, edited, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return backup;
    }

    /** The text with the key's line in {@code access:} replaced, added under {@code access:}, or the section added. */
    static String edit(String yaml, String key, String value) {
        boolean endsWithNewline = yaml.isEmpty() || yaml.endsWith("\n");
        List<String> lines = new ArrayList<>(List.of(yaml.split("\n", -1)));
        if (endsWithNewline && !lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        int section = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (SECTION.matcher(lines.get(i)).matches()) {
                section = i;
                break;
            }
            if (lines.get(i).startsWith("access:")) {
                throw new ConfigException("access: is written in flow style ({...}); edit access." + key
                        + " by hand");
            }
        }
        if (section < 0) {
            lines.add("access:");
            lines.add("  " + key + ": " + value);
            return String.join("\n", lines) + "\n";
        }
        Pattern keyLine = Pattern.compile("^(\\s+)" + key + ":(\\s*)([^#]*?)(\\s*#.*)?$");
        String indent = null;
        int end = lines.size();
        for (int i = section + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (TOP_LEVEL.matcher(line).matches()) {
                end = i;
                break;
            }
            if (line.isBlank() || line.trim().startsWith("#")) {
                continue;
            }
            if (indent == null) {
                indent = line.substring(0, line.length() - line.stripLeading().length());
            }
            Matcher m = keyLine.matcher(line);
            if (m.matches() && m.group(1).equals(indent)) {
                String comment = m.group(4) == null ? "" : m.group(4);
                lines.set(i, m.group(1) + key + ": " + value + padComment(m.group(3), value, comment));
                return String.join("\n", lines) + (endsWithNewline ? "\n" : "");
            }
        }
        lines.add(section + 1, (indent == null ? "  " : indent) + key + ": " + value);
        return String.join("\n", lines) + (endsWithNewline ? "\n" : "");
    }

    /** Keeps a trailing comment in its column where the new value is no longer than the old one. */
    private static String padComment(String oldValue, String newValue, String comment) {
        if (comment.isEmpty()) {
            return "";
        }
        int pad = comment.length() - comment.stripLeading().length() + oldValue.length() - newValue.length();
        return " ".repeat(Math.max(1, pad)) + comment.stripLeading();
    }
}
