package io.facegate.door;

import com.fasterxml.jackson.databind.JsonNode;
import io.facegate.cli.BenchDecisionCommand;
import io.facegate.config.Yaml;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** The benchmark command runs the real decision path end to end and reports its numbers (no speed asserted). */
class BenchDecisionCommandTest {

    @Test
    void reportsMedianAndPercentilesAsJson() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            rc = new CommandLine(new BenchDecisionCommand()).execute("--iterations", "50", "--warmup", "10");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc);
        JsonNode json = Yaml.jsonMapper().readTree(buf.toString(StandardCharsets.UTF_8));
        assertEquals("decision", json.get("benchmark").asText());
        assertEquals(50, json.get("iterations").asInt());
        double median = json.get("median_us").asDouble();
        assertTrue(median > 0 && median <= json.get("p90_us").asDouble()
                && json.get("p90_us").asDouble() <= json.get("p99_us").asDouble()
                && json.get("p99_us").asDouble() <= json.get("max_us").asDouble(), json.toString());
    }

    @Test
    void refusesNonsenseArguments() {
        assertNotEquals(0, new CommandLine(new BenchDecisionCommand()).execute("--iterations", "0"));
    }
}
