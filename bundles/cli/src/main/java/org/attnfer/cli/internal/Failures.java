package org.attnfer.cli.internal;

import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A failure as the one line a user reads: what is wrong, naming the file, and what to do where
 * there is something to do. The file-system exceptions carry only a path as their message, and the
 * JDK's own runtime exceptions carry a number or nothing; both are put into words here.
 */
final class Failures {

    /** Messages longer than this are cut: a message that dumps a whole CSV row or file helps nobody. */
    static final int LONGEST = 400;

    /** Exceptions whose message alone means nothing to a user: a bug of ours, not bad input. */
    private static final Set<Class<?>> INTERNAL = Set.of(
            NullPointerException.class,
            ArrayIndexOutOfBoundsException.class,
            IndexOutOfBoundsException.class,
            StringIndexOutOfBoundsException.class,
            NegativeArraySizeException.class,
            ClassCastException.class,
            ArithmeticException.class,
            ArrayStoreException.class);

    private Failures() {}

    /** The exception that says what went wrong, under the wrappers that only carry it. */
    static Throwable root(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null
                && t.getCause() != t
                && (t instanceof ExecutionException
                        || t instanceof CompletionException
                        || t instanceof UncheckedIOException
                        || t instanceof InvocationTargetException
                        || (t instanceof RuntimeException && t.getClass() == RuntimeException.class)
                        || t.getCause() instanceof OutOfMemoryError)) {
            t = t.getCause();
        }
        return t;
    }

    /** One line for a failure. */
    static String message(Throwable e) {
        String text = describe(e);
        String line =
                text.lines().filter(l -> !l.isBlank()).findFirst().orElse(text).strip();
        return line.length() <= LONGEST ? line : line.substring(0, LONGEST - 1) + "…";
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        if (e instanceof OutOfMemoryError) {
            return String.format(
                    Locale.ROOT,
                    "out of memory (a Java heap of %,d MB); give it more with FER_HEAP, e.g. FER_HEAP=%dg",
                    Runtime.getRuntime().maxMemory() >> 20,
                    Math.max(2, 2 * ((Runtime.getRuntime().maxMemory() >> 30) + 1)));
        }
        if (e instanceof FileSystemException f) {
            return fileSystem(f);
        }
        if (INTERNAL.contains(e.getClass())
                || m == null
                || m.isBlank()
                || m.strip().matches("-?\\d+")) {
            return "internal error (" + e.getClass().getSimpleName() + (m == null ? "" : ": " + m.strip())
                    + "); please report it with the output of the same command run with FER_DEBUG=1";
        }
        return m;
    }

    private static String fileSystem(FileSystemException f) {
        String file = f.getFile();
        String reason = f.getReason();
        String what;
        if (f instanceof NoSuchFileException) {
            what = "no such file or folder";
        } else if (f instanceof AccessDeniedException) {
            what = "permission denied";
        } else if (f instanceof FileAlreadyExistsException) {
            what = "already exists and is in the way (a file where a folder is needed, or the reverse)";
        } else if (f instanceof NotDirectoryException) {
            what = "is not a folder";
        } else if (f instanceof DirectoryNotEmptyException) {
            what = "is a folder that is not empty";
        } else {
            what = reason == null ? "cannot be used" : reason;
            reason = null;
        }
        return file + ": " + what + (reason == null ? "" : " (" + reason + ")")
                + (f.getOtherFile() == null ? "" : " [" + f.getOtherFile() + "]");
    }
}
