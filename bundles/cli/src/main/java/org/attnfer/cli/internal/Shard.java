package org.attnfer.cli.internal;

import java.util.List;
import org.attnfer.experiment.Cell;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A share of a grid, {@code I/N}: the cells whose index is I modulo N. N shards cover every cell
 * exactly once, for grids larger than a cluster's array limit or to pack small cells into one job.
 *
 * @param index I, from 0
 * @param count N
 */
record Shard(int index, int count) {

    /** The cells of this shard, in index order. */
    List<Cell> of(List<Cell> cells) {
        return cells.stream().filter(c -> c.index() % count == index).toList();
    }

    /** Reads {@code I/N}. */
    static final class Converter implements ITypeConverter<Shard> {
        @Override
        public Shard convert(String value) {
            String[] parts = value.split("/", -1);
            try {
                if (parts.length == 2) {
                    int i = Integer.parseInt(parts[0].strip());
                    int n = Integer.parseInt(parts[1].strip());
                    if (n >= 1 && i >= 0 && i < n) {
                        return new Shard(i, n);
                    }
                }
            } catch (NumberFormatException e) {
                // the message below says what is expected
            }
            throw new TypeConversionException("'" + value + "' is not I/N with 0 ≤ I < N, e.g. 0/4");
        }
    }
}
