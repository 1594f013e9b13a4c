package org.attnfer.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
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
        assertThat(linesMatching(unsafe, path -> true))
                .as("use Ops.scale(x, c) for constants")
                .isEmpty();
    }

    /** What depends on DJL's PyTorch engine rather than its engine-neutral API lives in one package. */
    @Test
    void onlyOnePackageReachesDjlsPytorchEngine() throws IOException {
        Pattern engine = Pattern.compile("^import (static )?ai\\.djl\\.pytorch\\.");
        assertThat(linesMatching(engine, path -> !path.contains("/org/attnfer/nn/pytorch/")))
                .as("only org.attnfer.nn.pytorch imports ai.djl.pytorch")
                .isEmpty();
    }

    /** The lines of bundle sources (main code) that match {@code pattern}, in files {@code include} accepts. */
    private static List<String> linesMatching(Pattern pattern, Predicate<String> include) throws IOException {
        List<String> found = new ArrayList<>();
        Path root = Path.of(System.getProperty("attnfer.root", "..")).resolve("bundles");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")
                            && p.toString().contains("/src/main/")
                            && include.test(p.toString()))
                    .toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (pattern.matcher(lines.get(i)).find()) {
                        found.add(root.relativize(f) + ":" + (i + 1) + ": "
                                + lines.get(i).strip());
                    }
                }
            }
        }
        return found;
    }
}
