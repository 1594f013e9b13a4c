package org.attnfer.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The lock of one cell, so that many processes on many hosts can work in one output folder and no
 * two train the same cell. It is a file beside the cell's run folder, made with an exclusive create
 * (atomic on local disks and on NFS v3 and later, where {@code flock} is not to be relied on),
 * naming its holder's host and process; the holder touches it every {@link #HEARTBEAT} while it
 * trains. A lock whose holder is gone is taken over: on the same host when its process no longer
 * exists, on another host when its heartbeat is older than {@link #STALE}. The taking over renames
 * the stale file aside first, which only one of several contenders can do.
 */
public final class CellLock implements AutoCloseable {

    /** How often a holder shows it is alive. */
    static final Duration HEARTBEAT = Duration.ofSeconds(30);
    /** How long without a heartbeat before a lock of another host counts as abandoned. */
    static final Duration STALE = Duration.ofMinutes(10);

    /**
     * Who holds a lock.
     *
     * @param host the host name
     * @param pid the process
     * @param heartbeat the last time the holder showed it was alive
     */
    public record Holder(String host, long pid, Instant heartbeat) {
        /** {@code host-a, process 4711}. */
        public String describe() {
            return host + ", process " + pid;
        }
    }

    /** Thrown when another live process holds the lock; {@code fer run} exits with {@link #EXIT_CODE}. */
    public static final class HeldException extends IllegalStateException {
        /** The exit code of a {@code fer run} that found its cell held: 75, sysexits' "try again later". */
        public static final int EXIT_CODE = 75;

        private static final long serialVersionUID = 1L;
        private final transient Holder holder;

        HeldException(Path file, Holder holder) {
            super(file.getFileName() + " is held by " + holder.describe() + " (heartbeat "
                    + holder.heartbeat().toString() + ")");
            this.holder = holder;
        }

        /** The holder. */
        public Holder holder() {
            return holder;
        }
    }

    private final Path file;
    private final String content;
    private final ScheduledExecutorService heartbeat;
    // kept so that the heartbeat's failures are not silently dropped; beat() handles its own
    private final ScheduledFuture<?> beating;

    private CellLock(Path file, String content) {
        this.file = file;
        this.content = content;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "heartbeat of " + file.getFileName());
            t.setDaemon(true);
            return t;
        });
        long every = HEARTBEAT.toMillis();
        beating = heartbeat.scheduleAtFixedRate(this::beat, every, every, TimeUnit.MILLISECONDS);
    }

    /** The lock file of a run folder: {@code .seed-N.lock} beside it. */
    static Path fileOf(Path runDir) {
        return runDir.resolveSibling("." + runDir.getFileName() + ".lock");
    }

    /**
     * Takes the lock of a run folder.
     *
     * @throws HeldException when a live process holds it
     */
    static CellLock acquire(Path runDir) throws IOException {
        Path file = fileOf(runDir);
        Files.createDirectories(file.getParent());
        String content = "host=" + host() + "\npid=" + ProcessHandle.current().pid() + "\n";
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                Files.writeString(
                        file, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return new CellLock(file, content);
            } catch (FileAlreadyExistsException held) {
                Optional<Holder> h = holder(file);
                if (h.isEmpty()) {
                    continue; // released meanwhile
                }
                if (!abandoned(h.get())) {
                    throw new HeldException(file, h.get());
                }
                takeOver(file);
            }
        }
        throw new ExperimentException("could not take " + file + ": other processes keep taking it");
    }

    /** Moves an abandoned lock aside; of several processes doing so at once, one succeeds. */
    private static void takeOver(Path file) throws IOException {
        Path aside = file.resolveSibling(
                file.getFileName() + ".abandoned-" + ProcessHandle.current().pid());
        try {
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(aside);
        } catch (NoSuchFileException another) {
            // another process took it over first
        }
    }

    /** Who holds the lock file, if anyone. */
    public static Optional<Holder> holder(Path file) throws IOException {
        try {
            Map<String, String> fields = new LinkedHashMap<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    fields.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            Instant beat = Files.getLastModifiedTime(file).toInstant();
            long pid;
            try {
                pid = Long.parseLong(fields.getOrDefault("pid", "-1"));
            } catch (NumberFormatException e) {
                pid = -1;
            }
            return Optional.of(new Holder(fields.getOrDefault("host", "an unknown host"), pid, beat));
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        }
    }

    /** Whether a holder is gone: its process, where it is on this host, or its heartbeat. */
    static boolean abandoned(Holder h) {
        if (h.host().equals(host())) {
            return ProcessHandle.of(h.pid()).map(p -> !p.isAlive()).orElse(true);
        }
        return h.heartbeat().isBefore(Instant.now().minus(STALE));
    }

    private void beat() {
        try {
            if (!Files.readString(file, StandardCharsets.UTF_8).equals(content)) {
                System.err.println("warning: " + file + " was taken over by another process");
                heartbeat.shutdown();
                return;
            }
            Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
        } catch (IOException e) {
            System.err.println("warning: cannot refresh " + file + ": " + e.getMessage());
        }
    }

    /** Releases the lock, if this process still holds it. */
    @Override
    public void close() {
        beating.cancel(false);
        heartbeat.shutdownNow();
        try {
            if (Files.exists(file)
                    && Files.readString(file, StandardCharsets.UTF_8).equals(content)) {
                Files.delete(file);
            }
        } catch (NoSuchFileException gone) {
            // released or taken over meanwhile
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release " + file, e);
        }
    }

    /** This host's name, as locks and status show it. */
    static String host() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
