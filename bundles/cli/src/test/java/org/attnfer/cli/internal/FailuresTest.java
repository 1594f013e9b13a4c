package org.attnfer.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class FailuresTest {

    @Test
    void outOfMemorySaysHowToGiveMore() {
        assertThat(Failures.message(new OutOfMemoryError("Java heap space")))
                .startsWith("out of memory (a Java heap of ")
                .contains("FER_HEAP=");
    }

    @Test
    void fileSystemExceptionsSayWhatIsWrongWithThePath() {
        assertThat(Failures.message(new NoSuchFileException("/data/x.npy")))
                .isEqualTo("/data/x.npy: no such file or folder");
        assertThat(Failures.message(new AccessDeniedException("/root/y"))).isEqualTo("/root/y: permission denied");
        assertThat(Failures.message(new FileAlreadyExistsException("/etc/passwd")))
                .startsWith("/etc/passwd: already exists and is in the way");
    }

    @Test
    void aBareNumberOrNothingIsAnInternalErrorToReport() {
        assertThat(Failures.message(new NegativeArraySizeException("-1894967296")))
                .startsWith("internal error (NegativeArraySizeException: -1894967296)")
                .contains("FER_DEBUG=1");
        assertThat(Failures.message(new IllegalStateException())).startsWith("internal error (IllegalStateException)");
    }

    @Test
    void wrappersAreUnwrappedAndLongMessagesCut() {
        Exception wrapped = new ExecutionException(new UncheckedIOException(new NoSuchFileException("/a")));
        assertThat(Failures.message(Failures.root(wrapped))).isEqualTo("/a: no such file or folder");
        String message = Failures.message(new IllegalArgumentException("x".repeat(9000) + "\nsecond line"));
        assertThat(message).hasSize(Failures.LONGEST).endsWith("…");
        assertThat(Failures.message(new IllegalArgumentException("first\nsecond")))
                .isEqualTo("first");
    }
}
