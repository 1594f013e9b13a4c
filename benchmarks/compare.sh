#!/bin/sh
# AttnFER against PyTorch eager on this machine: ResNet50, 7 classes, both cores, the two
# measured alternately (ROUNDS times each) so that both see the same machine state; float32
# throughout, then again in bfloat16 (AttnFER's --precision bfloat16, PyTorch's CPU autocast).
# Usage: benchmarks/compare.sh [ROUNDS [CASE...]]   e.g. compare.sh 3 "train 3x112x112 32 bfloat16"
#   (needs Debian's python3-torch and python3-torchvision, run by /usr/bin/python3, and for a fair
#   peer an optimised BLAS such as libopenblas0-pthread)
set -e
cd "$(dirname "$0")/.."
rounds=${1:-3}
if [ $# -gt 0 ]; then shift; fi
threads=$(nproc)
fer=./fer
if ! /usr/bin/python3 -c "import torch, torchvision" 2>/dev/null; then
  echo "compare.sh: the PyTorch peer needs Debian's python3-torch and python3-torchvision for /usr/bin/python3: apt install python3-torch python3-torchvision libopenblas0-pthread" >&2
  exit 2
fi
$fer features >/dev/null   # builds the distribution when it is missing or stale
# the peer gets the allocator settings bin/fer gives AttnFER (they make PyTorch 4 % faster too)
. runtime/target/fer/bin/malloc.env
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run() { # name, then the command
  name=$1; shift
  if ! "$@" > "$out/$name.json" 2> "$out/$name.err"; then
    echo "compare.sh: $* failed: $(tail -n 1 "$out/$name.err")" >&2
    exit 1
  fi
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('%.2f %d' % (d['images_per_second'], d.get('peak_resident_mb', -1)))" "$out/$name.json"
}

# Debian's python3-torch multiplies matrices with whatever libblas.so.3 is selected: the reference
# BLAS runs at a few GFLOP/s and makes the peer's batch-1 inference several times slower
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 || echo unknown)
echo "peer BLAS: $blas"
case $blas in
  */blas/libblas.so.3*) echo "warning: the peer runs the reference BLAS; apt install libopenblas0-pthread for a fair peer" >&2 ;;
esac
printf '%-34s %12s %12s %8s %10s %10s\n' CASE ATTNFER PYTORCH RATIO "RSS FER" "RSS TORCH"
# a case is KIND INPUT BATCH [PRECISION]: the arithmetic of both sides (PyTorch: CPU autocast)
[ $# -gt 0 ] || set -- "train 3x48x48 32" "train 3x112x112 32" "infer 3x112x112 1" \
  "train 3x48x48 32 bfloat16" "train 3x112x112 32 bfloat16" "infer 3x112x112 1 bfloat16"
for case in "$@"; do
  set -- $case
  kind=$1; input=$2; batch=$3; precision=${4:-float32}
  extra="--precision $precision"
  fer_all=""; torch_all=""
  i=0
  while [ $i -lt "$rounds" ]; do
    fer_all="$fer_all $(run fer $fer bench "$kind" resnet50 --input "$input" --batch "$batch" $extra --json)"
    torch_all="$torch_all $(run torch /usr/bin/python3 benchmarks/pytorch_peer.py "$kind" --input "$input" --batch "$batch" --threads "$threads" $extra)"
    i=$((i + 1))
  done
  name="$kind $input batch $batch"
  if [ "$precision" != float32 ]; then name="$name $precision"; fi
  python3 - "$name" "$fer_all" "$torch_all" <<'PY'
import statistics, sys
name, fer, torch = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
f = statistics.median(float(v) for v in fer[0::2]); t = statistics.median(float(v) for v in torch[0::2])
unit = "img/s"
if name.startswith("infer"):
    # latency reads better for batch 1
    print("%-34s %9.2f ms %9.2f ms %7.2fx %7s MB %7s MB" % (name, 1000 / f, 1000 / t, f / t, max(fer[1::2]), max(torch[1::2])))
else:
    print("%-34s %6.1f %s %6.1f %s %7.2fx %7s MB %7s MB" % (name, f, unit, t, unit, f / t, max(fer[1::2]), max(torch[1::2])))
PY
done
