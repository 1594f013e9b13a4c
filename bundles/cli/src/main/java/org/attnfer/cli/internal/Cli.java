package org.attnfer.cli.internal;

import com.google.inject.Injector;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Runs the {@code fer} command line; failures end in one line naming the problem. */
final class Cli {

    private Cli() {}

    static int run(Injector injector, String[] args) {
        return run(injector, args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    }

    static int run(Injector injector, String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(FerCommand.class, new GuiceFactory(injector));
        cli.setOut(out);
        cli.setErr(err);
        cli.getSubcommands().get("run").getCommandSpec().usageMessage().footer(RunCommand.keys());
        addHelp(cli);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("fer " + commandLine.getCommandName() + ": " + message(e));
            if (System.getenv("FER_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return 1;
        });
        return cli.execute(args);
    }

    /** {@code -h, --help} on every subcommand, however deep (the top command has it with --version). */
    private static void addHelp(CommandLine command) {
        for (CommandLine sub : command.getSubcommands().values()) {
            sub.getCommandSpec().addMixin("help", CommandLine.Model.CommandSpec.forAnnotatedObject(new HelpOption()));
            addHelp(sub);
        }
    }

    @CommandLine.Command
    private static final class HelpOption {
        @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
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
