package org.attnfer.face;

import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups overlapping detections: rectangles whose corners lie within {@code eps} of their mean
 * size join a group; a group needs more than {@code minNeighbours} members and becomes their
 * average; a group inside a stronger, larger one is dropped.
 */
final class Groups {

    private Groups() {}

    static List<Rectangle> of(List<Rectangle> hits, int minNeighbours, double eps) {
        int n = hits.size();
        int[] label = new int[n];
        for (int i = 0; i < n; i++) {
            label[i] = i;
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (similar(hits.get(i), hits.get(j), eps)) {
                    union(label, i, j);
                }
            }
        }
        List<int[]> sums = new ArrayList<>();
        Map<Integer, Integer> index = new HashMap<>();
        for (int i = 0; i < n; i++) {
            int root = find(label, i);
            int k = index.computeIfAbsent(root, r -> {
                sums.add(new int[5]);
                return sums.size() - 1;
            });
            Rectangle r = hits.get(i);
            int[] s = sums.get(k);
            s[0] += r.x;
            s[1] += r.y;
            s[2] += r.width;
            s[3] += r.height;
            s[4]++;
        }
        List<Rectangle> groups = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (int[] s : sums) {
            if (s[4] > minNeighbours) {
                groups.add(new Rectangle(
                        Math.round((float) s[0] / s[4]),
                        Math.round((float) s[1] / s[4]),
                        Math.round((float) s[2] / s[4]),
                        Math.round((float) s[3] / s[4])));
                counts.add(s[4]);
            }
        }
        List<Rectangle> out = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            Rectangle r = groups.get(i);
            boolean inside = false;
            for (int j = 0; j < groups.size() && !inside; j++) {
                Rectangle o = groups.get(j);
                inside = i != j && counts.get(j) >= counts.get(i) && o.width > r.width && o.contains(r);
            }
            if (!inside) {
                out.add(r);
            }
        }
        out.sort(Comparator.comparingInt((Rectangle r) -> r.width * r.height).reversed());
        return out;
    }

    private static boolean similar(Rectangle a, Rectangle b, double eps) {
        double delta = eps * (Math.min(a.width, b.width) + Math.min(a.height, b.height)) * 0.5;
        return Math.abs(a.x - b.x) <= delta
                && Math.abs(a.y - b.y) <= delta
                && Math.abs(a.x + a.width - b.x - b.width) <= delta
                && Math.abs(a.y + a.height - b.y - b.height) <= delta;
    }

    private static int find(int[] label, int i) {
        while (label[i] != i) {
            label[i] = label[label[i]];
            i = label[i];
        }
        return i;
    }

    private static void union(int[] label, int a, int b) {
        label[find(label, a)] = find(label, b);
    }
}
