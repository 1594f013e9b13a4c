package org.attnfer.experiment;

import ai.djl.engine.Engine;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.attnfer.composer.Composition;
import org.attnfer.nn.ComputeSettings;
import org.attnfer.train.Trainer;

/**
 * What a run folder records about its run: {@code spec.resolved.yaml}, the settings it trained
 * with, enough to train it again, and {@code manifest.json}, what it ran on: data fingerprint,
 * versions with the commit, hardware, compute settings and routes, times.
 */
final class RunDocuments {

    private RunDocuments() {}

    /** {@code spec.resolved.yaml}. */
    static Map<String, Object> spec(Experiment e, Variant v, Composition c, long seed) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("experiment", e.name());
        spec.put("variant", v.name());
        spec.put("model", c.spec().shorthand());
        spec.put("stem", c.backbone().stem());
        spec.put("width", c.backbone().width());
        spec.put("seed", seed);
        spec.put(
                "dataset",
                Map.of("type", e.dataset().type(), "options", e.dataset().options()));
        if (e.test() != null) {
            spec.put("test", Map.of("type", e.test().type(), "options", e.test().options()));
        }
        if (e.validationSet() != null) {
            spec.put(
                    "validation",
                    Map.of(
                            "type",
                            e.validationSet().type(),
                            "options",
                            e.validationSet().options()));
        } else {
            spec.put("validation", e.validation());
            spec.put("split_seed", e.splitSeed());
            spec.put("split_by", e.splitBy().name().toLowerCase(Locale.ROOT));
        }
        spec.put("input", StudyFiles.inputDoc(e.input()));
        spec.put("training", v.training());
        if (v.init() != null) {
            spec.put(
                    "init",
                    Map.of(
                            "weights",
                            v.init().weights().toString(),
                            "prefix",
                            v.init().prefix(),
                            "skip",
                            v.init().skip()));
        }
        return spec;
    }

    /** {@code manifest.json}, without what is known only after the model is closed. */
    static Map<String, Object> manifest(
            Plan plan, Cell cell, Composition c, long parameters, Instant started, Trainer.Outcome outcome) {
        Variant v = cell.variant();
        long seed = cell.seed();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "complete");
        m.put("experiment", plan.experiment().name());
        m.put("cell", cell.index());
        m.put("variant", v.name());
        // the variant's model as the experiment spells it: a run folder is never taken for another model's
        m.put("variant_model", v.model().shorthand());
        m.put("model", c.spec().shorthand());
        m.put("description", c.spec().describe());
        m.put("stem", c.backbone().stem());
        m.put("width", c.backbone().width());
        m.put("seed", seed);
        m.put("parameters", parameters);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("description", plan.dataset().describe());
        data.put("fingerprint", plan.dataset().fingerprint());
        data.put("size", plan.dataset().size());
        data.put("classes", plan.dataset().classes());
        data.put("train", plan.split().train().length);
        data.put("validation", plan.split().validation().length);
        data.put("split", plan.split().how());
        if (plan.test() != null) {
            data.put(
                    "test",
                    Map.of(
                            "description",
                            plan.test().describe(),
                            "size",
                            plan.test().size(),
                            "fingerprint",
                            String.valueOf(plan.test().fingerprint())));
        }
        m.put("dataset", data);
        Map<String, Object> versions = new LinkedHashMap<>();
        // the bundle's Implementation-Version: the project version and the commit built (parent pom)
        String version = RunDocuments.class.getPackage().getImplementationVersion();
        versions.put("attnfer", version == null ? "unknown (classes outside a built bundle)" : version);
        versions.put("djl", Engine.getDjlVersion());
        versions.put(
                "engine",
                Engine.getInstance().getEngineName() + " "
                        + Engine.getInstance().getVersion());
        versions.put("java", System.getProperty("java.version"));
        m.put("versions", versions);
        m.put(
                "hardware",
                Map.of(
                        "cores",
                        Runtime.getRuntime().availableProcessors(),
                        "os",
                        System.getProperty("os.name") + " " + System.getProperty("os.version"),
                        "arch",
                        System.getProperty("os.arch"),
                        "max_heap_mb",
                        Runtime.getRuntime().maxMemory() >> 20));
        m.put("compute", ComputeSettings.describe());
        m.put("started", started.toString());
        m.put("finished", Instant.now().toString());
        m.put("host", CellLock.host());
        m.put("resumed_after_epoch", outcome.resumedAfter());
        return m;
    }
}
