package org.attnfer.data.synthetic.internal;

import java.util.Random;

/**
 * A facial expression as a few continuous actions, loosely after the action units of the Facial
 * Action Coding System. Emotions are prototypes in this space; the pairs that real data confuses
 * share actions (fear and surprise raise brows and widen eyes; anger and disgust lower brows;
 * sadness is a mild departure from neutral), so that low intensities and individual variation
 * make them hard to tell apart.
 *
 * @param browRaise brows up (+) or down (−)
 * @param browSlant inner ends up (+, sadness and fear) or down (−, anger)
 * @param browFurrow inner ends drawn together
 * @param eyeOpen eyes wide (+) or narrowed (−)
 * @param mouthCurve corners up (+) or down (−)
 * @param mouthOpen jaw drop, 0 to 1
 * @param mouthWidth stretched (+) or pursed (−)
 * @param upperLip upper lip raised (disgust)
 * @param noseWrinkle wrinkles across the nose (disgust)
 * @param cheek cheeks raised (a true smile)
 * @param asymmetry one mouth corner higher than the other
 */
record Expression(
        double browRaise,
        double browSlant,
        double browFurrow,
        double eyeOpen,
        double mouthCurve,
        double mouthOpen,
        double mouthWidth,
        double upperLip,
        double noseWrinkle,
        double cheek,
        double asymmetry) {

    /** The canonical prototypes in FER2013's class order: angry, disgust, fear, happy, neutral, sad, surprise. */
    static final Expression[] PROTOTYPES = {
        new Expression(-0.8, -1.0, 0.8, -0.15, -0.35, 0.0, -0.2, 0.1, 0.25, 0.0, 0.0),
        new Expression(-0.5, -0.45, 0.5, -0.45, -0.45, 0.15, 0.0, 0.9, 1.0, 0.2, 0.6),
        new Expression(0.7, 0.65, 0.55, 0.85, -0.25, 0.45, 0.55, 0.0, 0.0, 0.0, 0.0),
        new Expression(0.1, 0.0, 0.0, -0.35, 1.0, 0.3, 0.45, 0.0, 0.0, 1.0, 0.0),
        new Expression(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        new Expression(0.1, 0.9, 0.3, -0.3, -0.75, 0.0, -0.1, 0.0, 0.0, 0.0, 0.0),
        new Expression(1.0, 0.1, 0.0, 1.0, 0.0, 0.95, -0.3, 0.0, 0.0, 0.0, 0.0)
    };

    /**
     * The expression of one sample: the prototype at an intensity, a person's resting face, and
     * individual variation.
     */
    static Expression of(int label, double intensity, Identity who, Random random, double jitter) {
        Expression p = PROTOTYPES[label];
        double open = p.mouthOpen;
        if (label == 0 && random.nextDouble() < 0.35) {
            open = 0.5; // shouting rather than lips pressed
        } else if (label == 3) {
            open = random.nextDouble() * 0.6; // closed or open smile
        }
        return new Expression(
                intensity * p.browRaise + who.restingBrow() + jitter * random.nextGaussian(),
                intensity * p.browSlant + jitter * random.nextGaussian(),
                intensity * p.browFurrow + jitter * random.nextGaussian(),
                intensity * p.eyeOpen + who.restingEyes() + jitter * random.nextGaussian(),
                intensity * p.mouthCurve + who.restingMouth() + jitter * random.nextGaussian(),
                Math.max(0, intensity * open + jitter * 0.5 * random.nextGaussian()),
                intensity * p.mouthWidth + jitter * random.nextGaussian(),
                Math.max(0, intensity * p.upperLip + jitter * 0.5 * random.nextGaussian()),
                Math.max(0, intensity * p.noseWrinkle + jitter * 0.5 * random.nextGaussian()),
                Math.max(0, intensity * p.cheek + jitter * 0.5 * random.nextGaussian()),
                intensity * p.asymmetry * (random.nextBoolean() ? 1 : -1) + jitter * 0.5 * random.nextGaussian());
    }
}
