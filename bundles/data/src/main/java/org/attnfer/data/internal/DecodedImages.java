package org.attnfer.data.internal;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.attnfer.data.BadInput;
import org.attnfer.data.Images;

/**
 * The images of a file list decoded once, in parallel: which ones cannot be read and, while they fit
 * the memory budget, their pixels, so that training does not decode the same file every epoch.
 */
final class DecodedImages {

    /** One image's pixels: gray bytes, or packed RGB. */
    private record Pixels(int width, int height, byte[] gray, int[] rgb) {
        long bytes() {
            return gray != null ? gray.length : 4L * rgb.length;
        }

        BufferedImage image() {
            if (gray != null) {
                BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
                System.arraycopy(gray, 0, ((DataBufferByte) out.getRaster().getDataBuffer()).getData(), 0, gray.length);
                return out;
            }
            BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            out.setRGB(0, 0, width, height, rgb, 0, width);
            return out;
        }

        static Pixels of(BufferedImage img) {
            int w = img.getWidth();
            int h = img.getHeight();
            if (img.getType() == BufferedImage.TYPE_BYTE_GRAY) {
                byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
                return new Pixels(
                        w,
                        h,
                        data.length == w * h ? data.clone() : null,
                        data.length == w * h ? null : img.getRGB(0, 0, w, h, null, 0, w));
            }
            return new Pixels(w, h, null, img.getRGB(0, 0, w, h, null, 0, w));
        }
    }

    private final List<Pixels> cache;
    private final boolean[] failed;

    private DecodedImages(List<Pixels> cache, boolean[] failed) {
        this.cache = cache;
        this.failed = failed;
    }

    /** Reads an image, naming the file in any failure. */
    static BufferedImage read(Path file) throws IOException {
        return Images.read(file);
    }

    /**
     * Decodes every file once.
     *
     * @param files the images
     * @param root the folder named in progress lines
     * @param bad the bad-input policy: the first unreadable file (in list order) fails, or each is counted
     * @param budget bytes of pixels kept in memory; 0 keeps none
     */
    static DecodedImages check(List<Path> files, Path root, BadInput bad, long budget) throws IOException {
        int n = files.size();
        Pixels[] pixels = new Pixels[n];
        String[] problems = new String[n];
        AtomicLong used = new AtomicLong();
        AtomicInteger done = new AtomicInteger();
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                parts.add(pool.submit(() -> {
                    for (int i = first; i < n; i += threads) {
                        try {
                            BufferedImage img = read(files.get(i));
                            Pixels p = Pixels.of(img);
                            if (used.addAndGet(p.bytes()) <= budget) {
                                pixels[i] = p;
                            }
                        } catch (IOException e) {
                            problems[i] = e.getMessage();
                        }
                        done.incrementAndGet();
                    }
                }));
            }
            long last = System.nanoTime();
            for (Future<?> part : parts) {
                while (!part.isDone()) {
                    Thread.sleep(50);
                    if (System.nanoTime() - last > 2_000_000_000L) {
                        System.err.printf(Locale.ROOT, "checking images in %s: %,d/%,d%n", root, done.get(), n);
                        last = System.nanoTime();
                    }
                }
                part.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while checking " + root, e);
        } catch (ExecutionException e) {
            throw new IOException("checking " + root + ": " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        boolean[] failed = new boolean[n];
        for (int i = 0; i < n; i++) {
            if (problems[i] != null) {
                bad.report(problems[i]);
                failed[i] = true;
            }
        }
        // a budget overrun part-way keeps no cache, so that what is cached does not depend on thread timing
        List<Pixels> cache = used.get() <= budget ? new ArrayList<>(Arrays.asList(pixels)) : null;
        return new DecodedImages(cache, failed);
    }

    /** Whether a file of the checked list could not be read. */
    boolean failed(int index) {
        return failed[index];
    }

    /** Forgets the failed files, so that indices follow the list without them. */
    void dropFailed() {
        if (cache == null) {
            return;
        }
        for (int i = failed.length - 1; i >= 0; i--) {
            if (failed[i]) {
                cache.remove(i);
            }
        }
    }

    /** A fresh copy of a cached image, or {@code null} when it is not cached. */
    BufferedImage image(int index) {
        return cache == null ? null : cache.get(index).image();
    }
}
