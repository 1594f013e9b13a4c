package org.attnfer.data.internal;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.attnfer.api.data.Dataset;
import org.attnfer.api.data.Sample;
import org.attnfer.data.Emotions;

/**
 * A folder with one sub-folder of images per class. When every folder name is an emotion (in any
 * of its usual spellings), the classes are the canonical emotions present, in FER2013's order;
 * otherwise they are the folder names in alphabetical order.
 */
final class ImageFolderDataset implements Dataset {

    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

    private final Path root;
    private final List<String> classes;
    private final List<Path> files = new ArrayList<>();
    private final int[] labels;
    private final String mapping;

    ImageFolderDataset(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("image folder " + root + " does not exist or is not a folder");
        }
        this.root = root;
        List<Path> folders;
        try (Stream<Path> list = Files.list(root)) {
            folders = list.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
        if (folders.isEmpty()) {
            throw new IOException("image folder " + root + " has no class sub-folders");
        }
        Map<Path, String> classOf = new LinkedHashMap<>();
        boolean canonical = folders.stream().allMatch(f -> Emotions.canonical(f.getFileName().toString()).isPresent());
        for (Path f : folders) {
            String name = f.getFileName().toString();
            classOf.put(f, canonical ? Emotions.canonical(name).orElseThrow() : name);
        }
        classes = canonical
                ? Emotions.CANONICAL.stream().filter(classOf::containsValue).toList()
                : classOf.values().stream().distinct().sorted().toList();
        List<Integer> labelList = new ArrayList<>();
        for (Map.Entry<Path, String> e : classOf.entrySet()) {
            List<Path> images;
            try (Stream<Path> list = Files.list(e.getKey())) {
                images = list.filter(p -> EXTENSIONS.contains(extension(p))).sorted().toList();
            }
            if (images.isEmpty()) {
                throw new IOException("class folder " + e.getKey() + " has no images (" + String.join(", ", EXTENSIONS) + ")");
            }
            int label = classes.indexOf(e.getValue());
            for (Path image : images) {
                files.add(image);
                labelList.add(label);
            }
        }
        labels = labelList.stream().mapToInt(Integer::intValue).toArray();
        StringBuilder m = new StringBuilder();
        classOf.forEach((f, c) -> m.append(m.length() == 0 ? "" : ", ").append(f.getFileName()).append(" → ").append(c));
        mapping = m.toString();
    }

    private static String extension(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    @Override
    public String describe() {
        return "image folder " + root + " (" + files.size() + " images; " + mapping + ")";
    }

    @Override
    public String fingerprint() {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < files.size(); i++) {
                Path f = files.get(i);
                sha.update((root.relativize(f) + "\t" + labels[i] + "\t" + Files.size(f) + "\t" + Files.getLastModifiedTime(f).toMillis() + "\n")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return "sha256:" + java.util.HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            return null;
        }
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public Sample get(int index) throws IOException {
        Path file = files.get(index);
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot read image " + file + ": " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IOException("cannot read image " + file + ": not a supported image format");
        }
        return new Sample(root.relativize(file).toString(), labels[index], image, Map.of());
    }
}
