package org.attnfer.cli.internal;

import picocli.CommandLine;

/** The version of the command-line bundle. */
final class Version implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String v = Version.class.getPackage().getImplementationVersion();
        return new String[] {"AttnFER " + (v == null ? "(development)" : v)};
    }
}
