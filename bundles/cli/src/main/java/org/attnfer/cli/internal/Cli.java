package org.attnfer.cli.internal;

import com.google.inject.Injector;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import org.attnfer.experiment.CellLock;
import picocli.CommandLine;

/** Runs the {@code fer} command line; failures end in one line naming the problem. */
final class Cli {

    private Cli() {}

    static int run(Injector injector, String[] args) {
        return run(
                injector,
                args,
                new PrintWriter(new OutputStreamWriter(System.out, Charset.defaultCharset()), true),
                new PrintWriter(new OutputStreamWriter(System.err, Charset.defaultCharset()), true));
    }

    static int run(Injector injector, String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(FerCommand.class, new GuiceFactory(injector));
        cli.setOut(out);
        cli.setErr(err);
        cli.getSubcommands().get("run").getCommandSpec().usageMessage().footer(RunCommand.keys());
        addHelp(cli);
        // a wrong option is one line and a pointer to the help, not the whole usage text
        cli.setParameterExceptionHandler((e, args1) -> {
            CommandLine at = e.getCommandLine();
            at.getErr().println(at.getCommandSpec().qualifiedName() + ": " + Failures.message(e));
            at.getErr().println("(" + at.getCommandSpec().qualifiedName(" ") + " --help shows the options)");
            at.getErr().flush();
            return at.getCommandSpec().exitCodeOnInvalidInput();
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Throwable cause = Failures.root(e);
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + Failures.message(cause));
            if (System.getenv("FER_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return cause instanceof CellLock.HeldException ? CellLock.HeldException.EXIT_CODE : 1;
        });
        try {
            return cli.execute(args);
        } catch (VirtualMachineError e) {
            // out of memory or stack, possibly outside a command's own code
            err.println("fer: " + Failures.message(e) + " (running: fer " + String.join(" ", args) + ")");
            err.flush();
            return 1;
        }
    }

    /**
     * {@code -h, --help} on every subcommand, however deep (the top command has it with --version),
     * and descriptions reflowed to the help's width.
     */
    private static void addHelp(CommandLine command) {
        CommandLine.Model.UsageMessageSpec usage = command.getCommandSpec().usageMessage();
        usage.description(reflow(usage.description()));
        for (CommandLine sub : command.getSubcommands().values()) {
            sub.getCommandSpec().addMixin("help", CommandLine.Model.CommandSpec.forAnnotatedObject(new HelpOption()));
            addHelp(sub);
        }
    }

    /**
     * Joins source lines into paragraphs, which picocli then wraps at the help's width: descriptions
     * are written as arrays of source-width lines, and picocli takes each element for a line of its
     * own. Empty lines separate paragraphs; indented lines stay lines; the first sentence stands
     * alone as the summary.
     */
    static String[] reflow(String[] lines) {
        List<String> out = new ArrayList<>();
        StringBuilder paragraph = new StringBuilder();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith(" ")) {
                if (paragraph.length() > 0) {
                    out.add(paragraph.toString());
                    paragraph.setLength(0);
                }
                out.add(line);
            } else {
                paragraph.append(paragraph.length() > 0 ? " " : "").append(line.strip());
            }
        }
        if (paragraph.length() > 0) {
            out.add(paragraph.toString());
        }
        // the first sentence on a line of its own: picocli lists commands by their first line
        if (!out.isEmpty()) {
            String[] first = out.get(0).split("(?<=\\.) (?=[A-Z])", 2);
            if (first.length == 2) {
                out.set(0, first[0]);
                out.add(1, first[1]);
            }
        }
        return out.toArray(String[]::new);
    }

    @CommandLine.Command
    private static final class HelpOption {
        @CommandLine.Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "Show this help and exit.")
        @SuppressWarnings("UnusedVariable") // picocli reads it
        boolean help;
    }

    /** Commands are made by Guice, picocli's own helpers by picocli. */
    private static final class GuiceFactory implements CommandLine.IFactory {
        private final Injector injector;

        GuiceFactory(Injector injector) {
            this.injector = injector;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            return cls.getPackageName().equals(Cli.class.getPackageName())
                    ? injector.getInstance(cls)
                    : CommandLine.defaultFactory().create(cls);
        }
    }
}
