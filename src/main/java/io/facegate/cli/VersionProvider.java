package io.facegate.cli;

import picocli.CommandLine;

/** Reports the version baked into the jar's manifest (or "dev" when run from classes). */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"facegate " + (v == null ? "dev" : v)};
    }
}
