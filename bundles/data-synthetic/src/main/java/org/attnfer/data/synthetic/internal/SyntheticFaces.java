package org.attnfer.data.synthetic.internal;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.attnfer.api.Params;
import org.attnfer.api.data.Dataset;
import org.attnfer.api.data.Sample;
import org.attnfer.data.Emotions;

/**
 * The embedded benchmark: faces drawn on the fly, deterministic for a seed and an index. Classes
 * are balanced (item {@code i} shows emotion {@code i mod 7}); the training and test splits draw
 * their people from disjoint sets of identities. A drawn sample is kept (up to {@value #CACHE_BYTES}
 * bytes of pixels), so that later epochs copy it instead of drawing it again.
 */
final class SyntheticFaces implements Dataset {

    private static final long TEST_IDENTITIES = 1_000_000;

    private static final long CACHE_BYTES = 512L << 20;

    private final long seed;
    private final boolean test;
    private final int count;
    private final int size;
    private final boolean color;
    private final int identities;
    private final double intensityMin;
    private final double intensityMax;
    private final double jitter;
    private final double labelNoise;
    private final FaceRenderer.Nuisance nuisance;
    private final AtomicReferenceArray<Sample> drawn;

    SyntheticFaces(Params p) {
        seed = p.getInt("seed");
        test = p.getString("split").equals("test");
        count = p.getInt("count");
        size = p.getInt("size");
        color = p.getBoolean("color");
        identities = p.getInt("identities");
        intensityMin = p.getDouble("intensity_min");
        intensityMax = p.getDouble("intensity_max");
        if (intensityMax < intensityMin) {
            throw new IllegalArgumentException(
                    "intensity_max (" + intensityMax + ") must be ≥ intensity_min (" + intensityMin + ")");
        }
        jitter = p.getDouble("jitter");
        labelNoise = p.getDouble("label_noise");
        nuisance = new FaceRenderer.Nuisance(
                p.getDouble("occlusion"), p.getDouble("clutter"), p.getDouble("noise"), p.getDouble("small_faces"));
        drawn = 4L * size * size * count <= CACHE_BYTES ? new AtomicReferenceArray<>(count) : null;
    }

    @Override
    public String describe() {
        return "synthetic faces (" + (test ? "test" : "train") + " split, " + count + " images of " + size + "×" + size
                + (color ? " RGB" : " gray") + ", " + identities + " identities, seed " + seed + ")";
    }

    @Override
    public String fingerprint() {
        // the data is its generator and its settings
        return "generator:"
                + Integer.toHexString(Objects.hash(
                        seed,
                        test,
                        count,
                        size,
                        color,
                        identities,
                        intensityMin,
                        intensityMax,
                        jitter,
                        labelNoise,
                        nuisance));
    }

    @Override
    public List<String> classes() {
        return Emotions.CANONICAL;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int label(int index) {
        int shown = index % Emotions.CANONICAL.size();
        if (labelNoise > 0) {
            Random r = new Random(mix(index) ^ 0x5DEECE66DL);
            if (r.nextDouble() < labelNoise) {
                return (shown + 1 + r.nextInt(Emotions.CANONICAL.size() - 1)) % Emotions.CANONICAL.size();
            }
        }
        return shown;
    }

    @Override
    public String subject(int index) {
        return Integer.toString(identity(new Random(mix(index))));
    }

    private int identity(Random r) {
        return (int) ((test ? TEST_IDENTITIES : 0) + r.nextInt(identities));
    }

    @Override
    public Sample get(int index) {
        Sample kept = drawn == null ? null : drawn.get(index);
        if (kept == null) {
            kept = draw(index);
            if (drawn != null) {
                drawn.set(index, kept);
            }
        }
        // a copy, so that nobody who draws on a sample changes the kept one
        BufferedImage image = kept.image();
        return new Sample(
                kept.id(),
                kept.label(),
                new BufferedImage(image.getColorModel(), image.copyData(null), false, null),
                kept.regions());
    }

    private Sample draw(int index) {
        Random r = new Random(mix(index));
        Identity who = Identity.of(seed, identity(r));
        int shown = index % Emotions.CANONICAL.size();
        double intensity = intensityMin + (intensityMax - intensityMin) * r.nextDouble();
        Expression e = Expression.of(shown, intensity, who, r, jitter);
        FaceRenderer.Drawn d = FaceRenderer.draw(size, color, who, e, nuisance, r);
        return new Sample((test ? "test/" : "train/") + index, label(index), d.image(), d.regions());
    }

    private long mix(int index) {
        long h = seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + (test ? 0x94D049BB133111EBL : 0);
        h ^= h >>> 31;
        return h * 0x94D049BB133111EBL;
    }
}
