#!/bin/sh
# AttnFER against PyTorch eager on this machine, the two measured alternately (ROUNDS times each,
# medians) so that both see the same machine state. Prints a table and appends one row per case to
# benchmarks/results/compare.csv (date, machine, commit, case, both figures, ratio, peak memory).
# Usage: benchmarks/compare.sh [ROUNDS [CASE...]]
#   a CASE is "KIND MODEL INPUT BATCH [PRECISION [THREADS]]", e.g. "train resnet50 3x112x112 32 bfloat16";
#   PRECISION bfloat16 is AttnFER's --precision bfloat16 against PyTorch's CPU autocast; THREADS
#   defaults to the cores.
#   Needs Debian's python3-torch and python3-torchvision for /usr/bin/python3, and for a fair peer
#   an optimised BLAS such as libopenblas0-pthread.
set -e
cd "$(dirname "$0")/.."
rounds=${1:-3}
if [ $# -gt 0 ]; then shift; fi
cores=$(nproc)
fer=./fer
csv=benchmarks/results/compare.csv
if ! /usr/bin/python3 -c "import torch, torchvision" 2>/dev/null; then
  echo "compare.sh: the PyTorch peer needs Debian's python3-torch and python3-torchvision for /usr/bin/python3: apt install python3-torch python3-torchvision libopenblas0-pthread" >&2
  exit 2
fi
$fer features >/dev/null   # builds the distribution when it is missing or stale
# the peer gets the allocator settings bin/fer gives AttnFER (they make PyTorch faster too)
. runtime/target/fer/bin/malloc.env
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run() { # name, then the command; prints "images/s peak-MB"
  name=$1; shift
  if ! "$@" > "$out/$name.json" 2> "$out/$name.err"; then
    echo "compare.sh: $* failed: $(tail -n 1 "$out/$name.err")" >&2
    exit 1
  fi
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('%.3f %d' % (d['images_per_second'], d.get('peak_resident_mb', -1)))" "$out/$name.json"
}

# Debian's python3-torch multiplies matrices with whatever libblas.so.3 is selected: the reference
# BLAS runs at a few GFLOP/s and makes the peer's batch-1 inference several times slower
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 || echo unknown)
echo "peer BLAS: $blas"
case $blas in
  */blas/libblas.so.3*) echo "warning: the peer runs the reference BLAS; apt install libopenblas0-pthread for a fair peer" >&2 ;;
esac
machine=$($fer bench sgemm --seconds 0.3 --json | python3 -c "import json,sys; print(json.load(sys.stdin)['cpu'])")
commit=$(git rev-parse --short=7 HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || commit="$commit-dirty"
echo "machine: $machine, $cores cores; commit $commit"
[ -f "$csv" ] || echo "date,machine,commit,command,rounds,case,attnfer,pytorch,unit,ratio,attnfer_peak_mb,pytorch_peak_mb,notes" > "$csv"
printf '%-44s %12s %12s %8s %10s %10s\n' CASE ATTNFER PYTORCH RATIO "RSS FER" "RSS TORCH"
[ $# -gt 0 ] || set -- "train resnet50 3x48x48 32" "train resnet50 3x112x112 32" "infer resnet50 3x112x112 1" \
  "train resnet50 3x48x48 32 bfloat16" "train resnet50 3x112x112 32 bfloat16" "infer resnet50 3x112x112 1 bfloat16" \
  "train resnet18 1x48x48 32 float32 1"
for case in "$@"; do
  set -- $case
  kind=$1; model=$2; input=$3; batch=$4; precision=${5:-float32}; threads=${6:-$cores}
  fer_all=""; torch_all=""
  i=0
  while [ $i -lt "$rounds" ]; do
    fer_all="$fer_all $(FER_THREADS=$threads run fer $fer bench "$kind" "$model" --input "$input" --batch "$batch" --precision "$precision" --json)"
    torch_all="$torch_all $(run torch /usr/bin/python3 benchmarks/pytorch_peer.py "$kind" --model "$model" --input "$input" --batch "$batch" --threads "$threads" --precision "$precision")"
    i=$((i + 1))
  done
  python3 - "$case" "$fer_all" "$torch_all" "$csv" "$machine, $cores cores" "$commit" "$rounds" <<'PY'
import csv, datetime, statistics, sys
case, fer, torch, path, machine, commit, rounds = sys.argv[1:8]
fer, torch = fer.split(), torch.split()
f = statistics.median(float(v) for v in fer[0::2]); t = statistics.median(float(v) for v in torch[0::2])
rf, rt = max(int(v) for v in fer[1::2]), max(int(v) for v in torch[1::2])
latency = case.startswith("infer") and case.split()[3] == "1"
if latency:
    a, p, unit = 1000 / f, 1000 / t, "ms"
    print("%-44s %9.2f ms %9.2f ms %7.2fx %7d MB %7d MB" % (case, a, p, f / t, rf, rt))
else:
    a, p, unit = f, t, "img/s"
    print("%-44s %6.1f img/s %6.1f img/s %7.2fx %7d MB %7d MB" % (case, a, p, f / t, rf, rt))
with open(path, "a", newline="") as out:
    csv.writer(out).writerow([datetime.date.today().isoformat(), machine, commit, "benchmarks/compare.sh " + rounds,
                              rounds, case, round(a, 2), round(p, 2), unit, "%.2f" % (f / t), rf, rt, ""])
PY
done
