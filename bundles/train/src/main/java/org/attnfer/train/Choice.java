package org.attnfer.train;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A setting with a fixed set of values, spelled in experiment files as the lower-case constant
 * name ({@code MACRO_F1} is {@code macro_f1}); the enums of {@link TrainingConfig} share it.
 */
interface Choice {

    /** The constant's name, as every enum has it. */
    String name();

    /** Its spelling in experiment files. */
    default String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The spellings of every value, in declaration order. */
    static <E extends Enum<E> & Choice> List<String> ids(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Choice::id).toList();
    }

    /** The value spelled {@code id}; validation has checked the spelling before. */
    static <E extends Enum<E> & Choice> E of(Class<E> type, String id) {
        return Enum.valueOf(type, id.toUpperCase(Locale.ROOT));
    }
}
