package org.attnfer.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Checkpoints written by PyTorch itself ({@code tools/fixtures/make_checkpoints.py}): a narrow
 * torchvision ResNet18 (width 1/16, 10 classes) saved as researchers find such files, with the
 * logits PyTorch computes for a fixed input.
 */
public final class Checkpoints {

    /** The model they fit, as a {@code fer} command line gives it. */
    public static final List<String> MODEL = List.of("resnet18", "--width", "0.0625", "--classes", "10");

    private static final List<String> FILES = List.of(
            "resnet18-narrow.pth",
            "resnet18-narrow-fp16.pth",
            "resnet18-narrow-wrapped.pth",
            "resnet18-narrow.safetensors",
            "resnet18-narrow-bf16.safetensors",
            "resnet18-narrow.npz",
            "input.npy",
            "logits.npy",
            "logits-fp16.npy",
            "logits-bf16.npy",
            "gray-input.npy",
            "gray-logits.npy",
            "evil.pth");

    private Checkpoints() {}

    /** Copies every fixture into a folder (readers want files) and returns the folder. */
    public static Path unpack(Path dir) {
        try {
            Files.createDirectories(dir);
            for (String name : FILES) {
                try (InputStream in = Checkpoints.class.getResourceAsStream("checkpoints/" + name)) {
                    if (in == null) {
                        throw new IOException("fixture checkpoints/" + name + " is missing from the test kit");
                    }
                    Files.copy(in, dir.resolve(name));
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
