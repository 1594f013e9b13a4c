package org.attnfer.cli.internal;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/** Images the commands write: whole or not at all, and failures that name the file. */
final class Outputs {

    private Outputs() {}

    /** Writes a PNG through a temporary file beside it, renamed over it once complete. */
    static void png(BufferedImage image, Path file) throws IOException {
        Path parent = folder(file);
        Path temp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
        try {
            if (!ImageIO.write(image, "png", temp.toFile())) {
                throw new IOException("no PNG writer");
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IOException(file + ": cannot write the image (" + e.getMessage() + ")", e);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The folder {@code file} is to be written into. */
    static Path folder(Path file) throws NoSuchFileException {
        Path parent = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            throw new NoSuchFileException(
                    parent.toString(), null, "no such folder to write " + file.getFileName() + " into");
        }
        return parent;
    }
}
