package org.attnfer.cli.internal;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.attnfer.nn.io.StoredTensor;
import org.attnfer.nn.io.TensorFiles;
import org.attnfer.nn.io.WeightFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fer weights}: look into weight files and convert them. */
@Command(
        name = "weights",
        description = {
            "Look into a weights file and convert it: PyTorch checkpoints (.pth, .pt, as torch.save writes",
            "them), safetensors and .npz. A whole training checkpoint is unwrapped to its state dict and a",
            "prefix every name carries (module.) is stripped, and both are said. Checkpoints are read by an",
            "unpickler that builds only tensors and dicts and refuses anything else by name."
        },
        subcommands = {WeightsCommand.Show.class, WeightsCommand.Convert.class})
final class WeightsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code fer weights show}. */
    @Command(name = "show", description = "List the tensors of a weights file: names, shapes, types and the total.")
    static final class Show implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "A .pth, .pt, .safetensors or .npz file.")
        Path file;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            WeightFile w = WeightFile.read(file);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("file", file.toString());
                doc.put("notes", w.notes());
                doc.put("values", w.count());
                List<Map<String, Object>> tensors = w.tensors().entrySet().stream()
                        .map(e -> Map.<String, Object>of(
                                "name", e.getKey(),
                                "dtype", e.getValue().dtype(),
                                "shape", e.getValue().tensor().shape()))
                        .toList();
                doc.put("tensors", tensors);
                Json.print(out, doc);
                return 0;
            }
            w.notes().forEach(n -> out.println("(" + n + ")"));
            Table t = new Table("NAME", "TYPE", "SHAPE", ">VALUES");
            for (Map.Entry<String, StoredTensor> e : w.tensors().entrySet()) {
                t.row(
                        e.getKey(),
                        e.getValue().dtype(),
                        Arrays.toString(e.getValue().tensor().shape()),
                        Table.count(e.getValue().tensor().data().length));
            }
            t.print(out);
            out.println(w.tensors().size() + " tensors, " + Table.count(w.count()) + " values");
            return 0;
        }
    }

    /** {@code fer weights convert}. */
    @Command(
            name = "convert",
            description =
                    "Write a weights file's state dict as safetensors (float32) or .npz, by the output's extension.")
    static final class Convert implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "A .pth, .pt, .safetensors or .npz file.")
        Path file;

        @Option(
                names = "--out",
                required = true,
                paramLabel = "OUT",
                description = "The file to write (.safetensors or .npz).")
        Path target;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            WeightFile w = WeightFile.read(file);
            PrintWriter out = spec.commandLine().getOut();
            w.notes().forEach(n -> out.println("(" + n + ")"));
            TensorFiles.write(target, w.values());
            out.println(
                    "Wrote " + w.tensors().size() + " tensors (" + Table.count(w.count()) + " values) to " + target);
            return 0;
        }
    }
}
