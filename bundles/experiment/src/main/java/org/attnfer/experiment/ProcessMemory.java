package org.attnfer.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory as Linux reports it in {@code /proc/self/status}; −1 elsewhere. */
public final class ProcessMemory {

    private ProcessMemory() {}

    /** The resident set now (VmRSS), in MB. */
    public static long residentMb() {
        return field("VmRSS:");
    }

    /** The largest resident set so far (VmHWM), in MB. */
    public static long peakResidentMb() {
        return field("VmHWM:");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
