package org.attnfer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @TempDir
    Path dir;

    @Test
    void aFailedWriteNamesTheFileAndLeavesTheOldVersionAlone() throws IOException {
        Path file = dir.resolve("last.ckpt.safetensors");
        Files.writeString(file, "epoch 1");
        // a disk that fills up half way through the new version
        assertThatThrownBy(() -> Checkpoint.atomically(file, tmp -> {
                    Files.writeString(tmp, "half of epoch 2");
                    throw new IOException("No space left on device");
                }))
                .isInstanceOf(IOException.class)
                .hasMessage(file + ": No space left on device");
        assertThat(file).content().isEqualTo("epoch 1");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void aMessageThatAlreadyNamesThePlaceIsKept() {
        Path file = dir.resolve("best.safetensors");
        // as an unwritable folder reports it
        assertThatThrownBy(() -> Checkpoint.atomically(file, tmp -> {
                    throw new AccessDeniedException(tmp.toString());
                }))
                .hasMessage(dir.resolve(".tmp.best.safetensors").toString());
    }

    @Test
    void aSuccessfulWriteReplacesTheFile() throws IOException {
        Path file = dir.resolve("metrics.json");
        Files.writeString(file, "old");
        Checkpoint.atomically(file, tmp -> Files.writeString(tmp, "new"));
        assertThat(file).content().isEqualTo("new");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }
}
