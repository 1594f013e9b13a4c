package org.attnfer.cli.internal;

import com.google.inject.Injector;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.attnfer.experiment.Experiment;
import org.attnfer.experiment.Plan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fer k8s}: a study as a Kubernetes Indexed Job and a report Job. */
@Command(
        name = "k8s",
        description = {
            "Write a study's Kubernetes manifests: an Indexed Job with one completion per cell (each pod runs fer run "
                    + "STUDY --cell $(JOB_COMPLETION_INDEX)) and a report Job to apply when it has completed.",
            "The experiment is checked and frozen into OUTPUT/k8s/study.yaml. The pods mount a ReadWriteMany volume "
                    + "claim at the same path as the output folder's parent here, so that the study's paths hold in "
                    + "them; datasets must lie on it too. Nothing is applied: kubectl apply -f OUTPUT/k8s/cells.yaml."
        })
final class KubernetesCommand implements Callable<Integer> {

    @Mixin
    FrozenStudy frozenStudy;

    @Option(names = "--image", required = true, description = "The container image with AttnFER in it.")
    String image;

    @Option(names = "--claim", required = true, description = "The ReadWriteMany persistent volume claim.")
    String claim;

    @Option(
            names = "--mount",
            paramLabel = "PATH",
            description = "Where the claim is mounted in the pods (default: the output folder's parent).")
    Path mount;

    @Option(
            names = "--fer",
            paramLabel = "COMMAND",
            defaultValue = "fer",
            description = "AttnFER's launcher in the image (default: ${DEFAULT-VALUE}).")
    String fer;

    @Option(
            names = "--parallelism",
            paramLabel = "P",
            converter = Bounds.AtLeastOne.class,
            defaultValue = "4",
            description = "Pods at once (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--retries",
            paramLabel = "N",
            converter = Bounds.AtLeastZero.class,
            defaultValue = "2",
            description = "Retries of a failed cell (backoffLimitPerIndex, default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(
            names = "--cpus",
            defaultValue = "2",
            description = "CPU request and limit per pod (default: ${DEFAULT-VALUE}).")
    String cpus;

    @Option(
            names = "--memory",
            defaultValue = "8Gi",
            description = "Memory request and limit per pod (default: ${DEFAULT-VALUE}).")
    String memory;

    @Spec
    CommandSpec spec;

    private final Injector injector;

    @Inject
    KubernetesCommand(Injector injector) {
        this.injector = injector;
    }

    @Override
    public Integer call() throws Exception {
        FrozenStudy.Frozen frozen = frozenStudy.freeze(injector, "k8s");
        Experiment experiment = frozen.experiment();
        Plan plan = frozen.plan();
        Path out = frozen.output();
        Path study = frozen.study();
        Path dir = study.getParent();
        Path mountPath = mount != null ? mount : out.getParent();
        String name = ("fer-" + experiment.name()).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-");
        int cells = plan.cells().size();
        Map<String, Object> cellsJob = job(
                name + "-cells",
                List.of(fer, "run", study.toString(), "--cell", "$(JOB_COMPLETION_INDEX)"),
                Map.of(
                        "completionMode", "Indexed",
                        "completions", cells,
                        "parallelism", Math.min(parallelism, cells),
                        "backoffLimitPerIndex", retries,
                        "maxFailedIndexes", cells),
                mountPath,
                true);
        Map<String, Object> reportJob = job(
                name + "-report",
                List.of(fer, "report", out.toString()),
                Map.of("backoffLimit", retries),
                mountPath,
                false);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cells.yaml"), Yaml.text(cellsJob));
        Files.writeString(dir.resolve("report.yaml"), Yaml.text(reportJob));
        PrintWriter o = spec.commandLine().getOut();
        o.println("Study " + experiment.name() + ": " + cells + " cells → " + out);
        o.println("  kubectl apply -f " + dir.resolve("cells.yaml"));
        o.println("  kubectl wait --for=condition=complete --timeout=-1s job/" + name + "-cells");
        o.println("  kubectl apply -f " + dir.resolve("report.yaml"));
        o.println("Follow with: fer status " + out);
        return 0;
    }

    private Map<String, Object> job(
            String name, List<String> command, Map<String, Object> jobSpec, Path mountPath, boolean indexed) {
        Map<String, Object> container = new LinkedHashMap<>();
        container.put("name", indexed ? "cell" : "report");
        container.put("image", image);
        container.put("command", command);
        List<Map<String, Object>> env = new ArrayList<>();
        if (indexed) {
            // the index as an environment variable that the command's $(...) can name
            env.add(Map.of(
                    "name",
                    "JOB_COMPLETION_INDEX",
                    "valueFrom",
                    Map.of(
                            "fieldRef",
                            Map.of("fieldPath", "metadata.annotations['batch.kubernetes.io/job-completion-index']"))));
        }
        env.add(Map.of("name", "FER_THREADS", "value", cpus));
        container.put("env", env);
        Map<String, Object> resources = Map.of("cpu", cpus, "memory", memory);
        container.put("resources", Map.of("requests", resources, "limits", resources));
        container.put("volumeMounts", List.of(Map.of("name", "study", "mountPath", mountPath.toString())));
        Map<String, Object> pod = new LinkedHashMap<>();
        pod.put("restartPolicy", "Never");
        pod.put("containers", List.of(container));
        pod.put("volumes", List.of(Map.of("name", "study", "persistentVolumeClaim", Map.of("claimName", claim))));
        Map<String, Object> spec = new LinkedHashMap<>(jobSpec);
        spec.put("template", Map.of("spec", pod));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("apiVersion", "batch/v1");
        doc.put("kind", "Job");
        doc.put("metadata", Map.of("name", name, "labels", Map.of("app.kubernetes.io/name", "attnfer")));
        doc.put("spec", spec);
        return doc;
    }
}
