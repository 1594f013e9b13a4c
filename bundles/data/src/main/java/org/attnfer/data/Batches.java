package org.attnfer.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.attnfer.api.data.Dataset;
import org.attnfer.api.data.Sample;

/**
 * Batches of a dataset in a given order, decoded, augmented and converted on worker threads a few
 * batches ahead of the consumer, so that the training thread never waits on image decoding. With
 * test-time augmentation every item becomes {@link TestViews#count()} consecutive rows.
 */
public final class Batches implements Iterator<Batch>, AutoCloseable {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final Dataset dataset;
    private final int[] order;
    private final InputSpec input;
    private final int batchSize;
    private final Augmentation augmentation;
    private final long seed;
    private final int epoch;
    private final TestViews views;
    private final int ahead;
    private final ExecutorService pool;
    private final Deque<Future<Batch>> pending = new ArrayDeque<>();
    private int next;

    /**
     * Starts loading plain batches (no augmentation).
     *
     * @param dataset the data
     * @param order the indices to visit, in order
     * @param input the network's input layout
     * @param batchSize items per batch; the last batch may be smaller
     * @param workers decoding threads
     */
    public Batches(Dataset dataset, int[] order, InputSpec input, int batchSize, int workers) {
        this(dataset, order, input, batchSize, workers, Augmentation.NONE, 0, 0, TestViews.NONE);
    }

    /**
     * Starts loading.
     *
     * @param dataset the data
     * @param order the indices to visit, in order
     * @param input the network's input layout
     * @param batchSize items per batch; the last batch may be smaller
     * @param workers decoding threads
     * @param augmentation training-time augmentation ({@link Augmentation#NONE} for none)
     * @param seed the run's seed, for augmentation
     * @param epoch the epoch, for augmentation
     * @param views the test-time views every item becomes ({@link TestViews#NONE} for its centre window)
     */
    public Batches(
            Dataset dataset,
            int[] order,
            InputSpec input,
            int batchSize,
            int workers,
            Augmentation augmentation,
            long seed,
            int epoch,
            TestViews views) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
        }
        this.dataset = dataset;
        this.order = order;
        this.input = input;
        this.batchSize = batchSize;
        this.augmentation = augmentation;
        this.seed = seed;
        this.epoch = epoch;
        this.views = views;
        this.ahead = Math.max(2, 2 * workers);
        int id = POOLS.incrementAndGet();
        AtomicInteger thread = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(Math.max(1, workers), r -> {
            Thread t = new Thread(r, "attnfer-data-" + id + "-" + thread.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        fill();
    }

    /** A seeded permutation of {@code indices} (Fisher–Yates). */
    public static int[] shuffled(int[] indices, long seed) {
        int[] a = indices.clone();
        Random random = new Random(seed);
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** The number of batches in total. */
    public int count() {
        return (order.length + batchSize - 1) / batchSize;
    }

    @Override
    public boolean hasNext() {
        return !pending.isEmpty();
    }

    @Override
    public Batch next() {
        Future<Batch> f = pending.poll();
        if (f == null) {
            throw new NoSuchElementException();
        }
        fill();
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading data", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause.getMessage(), cause);
        }
    }

    private void fill() {
        while (pending.size() < ahead && next < order.length) {
            int from = next;
            int to = Math.min(order.length, from + batchSize);
            next = to;
            pending.add(pool.submit(() -> load(from, to)));
        }
    }

    private Batch load(int from, int to) {
        int n = to - from;
        int rows = views.count();
        float[] data = new float[n * rows * input.length()];
        int[] labels = new int[n];
        int[] indices = new int[n];
        for (int k = 0; k < n; k++) {
            int index = order[from + k];
            Sample s;
            try {
                s = dataset.get(index);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
            int offset = k * rows * input.length();
            if (views.crops()) {
                List<BufferedImage> crops = views.of(s.image(), input);
                for (int v = 0; v < rows; v++) {
                    Pixels.writeView(crops.get(v), input, data, offset + v * input.length());
                }
            } else if (augmentation.active()) {
                Random r = Augmentation.random(seed, epoch, index);
                Pixels.writeView(augmentation.geometry(s.image(), input, r), input, data, offset);
                augmentation.pixels(data, offset, input, r);
            } else {
                Pixels.write(s.image(), input, data, offset);
            }
            labels[k] = s.label();
            indices[k] = index;
        }
        return new Batch(data, labels, indices);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
