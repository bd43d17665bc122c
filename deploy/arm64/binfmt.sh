# Sourced by the arm64 scripts. ensure_binfmt_aarch64: true when this kernel runs arm64 binaries, natively or
# through qemu-aarch64 registered in binfmt_misc with the F flag (qemu opened at registration, so it works
# inside a chroot that has no qemu of its own); registers it when it can (root, binfmt-support installed).
binfmt_aarch64_ready() {
    [ "$(uname -m)" = aarch64 ] && return 0
    entry=/proc/sys/fs/binfmt_misc/qemu-aarch64
    [ -r "$entry" ] && grep -qx enabled "$entry" && grep -q '^flags:.*F' "$entry"
}

ensure_binfmt_aarch64() {
    binfmt_aarch64_ready && return 0
    [ "$(id -u)" -eq 0 ] || return 1
    if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
        mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || return 1
    fi
    command -v update-binfmts >/dev/null 2>&1 && update-binfmts --enable qemu-aarch64 >/dev/null 2>&1
    binfmt_aarch64_ready
}
