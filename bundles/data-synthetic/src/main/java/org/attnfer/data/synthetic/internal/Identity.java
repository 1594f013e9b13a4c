package org.attnfer.data.synthetic.internal;

import java.awt.Color;
import java.util.Random;

/**
 * A person: face shape, skin and hair, glasses, age cues, and a resting face (some people look
 * stern or sad when neutral). Drawn from the identity's own seed, so a person looks the same in
 * every image.
 */
record Identity(
        int id,
        double faceWidth,
        double faceHeight,
        double jaw,
        Color skin,
        Color hair,
        int hairStyle,
        boolean glasses,
        double age,
        double eyeSpacing,
        double eyeSize,
        double browThickness,
        double noseLength,
        double mouthWidth,
        double restingBrow,
        double restingEyes,
        double restingMouth) {

    private static final Color[] SKIN = {
        new Color(255, 224, 196),
        new Color(241, 194, 160),
        new Color(224, 172, 130),
        new Color(198, 134, 94),
        new Color(160, 104, 68),
        new Color(122, 78, 50),
        new Color(92, 58, 38)
    };
    private static final Color[] HAIR = {
        new Color(20, 16, 14),
        new Color(60, 40, 28),
        new Color(110, 74, 44),
        new Color(170, 130, 80),
        new Color(220, 196, 140),
        new Color(150, 60, 30),
        new Color(180, 180, 180)
    };

    /** The identity with this id under a dataset seed. */
    static Identity of(long seed, int id) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L ^ (id * 0xC2B2AE3D27D4EB4FL + 17));
        double age = r.nextDouble();
        return new Identity(
                id,
                0.9 + 0.2 * r.nextDouble(),
                1.15 + 0.25 * r.nextDouble(),
                r.nextDouble(),
                SKIN[r.nextInt(SKIN.length)],
                age > 0.85 ? HAIR[6] : HAIR[r.nextInt(HAIR.length - 1)],
                r.nextInt(4),
                r.nextDouble() < 0.18,
                age,
                0.36 + 0.08 * r.nextDouble(),
                0.85 + 0.3 * r.nextDouble(),
                0.6 + 0.8 * r.nextDouble(),
                0.85 + 0.3 * r.nextDouble(),
                0.85 + 0.3 * r.nextDouble(),
                0.18 * r.nextGaussian(),
                0.15 * r.nextGaussian(),
                0.15 * r.nextGaussian());
    }
}
