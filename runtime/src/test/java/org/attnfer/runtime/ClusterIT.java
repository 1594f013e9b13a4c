package org.attnfer.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A study's cells as separate processes: the cell lock between them, and the Kubernetes manifests. */
class ClusterIT {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** A small study on the embedded benchmark: two variants, two seeds, tiny networks. */
    static Path study(Path dir, int epochs, int count) throws IOException {
        return Files.writeString(dir.resolve("study.yaml"), """
                name: tiny-grid
                dataset: {type: synthetic-faces, count: %d, seed: 3}
                test: {type: synthetic-faces, split: test, count: 60, seed: 3}
                validation: 0.2
                input: {size: 24, channels: 1}
                variants:
                  - {name: R18, model: {backbone: resnet18, stem: small, width: 0.25}}
                  - {name: R18+SimAM, model: {backbone: resnet18, stem: small, width: 0.25, modules: [simam]}}
                seeds: [0, 1]
                training: {epochs: %d, batch_size: 16, optimizer: adamw, lr: 0.003, workers: 1}
                """.formatted(count, epochs));
    }

    /** Result of a process: exit code and its output and error together. */
    record Run(int code, String output) {}

    /** Runs bin/fer with extra environment and waits for it. */
    static Run fer(Map<String, String> env, String... args) throws Exception {
        Process p = start(env, args);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        return new Run(p.exitValue(), out);
    }

    static Process start(Map<String, String> env, String... args) throws IOException {
        List<String> command =
                new ArrayList<>(List.of(DistributionIT.DIST.resolve("bin/fer").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        return pb.start();
    }

    @Test
    void aCellIsTrainedByOneProcessAndAnotherSaysWhoHoldsIt() throws Exception {
        Path file = study(tmp, 30, 400);
        Path out = tmp.resolve("runs");
        Map<String, String> env = Map.of("FER_THREADS", "1");
        Process first = start(env, "run", file.toString(), "--output", out.toString(), "--cell", "2");
        try {
            Path lock = out.resolve("R18+SimAM/.seed-0.lock");
            for (int i = 0; i < 600 && !Files.exists(lock); i++) {
                Thread.sleep(100);
            }
            assertThat(lock).exists();
            Run second = fer(env, "run", file.toString(), "--output", out.toString(), "--cell", "2");
            assertThat(second.code()).as(second.output()).isEqualTo(75);
            assertThat(second.output()).contains(".seed-0.lock is held by", "process " + first.pid());
            Run status = fer(Map.of(), "status", out.toString(), "--json");
            JsonNode doc = JSON.readTree(status.output());
            assertThat(doc.path("counts").path("running").asInt()).isEqualTo(1);
            assertThat(doc.path("counts").path("pending").asInt()).isEqualTo(3);
            assertThat(doc.path("cells").get(2).path("detail").asText()).contains("process " + first.pid());
        } finally {
            first.destroy();
            first.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void theDryRunListsEveryCellWithItsIndexAndAnOutOfRangeCellIsRefused() throws Exception {
        Path file = study(tmp, 1, 120);
        Run dry = fer(Map.of(), "run", file.toString(), "--dry-run");
        assertThat(dry.code()).as(dry.output()).isZero();
        assertThat(dry.output())
                .contains(
                        "    0  R18 seed 0", "    1  R18 seed 1", "    2  R18+SimAM seed 0", "    3  R18+SimAM seed 1");
        Run bad = fer(Map.of(), "run", file.toString(), "--cell", "4");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.output()).contains("--cell 4: the grid has cells 0 to 3");
        Run badShard = fer(Map.of(), "run", file.toString(), "--shard", "3/3");
        assertThat(badShard.code()).isNotZero();
        assertThat(badShard.output()).contains("'3/3' is not I/N with 0 ≤ I < N");
    }

    @Test
    void theKubernetesManifestsAreAnIndexedJobOverTheCellsAndAReportJob() throws Exception {
        Path file = study(tmp, 1, 120);
        Path out = tmp.resolve("k8s-runs");
        Run r = fer(
                Map.of(),
                "k8s",
                file.toString(),
                "--output",
                out.toString(),
                "--image",
                "registry.example/attnfer:1",
                "--claim",
                "studies",
                "--parallelism",
                "3");
        assertThat(r.code()).as(r.output()).isZero();
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Job cells = yaml.readValue(out.resolve("k8s/cells.yaml").toFile(), Job.class);
        assertThat(cells.getApiVersion()).isEqualTo("batch/v1");
        assertThat(cells.getKind()).isEqualTo("Job");
        assertThat(cells.getSpec().getCompletionMode()).isEqualTo("Indexed");
        assertThat(cells.getSpec().getCompletions()).isEqualTo(4);
        assertThat(cells.getSpec().getParallelism()).isEqualTo(3);
        assertThat(cells.getSpec().getBackoffLimitPerIndex()).isEqualTo(2);
        Container c = cells.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("registry.example/attnfer:1");
        assertThat(c.getCommand())
                .containsExactly(
                        "fer", "run", out.resolve("k8s/study.yaml").toString(), "--cell", "$(JOB_COMPLETION_INDEX)");
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("JOB_COMPLETION_INDEX");
            assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                    .isEqualTo("metadata.annotations['batch.kubernetes.io/job-completion-index']");
        });
        assertThat(c.getVolumeMounts().get(0).getMountPath())
                .isEqualTo(out.getParent().toString());
        assertThat(cells.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getVolumes()
                        .get(0)
                        .getPersistentVolumeClaim()
                        .getClaimName())
                .isEqualTo("studies");
        assertThat(cells.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
        Job report = yaml.readValue(out.resolve("k8s/report.yaml").toFile(), Job.class);
        assertThat(report.getSpec().getCompletionMode()).isNull();
        assertThat(report.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getCommand())
                .containsExactly("fer", "report", out.toString());
        // the frozen study runs the same grid from anywhere
        Run dry = fer(Map.of(), "run", out.resolve("k8s/study.yaml").toString(), "--dry-run");
        assertThat(dry.output()).contains("output: " + out, "    3  R18+SimAM seed 1");
    }

    /** The environment of a process that uses the test's own route cache. */
    static Map<String, String> env(Path routes, String... more) {
        Map<String, String> env = new HashMap<>(Map.of("FER_ROUTES_CACHE", routes.toString()));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }
}
