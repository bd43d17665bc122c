#!/bin/sh
# The arm64 proof (issue 12): runs the project's jar in the arm64 root under qemu-aarch64 and on this machine,
# with the same commands, and compares.
#
#   deploy/arm64/verify.sh [--root ROOT] [--faces DIR] [--out DIR] [--sets "deepface bbt"]
#
#  - `facegate bench verify --json` on every set: AUC and EER must be equal to 4 decimals (the arm64 natives of
#    ONNX Runtime and JavaCV load and agree with x86-64);
#  - `facegate demo` must exit 0 under qemu (and here);
#  - wall time of each command on both, in OUT/timings.tsv: the cost of EMULATION on this machine, never a
#    Raspberry Pi's or a Jetson's speed.
# Needs: root, binfmt_misc with qemu-aarch64 (run-in-root.sh), a root from build-root.sh, and
# `models/fetch && mvn -B -q package -DskipTests` done. Exit 0 only when every check passed.
set -eu

PROG=verify.sh
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
ROOT=${FACEGATE_ARM64_ROOT:-/var/tmp/facegate-arm64-root}
FACES=${FACEGATE_FACES:-$REPO/../shared/faces}
OUT=/tmp/facegate-arm64-check
SETS="deepface bbt"

die() { echo "$PROG: error: $*" >&2; exit 2; }
info() { echo "$PROG: $*"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --root) ROOT=${2:?}; shift 2 ;;
        --faces) FACES=${2:?}; shift 2 ;;
        --out) OUT=${2:?}; shift 2 ;;
        --sets) SETS=${2:?}; shift 2 ;;
        *) die "unknown option: $1" ;;
    esac
done
[ -f "$REPO/target/facegate.jar" ] || die "no target/facegate.jar: run mvn -B -q package -DskipTests"
for m in fr_detect fr_landmark fr_feature fr_liveness; do
    [ -f "$REPO/models/$m.onnx" ] || die "models/$m.onnx missing: run models/fetch"
done
[ -d "$FACES" ] || die "no faces folder at $FACES (FACEGATE_FACES)"
FACES=$(cd "$FACES" && pwd)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
: >"$OUT/timings.tsv"

# The same JVM options on both sides (those of ./facegate); the native cache is per architecture.
JOPTS="--add-modules jdk.incubator.vector -XX:+UseSerialGC"
CHECK=/opt/facegate-check

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# x86 NAME ARGS...: facegate on this machine; stdout to OUT/x86-NAME.out, stderr to .err; returns its status
x86() {
    name=$1; shift
    t0=$(now); rc=0
    java $JOPTS -Dorg.bytedeco.javacpp.cachedir="$OUT/javacpp-x86" -jar "$REPO/target/facegate.jar" "$@" \
        >"$OUT/x86-$name.out" 2>"$OUT/x86-$name.err" </dev/null || rc=$?
    printf 'x86_64\t%s\t%s\t%s\n' "$name" "$(elapsed "$t0" "$(now)")" "$rc" >>"$OUT/timings.tsv"
    return "$rc"
}

# arm NAME ARGS...: the same under qemu-aarch64 in ROOT, with the build, models and faces bound in read-only
arm() {
    name=$1; shift
    t0=$(now); rc=0
    "$HERE/run-in-root.sh" --root "$ROOT" \
        --bind "$REPO/target:$CHECK/target" --bind "$REPO/models:$CHECK/models" --bind "$FACES:$CHECK/faces" \
        -- /usr/bin/java $JOPTS -Dorg.bytedeco.javacpp.cachedir=/var/tmp/facegate-javacpp \
        -jar "$CHECK/target/facegate.jar" "$@" >"$OUT/arm64-$name.out" 2>"$OUT/arm64-$name.err" </dev/null || rc=$?
    printf 'arm64-qemu\t%s\t%s\t%s\n' "$name" "$(elapsed "$t0" "$(now)")" "$rc" >>"$OUT/timings.tsv"
    return "$rc"
}

# json_num FILE KEY: the number KEY in the one-line JSON object of FILE, rounded to 4 decimals
json_num() {
    v=$(tr -d ' \n' <"$1" | grep -o "\"$2\":[-0-9.eE]*" | head -n 1 | cut -d: -f2)
    [ -n "$v" ] || { echo missing; return; }
    awk -v v="$v" 'BEGIN { printf "%.4f", v }'
}

failed=0
info "arm64 root: $ROOT ($("$HERE/run-in-root.sh" --root "$ROOT" -- /usr/bin/uname -m))"
for set in $SETS; do
    [ -d "$FACES/$set" ] || die "no set $FACES/$set"
    info "bench verify $set on x86-64 ..."
    x86 "verify-$set" bench verify --dataset "$FACES/$set" --json --models "$REPO/models" \
        || { info "FAIL: x86 bench verify $set exited non-zero (see $OUT/x86-verify-$set.err)"; failed=1; }
    info "bench verify $set under qemu-aarch64 (slow) ..."
    arm "verify-$set" bench verify --dataset "$CHECK/faces/$set" --json --models "$CHECK/models" \
        || { info "FAIL: arm64 bench verify $set exited non-zero (see $OUT/arm64-verify-$set.err)"; failed=1; }
    # reported, not required: the score at the EER and TAR at FAR 1e-2 (equal too when the scores agree closely)
    for key in eer_threshold tar_at_far_1e-2; do
        info "$set $key: x86-64 $(json_num "$OUT/x86-verify-$set.out" "$key"), arm64 $(json_num "$OUT/arm64-verify-$set.out" "$key")"
    done
    for key in auc eer; do
        a=$(json_num "$OUT/x86-verify-$set.out" "$key")
        b=$(json_num "$OUT/arm64-verify-$set.out" "$key")
        if [ "$a" = "$b" ] && [ "$a" != missing ]; then
            info "$set $key: x86-64 $a = arm64 $b"
        else
            info "FAIL: $set $key: x86-64 $a, arm64 $b"
            failed=1
        fi
    done
done

info "demo on x86-64 ..."
x86 demo demo --models "$REPO/models" || { info "FAIL: demo on x86-64 exited non-zero (see $OUT/x86-demo.err)"; failed=1; }
info "demo under qemu-aarch64 ..."
arm demo demo --models "$CHECK/models" \
    || { info "FAIL: demo under qemu-aarch64 exited non-zero (see $OUT/arm64-demo.err)"; failed=1; }

info "wall seconds (this machine: $(nproc) cores, $(uname -m); arm64 is EMULATED (qemu ${QEMU_CPU:-cortex-a72}), not a Pi):"
awk -F'\t' '{ t[$2, $1] = $3; rc[$2, $1] = $4; names[$2] = 1 }
    END { for (n in names) if (t[n, "x86_64"] > 0)
        printf "  %-16s x86-64 %7.1f s (exit %s)   qemu-aarch64 %8.1f s (exit %s)   x%.1f\n", n, t[n, "x86_64"],
            rc[n, "x86_64"], t[n, "arm64-qemu"], rc[n, "arm64-qemu"], t[n, "arm64-qemu"] / t[n, "x86_64"] }' \
    "$OUT/timings.tsv" | sort | tee "$OUT/summary.txt"
if [ "$failed" -eq 0 ]; then
    info "PASS: arm64 under qemu agrees with x86-64 (outputs in $OUT)"
else
    info "FAILED (outputs in $OUT)"
fi
exit "$failed"
