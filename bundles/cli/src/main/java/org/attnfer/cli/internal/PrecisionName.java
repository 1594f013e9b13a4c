package org.attnfer.cli.internal;

import org.attnfer.nn.Precision;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A {@code --precision} option's value: a precision by its name in experiment files. */
final class PrecisionName implements ITypeConverter<Precision> {
    @Override
    public Precision convert(String value) {
        try {
            return Precision.of(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
