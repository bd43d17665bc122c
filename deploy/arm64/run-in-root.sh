#!/bin/sh
# Runs one command inside the arm64 root that build-root.sh made, under qemu-aarch64 (docs/arm64.md).
#
#   deploy/arm64/run-in-root.sh [--root ROOT] [--bind HOST_DIR:ROOT_DIR]... -- COMMAND [ARG]...
#
# Needs root and binfmt_misc with qemu-aarch64 (F flag): the command runs in a chroot with /proc and /sys
# (read-only) bound in and a /dev of its own, so that every process it starts (java, dpkg's maintainer scripts,
# systemd-analyze) is arm64 code under qemu. --bind folders are bound read-only.
#
# qemu emulates a Cortex-A72, the Raspberry Pi 4's core (QEMU_CPU, default cortex-a72), and /proc/cpuinfo in
# the root describes such a CPU: qemu-user passes the host's x86 /proc/cpuinfo through, and ONNX Runtime's
# CPU detection (cpuinfo) crashes on it while the library loads (SIGSEGV in dlopen), which a real arm64 board
# never shows.
set -eu

PROG=run-in-root.sh
ROOT=${FACEGATE_ARM64_ROOT:-/var/tmp/facegate-arm64-root}
BINDS=""

die() { echo "$PROG: error: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --root) ROOT=${2:?--root needs a directory}; shift 2 ;;
        --bind) BINDS="$BINDS ${2:?--bind needs HOST_DIR:ROOT_DIR}"; shift 2 ;;
        --) shift; break ;;
        *) die "unknown option: $1 (usage: $PROG [--root ROOT] [--bind HOST:ROOT_DIR]... -- COMMAND...)" ;;
    esac
done
[ $# -gt 0 ] || die "no command given"
[ -x "$ROOT/usr/bin/java" ] || die "$ROOT has no /usr/bin/java: build it with deploy/arm64/build-root.sh"
arch=$(cat "$ROOT/var/lib/dpkg/arch" 2>/dev/null | head -n 1 || true)
[ "${arch:-}" = arm64 ] || die "$ROOT is not an arm64 root (dpkg arch: ${arch:-unknown})"

. "$(dirname "$0")/binfmt.sh"

[ "$(id -u)" -eq 0 ] || die "run as root (chroot and bind mounts)"
ensure_binfmt_aarch64 || die "arm64 binaries cannot run here: binfmt_misc has no enabled qemu-aarch64 entry with
the F flag (apt-get install qemu-user-static binfmt-support; mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc;
update-binfmts --enable qemu-aarch64)"

# Every mount below lives in a mount namespace of this command's own and ends with it: nothing is left
# mounted in the root, and two commands can run in it at once.
if [ -z "${FACEGATE_ROOT_NS:-}" ]; then
    FACEGATE_ROOT_NS=1 exec unshare --mount --propagation private "$0" --root "$ROOT" $(for b in $BINDS; do
        printf -- '--bind %s ' "$b"; done) -- "$@"
fi
cpuinfo=""
trap '[ -z "$cpuinfo" ] || rm -f "$cpuinfo"' EXIT
bind() {
    mkdir -p "$2"
    mount --bind "$1" "$2"
}
bind /proc "$ROOT/proc"
bind /sys "$ROOT/sys"
mount -o remount,bind,ro "$ROOT/sys"
# A /dev of the root's own, not the host's: a script in the root that chmods or writes a device node (as the
# old install.sh did through a /dev/null mask link) must not change this machine's.
mount -t tmpfs -o mode=0755,nosuid tmpfs "$ROOT/dev"
for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
    name=${node%%:*}
    nums=${node#*:}
    mknod -m 0666 "$ROOT/dev/$name" c "${nums%%:*}" "${nums#*:}"
done
mkdir -m 1777 "$ROOT/dev/shm"
ln -s /proc/self/fd "$ROOT/dev/fd"
ln -s /proc/self/fd/0 "$ROOT/dev/stdin"
ln -s /proc/self/fd/1 "$ROOT/dev/stdout"
ln -s /proc/self/fd/2 "$ROOT/dev/stderr"
if [ "$(uname -m)" != aarch64 ]; then
    cpuinfo=$(mktemp /tmp/facegate-cpuinfo.XXXXXX)
    n=$(grep -c '^processor' /proc/cpuinfo || echo 1)
    i=0
    while [ "$i" -lt "$n" ]; do
        printf 'processor\t: %d\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\n' "$i"
        printf 'CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n\n'
        i=$((i + 1))
    done >"$cpuinfo"
    mount --bind "$cpuinfo" "$ROOT/proc/cpuinfo"
fi
for b in $BINDS; do
    src=${b%%:*}
    dst=${b#*:}
    [ -d "$src" ] || die "--bind: no folder $src"
    case "$dst" in /*) ;; *) die "--bind: $dst must be an absolute path in the root" ;; esac
    bind "$src" "$ROOT$dst"
    mount -o remount,bind,ro "$ROOT$dst"
done
# not exec: the trap removes the cpuinfo file after the command ends; its exit status is ours
status=0
chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    QEMU_CPU="${QEMU_CPU:-cortex-a72}" /bin/sh -c 'cd / && exec "$@"' sh "$@" || status=$?
exit "$status"
