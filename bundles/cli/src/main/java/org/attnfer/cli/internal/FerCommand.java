package org.attnfer.cli.internal;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top command. */
@Command(
        name = "fer",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {
            "AttnFER: facial emotion recognition with attention modules.",
            "Compose a backbone with attention modules supplied by bundles, train and compare them.",
            "",
            "Models are named by a shorthand: backbone then modules in order, each at its default hook,",
            "e.g. resnet50+simam+ca, resnet18+ca(reduction=8)[3,4], resnet50+simam@bottleneck.after_conv2."
        },
        subcommands = {
            DemoCommand.class,
            RunCommand.class,
            StatusCommand.class,
            SlurmCommand.class,
            KubernetesCommand.class,
            ReportCommand.class,
            EvaluateCommand.class,
            CompareCommand.class,
            PredictCommand.class,
            DataCommand.class,
            ModulesCommand.class,
            InspectCommand.class,
            ForwardCommand.class,
            WeightsCommand.class,
            BenchCommand.class,
            PluginsCommand.class,
            WatchCommand.class,
            FeaturesCommand.class
        },
        footer = {
            "",
            "Run 'fer <command> --help' for a command's options. Set FER_DEBUG=1 for stack traces.",
            "",
            "Environment:",
            "  FER_THREADS    compute threads (default: all cores)",
            "  FER_HEAP       Java heap (default: 8g)",
            "  FER_LAYOUT     activations while training: nhwc (default) or nchw",
            "  FER_CONV       training convolutions: auto (default: the route measured",
            "                 fastest and correct per shape; fer bench routes), onednn or gemm",
            "  FER_ROUTES     measure (default) or fixed (no measuring)",
            "  FER_ROUTES_CACHE  where measured routes are kept (default: ~/.cache/attnfer/routes)",
            "  FER_MKL        auto (default: MKL's vendor shim where measured faster), shim or",
            "                 generic",
            "  FER_JAVA_OPTS  more JVM options",
            "  DJL_CACHE_DIR  where libtorch is unpacked (default: ~/.cache/attnfer/djl)"
        })
final class FerCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
