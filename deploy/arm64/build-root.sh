#!/bin/sh
# Builds a Debian bookworm arm64 root file system with a Java 17 runtime, from Debian's packages, to run
# facegate under qemu-aarch64-static on an x86-64 machine (docs/arm64.md).
#
#   deploy/arm64/build-root.sh [ROOT]        default ROOT: $FACEGATE_ARM64_ROOT or /var/tmp/facegate-arm64-root
#
# Needs: mmdebstrap, qemu-user-static and binfmt-support (apt-get install mmdebstrap qemu-user-static
# binfmt-support), and root (or MMDEBSTRAP_MODE=unshare with subuids). The packages' maintainer scripts run
# as arm64 code, so the kernel must hand arm64 binaries to qemu: binfmt_misc with qemu-aarch64 registered
# (this script registers it when it can). An emulated root is a correctness check, never a Pi's speed.
set -eu

PROG=build-root.sh
ROOT=${1:-${FACEGATE_ARM64_ROOT:-/var/tmp/facegate-arm64-root}}
SUITE=${FACEGATE_ARM64_SUITE:-bookworm}
MIRROR=${FACEGATE_ARM64_MIRROR:-http://deb.debian.org/debian}
MODE=${MMDEBSTRAP_MODE:-auto}
# openjdk-17-jre-headless: what the unit starts (/usr/bin/java); systemd: systemd-analyze verify on the
# installed unit and the directories of a real install; adduser, unzip: what install.sh and the .deb use.
PACKAGES=openjdk-17-jre-headless,systemd,adduser,unzip

die() { echo "$PROG: error: $*" >&2; exit 1; }

command -v mmdebstrap >/dev/null || die "mmdebstrap not found (apt-get install mmdebstrap)"
command -v qemu-aarch64-static >/dev/null || [ "$(uname -m)" = aarch64 ] \
    || die "qemu-aarch64-static not found (apt-get install qemu-user-static binfmt-support)"

. "$(dirname "$0")/binfmt.sh"
ensure_binfmt_aarch64 || die "arm64 binaries cannot run here: binfmt_misc has no enabled qemu-aarch64 entry
(mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc && update-binfmts --enable qemu-aarch64)"

[ ! -e "$ROOT" ] || [ -z "$(ls -A "$ROOT" 2>/dev/null)" ] || die "$ROOT exists and is not empty: remove it first"

echo "$PROG: building $SUITE arm64 in $ROOT from $MIRROR (the packages' scripts run under qemu: minutes)"
mmdebstrap --mode="$MODE" --variant=minbase --architectures=arm64 --include="$PACKAGES" \
    --format=directory "$SUITE" "$ROOT" "$MIRROR"

# A plain check that the root's Java is arm64 and runs: the first thing run-in-root.sh relies on.
"$(dirname "$0")/run-in-root.sh" --root "$ROOT" -- /usr/bin/java -version
echo "$PROG: root ready: export FACEGATE_ARM64_ROOT=$ROOT"
