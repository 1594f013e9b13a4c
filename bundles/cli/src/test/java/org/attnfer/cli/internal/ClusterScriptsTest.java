package org.attnfer.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.attnfer.experiment.Cell;
import org.junit.jupiter.api.Test;

/** Shards of a grid and the Slurm scripts, as text, for the options a user sets. */
class ClusterScriptsTest {

    private static List<Cell> cells(int n) {
        return IntStream.range(0, n)
                .mapToObj(i -> new Cell(i, i / 3, null, i % 3))
                .toList();
    }

    @Test
    void shardsCoverEveryCellExactlyOnce() {
        for (int cells : new int[] {1, 7, 12}) {
            for (int n : new int[] {1, 2, 3, 5}) {
                List<Integer> covered = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    Shard shard = new Shard.Converter().convert(i + "/" + n);
                    shard.of(cells(cells)).forEach(c -> {
                        assertThat(c.index() % n).isEqualTo(shard.index());
                        covered.add(c.index());
                    });
                }
                assertThat(covered)
                        .as("%d cells in %d shards", cells, n)
                        .containsExactlyInAnyOrderElementsOf(
                                IntStream.range(0, cells).boxed().toList());
            }
        }
        for (String bad : new String[] {"2/2", "-1/3", "1", "a/b", "1/0"}) {
            assertThatThrownBy(() -> new Shard.Converter().convert(bad)).hasMessageContaining("is not I/N");
        }
    }

    @Test
    void theArrayScriptExecsOneCellPerTaskWithWhatTheUserSet() {
        SlurmScripts.Options options = new SlurmScripts.Options(
                "/opt/attnfer/bin/fer", "cpu", "lab", "04:00:00", 8, "16G", null, "1", 3, 0, List.of("--qos=long"));
        SlurmScripts s = new SlurmScripts(
                "grid", Path.of("/shared/runs/grid/slurm/study.yaml"), Path.of("/shared/runs/grid"), 12, options);
        String cells = s.cellsScript();
        assertThat(cells.lines().toList())
                .startsWith("#!/bin/bash")
                .contains(
                        "#SBATCH --array=0-11%3",
                        "#SBATCH --output=/shared/runs/grid/slurm/logs/cell-%a.log",
                        "#SBATCH --signal=B:TERM@120",
                        "#SBATCH --requeue",
                        "#SBATCH --partition=cpu",
                        "#SBATCH --account=lab",
                        "#SBATCH --time=04:00:00",
                        "#SBATCH --cpus-per-task=8",
                        "#SBATCH --mem=16G",
                        "#SBATCH --gpus=1",
                        "#SBATCH --qos=long",
                        "export FER_THREADS=${SLURM_CPUS_PER_TASK:-1}",
                        "export FER_SLURM_REQUEUE=1",
                        "exec /opt/attnfer/bin/fer run '/shared/runs/grid/slurm/study.yaml' --cell \"$SLURM_ARRAY_TASK_ID\"")
                .noneMatch(l -> l.startsWith("#SBATCH --gres"));
        assertThat(s.reportScript().lines().toList())
                .contains("exec /opt/attnfer/bin/fer report '/shared/runs/grid'", "#SBATCH --partition=cpu")
                .noneMatch(l -> l.contains("--array") || l.contains("--requeue"));
        SlurmScripts sharded = new SlurmScripts(
                "grid",
                Path.of("/s/study.yaml"),
                Path.of("/s"),
                2000,
                new SlurmScripts.Options("fer", null, null, null, 2, null, null, null, 0, 4, List.of()));
        assertThat(sharded.cellsScript())
                .contains("#SBATCH --array=0-3\n", "--shard \"$SLURM_ARRAY_TASK_ID/4\"")
                .doesNotContain("--cell");
        assertThat(SlurmScripts.quote("it's")).isEqualTo("'it'\\''s'");
    }
}
