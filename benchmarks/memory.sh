#!/bin/sh
# Resident memory across the runs of a grid in one JVM: six seeds of ResNet18+CA on 600 generated
# faces, two epochs each, then the memory each run's manifest recorded after its model was closed.
# The Java heap is fixed and touched up front, so that what grows is native memory.
# Usage: benchmarks/memory.sh [HEAP]   (default 2g)
set -e
cd "$(dirname "$0")/.."
heap=${1:-2g}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cat > "$out/memory.yaml" <<'YAML'
name: memory
dataset: {type: synthetic-faces, count: 600, seed: 1}
test: {type: synthetic-faces, split: test, count: 140, seed: 1}
input: {size: 48, channels: 1}
variants:
  - {name: ResNet18+CA, model: resnet18+ca}
seeds: [0, 1, 2, 3, 4, 5]
training: {epochs: 2, batch_size: 32, optimizer: adamw, lr: 0.002, schedule: cosine}
YAML
FER_HEAP=$heap FER_JAVA_OPTS="-Xms$heap -XX:+AlwaysPreTouch" ./fer run "$out/memory.yaml" --output "$out/runs" > "$out/log" 2>&1 || { cat "$out/log"; exit 1; }
echo "run  resident MB  peak MB  (heap $heap, touched at start)"
for s in 0 1 2 3 4 5; do
  python3 -c "import json,sys; m=json.load(open(sys.argv[1]))['memory']; print('%3s  %11d  %7d' % (sys.argv[2], m['resident_mb'], m['peak_resident_mb']))" \
    "$out/runs/ResNet18+CA/seed-$s/manifest.json" $((s + 1))
done
