package io.facegate.bench;

import java.io.PrintStream;

/** A one-line progress bar on standard error, so standard output stays clean for JSON. */
public final class Progress {
    private final PrintStream out;
    private final String label;
    private final int total;
    private int lastDrawn = -1;

    public Progress(String label, int total) {
        this(System.err, label, total);
    }

    Progress(PrintStream out, String label, int total) {
        this.out = out;
        this.label = label;
        this.total = Math.max(1, total);
    }

    public void update(int done) {
        int percent = (int) (100L * done / total);
        if (percent == lastDrawn && done != total) {
            return;
        }
        lastDrawn = percent;
        int width = 30;
        int filled = width * percent / 100;
        out.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total);
        if (done >= total) {
            out.println();
        }
        out.flush();
    }
}
