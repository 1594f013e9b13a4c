package org.attnfer.nn;

import ai.djl.util.PairList;
import java.util.Random;

/**
 * The random generator of one training step, carried in DJL's forward {@code params} like {@link
 * Taps} and {@link Precision}, so that dropout and stochastic depth draw their masks from the
 * trainer's per-step generator: a run resumed from a checkpoint draws the same masks as one that
 * never stopped, which the engine's global generator would not give.
 */
public final class Draws {

    /** The key in DJL's forward {@code params}. */
    public static final String KEY = "attnfer.draws";

    private Draws() {}

    /** {@code params} (which may be {@code null}) with {@code random} added. */
    public static PairList<String, Object> with(PairList<String, Object> params, Random random) {
        PairList<String, Object> out = new PairList<>();
        if (params != null) {
            for (int i = 0; i < params.size(); i++) {
                if (!KEY.equals(params.keyAt(i))) {
                    out.add(params.keyAt(i), params.valueAt(i));
                }
            }
        }
        out.add(KEY, random);
        return out;
    }

    /**
     * The step's generator, or a fixed-seed one when the caller passed none (a test's single
     * forward), so that a training forward is never silently irreproducible.
     */
    static Random of(PairList<String, Object> params) {
        Object r = params == null ? null : params.get(KEY);
        return r == null ? new Random(0) : (Random) r;
    }

    /**
     * A mask of {@code count} values, each {@code 1/keep} with probability {@code keep} and 0
     * otherwise: an inverted-dropout mask whose mean is 1.
     */
    static float[] mask(PairList<String, Object> params, int count, float keep) {
        Random random = of(params);
        float[] m = new float[count];
        float kept = 1f / keep;
        for (int i = 0; i < count; i++) {
            m[i] = random.nextFloat() < keep ? kept : 0f;
        }
        return m;
    }
}
