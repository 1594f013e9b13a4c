package org.attnfer.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study on a real Slurm: Debian's slurm-wlm, started as plain processes on this machine by
 * {@code slurm-single-node.sh} (as root, without systemd). Where Slurm is not installed or cannot
 * start, these tests are reported skipped with the reason; .ci/run installs it where it can.
 */
class SlurmIT {

    @TempDir
    static Path slurm;

    static String conf;
    static String skip;

    @BeforeAll
    static void startSlurm() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/sbin/slurmctld")) || !Files.isExecutable(Path.of("/usr/sbin/munged"))) {
            skip = "Debian's slurm-wlm and munge are not installed (apt install slurm-wlm)";
            return;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            skip = "starting Slurm's daemons needs root";
            return;
        }
        Path script = slurm.resolve("slurm-single-node.sh");
        try (var in = SlurmIT.class.getResourceAsStream("/slurm-single-node.sh")) {
            Files.copy(in, script);
        }
        Process p = new ProcessBuilder(
                        "sh",
                        script.toString(),
                        "start",
                        slurm.resolve("cluster").toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            skip = "Slurm did not start: " + out.strip();
            return;
        }
        conf = out.lines()
                .filter(l -> l.startsWith("SLURM_CONF="))
                .findFirst()
                .orElseThrow()
                .substring(11);
    }

    @AfterAll
    static void stopSlurm() throws Exception {
        if (conf != null) {
            new ProcessBuilder(
                            "sh",
                            slurm.resolve("slurm-single-node.sh").toString(),
                            "stop",
                            slurm.resolve("cluster").toString())
                    .start()
                    .waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void requireSlurm() {
        if (skip != null) {
            System.err.println("SKIPPED: " + skip);
        }
        assumeTrue(skip == null, skip);
    }

    @TempDir
    Path tmp;

    private Map<String, String> env(String... more) {
        return ClusterIT.env(tmp.resolve("routes"), concat("SLURM_CONF", conf, more));
    }

    private static String[] concat(String k, String v, String... more) {
        String[] all = new String[more.length + 2];
        all[0] = k;
        all[1] = v;
        System.arraycopy(more, 0, all, 2, more.length);
        return all;
    }

    private static String slurm(String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SLURM_CONF", conf);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    @Test
    void aStudyRunsAsAJobArrayThenItsReportAndMatchesOneMachineCellForCell() throws Exception {
        requireSlurm();
        Path file = ClusterIT.study(tmp, 2, 160);
        Path out = tmp.resolve("on-slurm");
        long start = System.nanoTime();
        ClusterIT.Run r = ClusterIT.fer(
                env(),
                "slurm",
                file.toString(),
                "--output",
                out.toString(),
                "--cpus-per-task",
                "1",
                "--time",
                "00:20:00",
                "--submit",
                "--wait",
                "--poll",
                "1");
        System.err.printf("4-cell Slurm study: %.1f s%n", (System.nanoTime() - start) / 1e9);
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(r.output()).contains("Submitted: cells job", "All 4 cells complete");
        assertThat(out.resolve("report/index.html")).exists();
        assertThat(out.resolve("slurm/cells.sbatch"))
                .content()
                .contains(
                        "#SBATCH --array=0-3",
                        "#SBATCH --signal=B:TERM@120",
                        "#SBATCH --requeue",
                        "exec ",
                        " --cell \"$SLURM_ARRAY_TASK_ID\"",
                        "export FER_THREADS=${SLURM_CPUS_PER_TASK:-1}");
        for (int k = 0; k < 4; k++) {
            assertThat(out.resolve("slurm/logs/cell-" + k + ".log")).content().contains("accuracy");
        }
        JsonNode status = ClusterIT.JSON.readTree(
                ClusterIT.fer(env(), "status", out.toString(), "--json").output());
        assertThat(status.path("counts").path("complete").asInt()).isEqualTo(4);
        assertThat(status.path("jobs").path("cells").asText()).isNotEmpty();
        assertThat(status.path("jobs").path("report").asText()).isNotEmpty();
        // the same study on this machine, one thread per cell as the tasks had: the same numbers
        Path local = tmp.resolve("here");
        ClusterIT.Run here = ClusterIT.fer(
                env("FER_THREADS", "1"),
                "run",
                out.resolve("slurm/study.yaml").toString(),
                "--output",
                local.toString());
        assertThat(here.code()).as(here.output()).isZero();
        for (String cell : List.of("R18/seed-0", "R18/seed-1", "R18+SimAM/seed-0", "R18+SimAM/seed-1")) {
            assertThat(Files.readString(local.resolve(cell).resolve("predictions.csv")))
                    .as(cell)
                    .isEqualTo(Files.readString(out.resolve(cell).resolve("predictions.csv")));
        }
    }

    @Test
    void aCellStoppedBySigtermRequeuesItselfAndEndsAsAnUninterruptedRun() throws Exception {
        requireSlurm();
        Path file = ClusterIT.study(tmp, 6, 400);
        Path out = tmp.resolve("requeued");
        long start = System.nanoTime();
        ClusterIT.Run r = ClusterIT.fer(
                env(),
                "slurm",
                file.toString(),
                "--output",
                out.toString(),
                "--cpus-per-task",
                "1",
                "--set",
                "seeds=[0]",
                "--set",
                "variants=[{name: R18, model: " + "{backbone: resnet18, stem: small, width: 0.25}}]",
                "--submit");
        assertThat(r.code()).as(r.output()).isZero();
        String array = ClusterIT.JSON
                .readTree(out.resolve("slurm/jobs.json").toFile())
                .path("cells")
                .asText();
        String task = array + "_0";
        Path epochs = out.resolve("R18/.seed-0.partial/epochs.csv");
        waitUntil(
                () -> Files.isRegularFile(epochs) && Files.readAllLines(epochs).size() >= 3, 300);
        // what Slurm sends before a time limit: SIGTERM to the batch step, which exec made the JVM
        slurm("scancel", "--batch", "--signal=TERM", task);
        Path log = out.resolve("slurm/logs/cell-0.log");
        waitUntil(() -> Files.readString(log).contains("asked Slurm to requeue job"), 120);
        // the requeued job starts again by itself once its old credential has expired (cred_expire, 10 s
        // in the test cluster); starting it earlier races the node's cleanup ("Job credential revoked")
        waitUntil(() -> Files.isRegularFile(out.resolve("R18/seed-0/metrics.json")), 600);
        System.err.printf("requeued cell: %.1f s%n", (System.nanoTime() - start) / 1e9);
        assertThat(Files.readString(log)).contains("stopping after the current step", "stopped in epoch", "and step");
        JsonNode manifest =
                ClusterIT.JSON.readTree(out.resolve("R18/seed-0/manifest.json").toFile());
        assertThat(manifest.path("resumed_after_epoch").asInt()).isPositive();
        Path straight = tmp.resolve("straight");
        ClusterIT.Run here = ClusterIT.fer(
                env("FER_THREADS", "1"),
                "run",
                out.resolve("slurm/study.yaml").toString(),
                "--output",
                straight.toString());
        assertThat(here.code()).as(here.output()).isZero();
        assertThat(Files.readString(out.resolve("R18/seed-0/predictions.csv")))
                .isEqualTo(Files.readString(straight.resolve("R18/seed-0/predictions.csv")));
    }

    @FunctionalInterface
    interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitUntil(Condition c, int seconds) throws Exception {
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        while (!c.holds()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("not within " + seconds + " s; queue: " + slurm("squeue"));
            }
            Thread.sleep(500);
        }
    }
}
