package org.attnfer.cli.internal;

import ai.djl.ndarray.types.Shape;
import java.util.Locale;
import picocli.CommandLine;

/** Parses {@code 3x48x48} (channels × height × width) for picocli. */
final class InputShape implements CommandLine.ITypeConverter<Shape> {

    @Override
    public Shape convert(String value) {
        String[] parts = value.toLowerCase(Locale.ROOT).split("[x×]", -1);
        if (parts.length != 3) {
            throw new CommandLine.TypeConversionException("expected CxHxW such as 3x48x48, got '" + value + "'");
        }
        long[] dims = new long[3];
        for (int i = 0; i < 3; i++) {
            try {
                dims[i] = Long.parseLong(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("expected CxHxW such as 3x48x48, got '" + value + "'");
            }
            if (dims[i] < 1) {
                throw new CommandLine.TypeConversionException("every dimension must be ≥ 1, got '" + value + "'");
            }
        }
        return new Shape(dims);
    }

    /** {@code 3×48×48}. */
    static String format(Shape s) {
        StringBuilder sb = new StringBuilder();
        for (long d : s.getShape()) {
            sb.append(sb.length() == 0 ? "" : "×").append(d);
        }
        return sb.toString();
    }
}
