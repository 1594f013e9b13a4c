package org.attnfer.experiment;

import java.nio.file.Path;

/**
 * One finished run.
 *
 * @param variant the variant's name
 * @param seed the seed
 * @param dir the run folder
 * @param accuracy final validation accuracy
 * @param macroF1 final validation macro-F1
 * @param skipped whether it was already complete and was not run again
 */
public record RunResult(String variant, long seed, Path dir, double accuracy, double macroF1, boolean skipped) {}
