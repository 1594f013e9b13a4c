package org.attnfer.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A grid killed with SIGKILL in the middle of an epoch resumes where its last checkpoint left it:
 * the real {@code bin/fer} in processes of its own, the way a crash or an impatient user stops it.
 */
class ResumeIT {

    static final Path DIST = DistributionIT.DIST;

    @TempDir
    Path tmp;

    private static final String GRID = """
            name: resume
            dataset: {type: synthetic-faces, count: 280, size: 16, identities: 40}
            validation: 0.25
            input: {size: 16, channels: 1}
            variants:
              - {name: plain, model: resnet18}
              - {name: simam, model: resnet18+simam}
            seeds: [0, 1]
            training: {epochs: 6, batch_size: 16, lr: 0.01, workers: 1}
            """;

    private Process fer(Path experiment, String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                DIST.resolve("bin/fer").toString(),
                "run",
                experiment.toString(),
                "--output",
                tmp.resolve("runs").toString()));
        command.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("FER_HEAP", "2g");
        return pb.start();
    }

    @Test
    void aKilledGridResumesTheInterruptedRunAndSkipsFinishedOnes() throws Exception {
        Path experiment = Files.writeString(tmp.resolve("resume.yaml"), GRID);
        Process first = fer(experiment);
        StringBuilder seen = new StringBuilder();
        // the third cell (simam, seed 0), part-way through its second epoch
        Pattern midEpoch = Pattern.compile("epoch 2/6 +([1-9]\\d)% .*");
        boolean inThirdCell = false;
        boolean killed = false;
        try (BufferedReader in = first.inputReader(StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                seen.append(line).append('\n');
                inThirdCell |= line.startsWith("== simam") && line.contains(", seed 0,");
                if (inThirdCell && midEpoch.matcher(line).matches()) {
                    first.destroyForcibly();
                    killed = true;
                    break;
                }
            }
        }
        assertThat(first.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(killed).as(seen.toString()).isTrue();
        assertThat(first.exitValue()).isEqualTo(137);
        Path runs = tmp.resolve("runs");
        assertThat(runs.resolve("plain/seed-0/metrics.json")).exists();
        assertThat(runs.resolve("plain/seed-1/metrics.json")).exists();
        assertThat(runs.resolve("simam/seed-0")).doesNotExist();
        assertThat(runs.resolve("simam/.seed-0.partial/last.ckpt.safetensors")).exists();

        // the rerun finishes the grid in two processes at a time
        Process second = fer(experiment, "--parallel", "2");
        String output = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(second.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(second.exitValue()).as(output).isZero();
        assertThat(output)
                .containsPattern("\\[simam seed 0\\]    resuming after epoch [12]\\b")
                .contains("(2 processes at a time)")
                .containsPattern("plain +0 .*\\(done before\\)")
                .containsPattern("plain +1 .*\\(done before\\)");
        assertThat(output).doesNotContain("[plain seed");
        assertThat(output.lines().filter(l -> l.startsWith("[simam seed 1] epoch 1/6 train loss")))
                .hasSize(1);
        List<String> epochs = Files.readAllLines(runs.resolve("simam/seed-0/epochs.csv"));
        assertThat(epochs).hasSize(7);
        for (int e = 1; e <= 6; e++) {
            assertThat(epochs.get(e)).startsWith(e + ",");
        }
        assertThat(runs.resolve("simam/seed-1/metrics.json")).exists();
        assertThat(runs.resolve("simam")).isDirectoryNotContaining("glob:**.partial");
    }
}
