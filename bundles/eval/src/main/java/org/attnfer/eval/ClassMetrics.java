package org.attnfer.eval;

/**
 * The metrics of one class.
 *
 * @param name the class name
 * @param precision TP / (TP + FP), 0 when the class is never predicted
 * @param recall TP / (TP + FN), 0 when the class never occurs
 * @param f1 the harmonic mean of precision and recall, 0 when both are 0
 * @param support how often the class occurs
 */
public record ClassMetrics(String name, double precision, double recall, double f1, int support) {}
