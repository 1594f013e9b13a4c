package org.attnfer.data.internal;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.attnfer.api.data.Dataset;
import org.attnfer.api.data.Sample;
import org.attnfer.data.BadInput;
import org.attnfer.data.Images;

/**
 * A folder with one sub-folder of images per class. Folder names map to the seven emotions (in any
 * of their usual spellings, or by an explicit mapping); the classes are the emotions present in
 * FER2013's order, then contempt when asked for, then other classes only where the experiment
 * allows them (see {@link ClassNames}). Every
 * image is decoded once when the folder is opened, so that a bad file shows now and not in the
 * middle of an epoch; small images stay in memory.
 */
final class ImageFolderDataset implements Dataset {

    /** CK+ names its frames after the subject: {@code S005_001_00000011.png}. */
    static final Pattern CK_SUBJECT = Pattern.compile("(S\\d+)_\\d+_.*");

    /** How to open a folder. */
    record Options(
            boolean contempt,
            Map<String, String> mapping,
            boolean extraClasses,
            Pattern subject,
            BadInput bad,
            long cacheBytes) {}

    private final Path root;
    private final List<String> classes;
    private final List<Path> files = new ArrayList<>();
    private final int[] labels;
    private final String[] subjects;
    private final String account;
    private final int skipped;
    private final DecodedImages decoded;

    ImageFolderDataset(Path root, Options options) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("image folder " + root + " does not exist or is not a folder");
        }
        this.root = root;
        List<Path> folders = list(root).stream()
                .filter(Files::isDirectory)
                .filter(p -> !p.getFileName().toString().startsWith("."))
                .toList();
        if (folders.isEmpty()) {
            throw new IOException("image folder " + root + " has no class sub-folders");
        }
        ClassNames names = new ClassNames(root, options.mapping(), options.contempt(), options.extraClasses());
        Map<Path, String> classOf = new LinkedHashMap<>();
        for (Path f : folders) {
            names.of(f.getFileName().toString()).ifPresent(cls -> classOf.put(f, cls));
        }
        names.checkAllKnown(
                folders.stream().map(f -> f.getFileName().toString()).toList());
        String mapping = names.account();
        BadInput bad = options.bad();
        Map<Path, List<Path>> imagesOf = new LinkedHashMap<>();
        int ignored = 0;
        for (Map.Entry<Path, String> e : classOf.entrySet()) {
            List<Path> all =
                    list(e.getKey()).stream().filter(Files::isRegularFile).toList();
            List<Path> images = all.stream().filter(Images::isImage).toList();
            ignored += all.size() - images.size();
            if (images.isEmpty()) {
                bad.report("class folder " + e.getKey() + " has no images (" + Images.formats() + ")");
            } else {
                imagesOf.put(e.getKey(), images);
            }
        }
        List<String> present =
                imagesOf.keySet().stream().map(classOf::get).distinct().toList();
        classes = ClassNames.order(present);
        if (classes.isEmpty()) {
            throw new IOException("image folder " + root + " has no class folder with images");
        }
        List<Integer> labelList = new ArrayList<>();
        imagesOf.forEach((folder, images) -> {
            int label = classes.indexOf(classOf.get(folder));
            for (Path image : images) {
                files.add(image);
                labelList.add(label);
            }
        });
        decoded = DecodedImages.check(files, root, bad, options.cacheBytes());
        for (int i = files.size() - 1; i >= 0; i--) {
            if (decoded.failed(i)) {
                files.remove(i);
                labelList.remove(i);
            }
        }
        decoded.dropFailed();
        labels = labelList.stream().mapToInt(Integer::intValue).toArray();
        subjects = subjects(files, options.subject());
        skipped = bad.skipped();
        account = mapping
                + (ignored > 0 ? "; ignored " + ignored + " files that are not images" : "")
                + (subjects != null ? "; " + Arrays.stream(subjects).distinct().count() + " subjects" : "")
                + bad.summary();
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.sorted().toList();
        } catch (AccessDeniedException e) {
            throw new IOException("cannot read folder " + dir + ": permission denied", e);
        }
    }

    /**
     * Subjects read from file names: by an explicit pattern (every name must match), else CK+'s when all names fit it.
     */
    private static String[] subjects(List<Path> files, Pattern explicit) {
        Pattern p = explicit != null ? explicit : CK_SUBJECT;
        String[] out = new String[files.size()];
        for (int i = 0; i < out.length; i++) {
            String name = files.get(i).getFileName().toString();
            Matcher m = p.matcher(name);
            if (!m.find()) {
                if (explicit != null) {
                    throw new IllegalArgumentException(
                            "subject pattern '" + p + "' does not match the file name " + files.get(i));
                }
                return null;
            }
            out[i] = m.groupCount() > 0 ? m.group(1) : m.group();
        }
        return out;
    }

    @Override
    public int skipped() {
        return skipped;
    }

    @Override
    public String describe() {
        return "image folder " + root + " (" + files.size() + " images; " + account + ")";
    }

    @Override
    public String fingerprint() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < files.size(); i++) {
                Path f = files.get(i);
                sha.update((root.relativize(f) + "\t" + labels[i] + "\t" + Files.size(f) + "\t"
                                + Files.getLastModifiedTime(f).toMillis() + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            return "sha256:" + HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (IOException | NoSuchAlgorithmException e) {
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
    public String subject(int index) {
        return subjects == null ? null : subjects[index];
    }

    @Override
    public Sample get(int index) throws IOException {
        BufferedImage image = decoded.image(index);
        if (image == null) {
            image = DecodedImages.read(files.get(index));
        }
        return new Sample(root.relativize(files.get(index)).toString(), labels[index], image, Map.of());
    }
}
