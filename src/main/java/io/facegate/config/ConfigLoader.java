package io.facegate.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads and validates {@code facegate.yml}; every problem is one {@link ConfigException} naming the key and, where
 * it can be found, its line. An empty file (or one holding only comments) is the defaults.
 */
public final class ConfigLoader {
    /** How a section's own validation names a key: {@code door.unlock_ms: ...}. */
    private static final Pattern KEY = Pattern.compile("[a-z0-9_]+(\\.[a-z0-9_]+)+");

    private ConfigLoader() {
    }

    public static FacegateConfig load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": configuration file not found");
        }
        String yaml;
        try {
            yaml = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
        try {
            return parse(yaml);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e.getCause());
        }
    }

    /** Parses YAML text (tests, the demo's generated configuration). */
    public static FacegateConfig parse(String yaml) {
        try {
            refuseDuplicateKeys(yaml);
            return read(() -> Yaml.mapper().createParser(yaml));
        } catch (IOException e) {
            throw new ConfigException("cannot read: " + e.getMessage(), e); // not expected from a String
        }
    }

    /**
     * A key given twice in one section is an error naming it and both lines: YAML parsers let the last one win, so
     * a stale line further down would silently override the value an admin just changed. (The mapper also has
     * Jackson's strict duplicate detection on; this scan runs first because it can name the first line too.)
     */
    private static void refuseDuplicateKeys(String yaml) {
        Deque<java.util.Map<String, Integer>> seen = new ArrayDeque<>();
        try (JsonParser p = new com.fasterxml.jackson.dataformat.yaml.YAMLFactory().createParser(yaml)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.START_OBJECT) {
                    seen.push(new java.util.HashMap<>());
                } else if (t == JsonToken.END_OBJECT) {
                    seen.pop();
                } else if (t == JsonToken.FIELD_NAME && !seen.isEmpty()) {
                    int line = p.currentTokenLocation().getLineNr();
                    Integer first = seen.peek().putIfAbsent(p.currentName(), line);
                    if (first != null) {
                        String key = String.join(".", namesOf(p.getParsingContext()));
                        throw new ConfigException("key '" + key + "' is given twice (line " + first + " and line "
                                + line + "): remove one, the parser would silently keep the last");
                    }
                }
            }
        } catch (IOException ignored) {
            // not valid YAML: reading it reports where and why
        }
    }

    private interface Source {
        JsonParser open() throws IOException;
    }

    private static FacegateConfig read(Source source) throws IOException {
        ObjectMapper m = Yaml.mapper();
        try (JsonParser p = source.open()) {
            // no token at all: an empty or comment-only file (readValue would call that "no content")
            if (p.nextToken() == null) {
                return FacegateConfig.defaults();
            }
            FacegateConfig c = m.readValue(p, FacegateConfig.class);
            return c == null ? FacegateConfig.defaults() : c;
        } catch (JsonMappingException e) {
            String yamlError = yamlError(e);
            throw new ConfigException(yamlError != null ? yamlError : describe(e, source), e);
        } catch (JsonProcessingException e) {
            String yamlError = yamlError(e);
            throw new ConfigException(yamlError != null ? yamlError
                    : "not valid YAML: " + e.getOriginalMessage() + line(e.getLocation()), e);
        }
    }

    /** A syntax error, also when it surfaced while mapping: where the YAML parser saw it, and what. */
    private static String yamlError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException y) {
                Mark mark = y.getProblemMark() != null ? y.getProblemMark() : y.getContextMark();
                String where = mark == null ? "" : " (line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ")";
                String problem = y.getProblem() != null ? y.getProblem() : y.getContext();
                if (y.getProblem() != null && y.getContext() != null && y.getContextMark() != null) {
                    problem = y.getContext() + " from line " + (y.getContextMark().getLine() + 1) + ": " + problem;
                }
                return "not valid YAML" + where + ": " + problem;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StreamReadException s && !(t instanceof JsonMappingException)) {
                return "not valid YAML: " + s.getOriginalMessage() + line(s.getLocation());
            }
        }
        return null;
    }

    private static String describe(JsonMappingException e, Source source) {
        List<String> names = e.getPath().stream().map(JsonMappingException.Reference::getFieldName).toList();
        String key = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        if (e instanceof UnrecognizedPropertyException u) {
            // a record reports unknown keys at the end of its section: look the key up instead
            return "unknown key '" + key + "'" + line(lineOf(source, names)) + " (known here: "
                    + u.getKnownPropertyIds() + ")";
        }
        // a section's own validation names the key itself
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException c) {
                String named = c.getMessage().split(":", 2)[0];
                return c.getMessage() + (KEY.matcher(named).matches()
                        ? line(lineOf(source, List.of(named.split("\\.")))) : "");
            }
        }
        String why = e.getOriginalMessage().replace(" (but could if coercion was enabled using `CoercionConfig`)", "");
        return (key.isEmpty() ? "" : key + ": ") + "bad value: " + why + line(e.getLocation());
    }

    /** Line of the key at {@code path} (object keys only; list positions are skipped), or -1. */
    private static int lineOf(Source source, List<String> path) {
        List<String> wanted = path.stream().filter(n -> n != null).toList();
        try (JsonParser p = source.open()) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.FIELD_NAME && namesOf(p.getParsingContext()).equals(wanted)) {
                    return p.currentTokenLocation().getLineNr();
                }
            }
        } catch (IOException ignored) {
            // the line is a help, not part of the error
        }
        return -1;
    }

    private static List<String> namesOf(JsonStreamContext ctx) {
        Deque<String> names = new ArrayDeque<>();
        for (JsonStreamContext c = ctx; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inObject() && c.getCurrentName() != null) {
                names.addFirst(c.getCurrentName());
            }
        }
        return List.copyOf(names);
    }

    private static String line(JsonLocation l) {
        return l == null ? "" : line(l.getLineNr());
    }

    private static String line(int lineNr) {
        return lineNr < 1 ? "" : " (line " + lineNr + ")";
    }
}
