package org.attnfer.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Rules of the code base that a compiler cannot check. */
class SourceRulesIT {

    /**
     * DJL's {@code mul/div/pow(Number)} free their constant while autograd still holds it (see
     * {@code Ops.scale}); bundle code multiplies by constants through {@code Ops.scale} instead.
     */
    @Test
    void noConstantOperandsThatAutogradCouldReadAfterTheyAreFreed() throws IOException {
        Pattern unsafe = Pattern.compile(
                "\\.(mul|div|pow|muli|divi|powi)\\(\\s*(\\(float\\)|\\(double\\)|-?[0-9.]+[fFdDlL]?\\s*\\)|Math\\.)");
        List<String> found = new ArrayList<>();
        Path root = Path.of(System.getProperty("attnfer.root", "..")).resolve("bundles");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(
                            p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/"))
                    .toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (unsafe.matcher(lines.get(i)).find()) {
                        found.add(root.relativize(f) + ":" + (i + 1) + ": "
                                + lines.get(i).strip());
                    }
                }
            }
        }
        assertThat(found).as("use Ops.scale(x, c) for constants").isEmpty();
    }
}
