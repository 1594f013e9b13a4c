package org.attnfer.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads photos with the JDK's decoders, refusing damaged files: a decoder that only warns (a JPEG
 * cut short decodes with its lower part grey) is treated as a failure, so a half-written file never
 * reaches training as a face.
 */
public final class Images {

    /** The file extensions read. */
    public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif", "tif", "tiff");

    private Images() {}

    /** The extensions read, sorted, for messages. */
    public static String formats() {
        return String.join(", ", EXTENSIONS.stream().sorted().toList());
    }

    /** Whether a file name has one of the {@link #EXTENSIONS}. */
    public static boolean isImage(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot >= 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /**
     * Decodes an image.
     *
     * @throws IOException naming the file when it is missing, of an unknown format, damaged or cut short
     */
    public static BufferedImage read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("cannot read image " + file + ": no such file");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new IOException(
                        "cannot read image " + file + ": not an image in a format read here (" + formats() + ")");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            try {
                reader.setInput(in, true, true);
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new IOException(
                            "cannot read image " + file + ": damaged or cut short (" + warnings.get(0) + ")");
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("cannot read image ")) {
                throw e;
            }
            throw new IOException("cannot read image " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IOException("cannot read image " + file + ": damaged (" + e + ")", e);
        }
    }
}
