package org.attnfer.cli.internal;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option converters for numbers with a lower bound, so that {@code --batch 0} ends in picocli's one
 * line, "Invalid value for option '--batch': must be ≥ 1, got '0'", before a command starts, and
 * not in whatever the library makes of a zero.
 */
final class Bounds {

    private Bounds() {}

    /** A count of at least one: batch sizes, steps, classes, threads. */
    static final class AtLeastOne implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return atLeast(value, 1);
        }
    }

    /** A count that may be zero: warm-up steps, loader threads, tree depth. */
    static final class AtLeastZero implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return atLeast(value, 0);
        }
    }

    /** A number above zero, such as a machine's GFLOP/s. */
    static final class Positive implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return notNegative(value, true);
        }
    }

    /** A number of zero or more, such as seconds. */
    static final class NonNegative implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return notNegative(value, false);
        }
    }

    private static int atLeast(String value, int min) {
        int n;
        try {
            n = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("expected a whole number, got '" + value + "'");
        }
        if (n < min) {
            throw new TypeConversionException("must be ≥ " + min + ", got '" + value + "'");
        }
        return n;
    }

    private static double notNegative(String value, boolean zeroExcluded) {
        double d;
        try {
            d = Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("expected a number, got '" + value + "'");
        }
        // written so that NaN fails too
        if (!(zeroExcluded ? d > 0 : d >= 0) || Double.isInfinite(d)) {
            throw new TypeConversionException(
                    "must be a number " + (zeroExcluded ? ">" : "≥") + " 0, got '" + value + "'");
        }
        return d;
    }
}
