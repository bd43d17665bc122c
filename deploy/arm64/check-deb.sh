#!/bin/sh
# Installs and removes the arm64 .deb in the arm64 root under qemu-aarch64, and runs deploy/install.sh there
# too (issue 12, item 4). Leaves the root as it found it, except the system user facegate, which Debian
# packages do not remove.
#
#   deploy/arm64/check-deb.sh [--root ROOT] [--deb FILE]
#
# Needs: root, binfmt_misc with qemu-aarch64 (run-in-root.sh), a root from build-root.sh, and
# `models/fetch && mvn -B -q package -DskipTests -Pdeb` done. Exit 0 only when every check passed.
set -eu

PROG=check-deb.sh
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
ROOT=${FACEGATE_ARM64_ROOT:-/var/tmp/facegate-arm64-root}
DEB=""
SRC=/srv/facegate-src

die() { echo "$PROG: error: $*" >&2; exit 2; }
info() { echo "$PROG: $*"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --root) ROOT=${2:?}; shift 2 ;;
        --deb) DEB=${2:?}; shift 2 ;;
        *) die "unknown option: $1" ;;
    esac
done
if [ -z "$DEB" ]; then
    for f in "$REPO"/target/facegate_*_arm64.deb; do DEB=$f; done
fi
[ -f "$DEB" ] || die "no arm64 package in target/: run models/fetch && mvn -B -q package -DskipTests -Pdeb"
DEB=$(readlink -f "$DEB")
case "$DEB" in
    "$REPO"/*) DEB_IN_ROOT=$SRC/${DEB#"$REPO"/} ;;
    *) die "--deb must lie inside $REPO (bound into the root at $SRC)" ;;
esac

# inroot SCRIPT: sh -c SCRIPT inside the root (arm64, under qemu) with this checkout bound read-only at $SRC
inroot() {
    "$HERE/run-in-root.sh" --root "$ROOT" --bind "$REPO:$SRC" -- /bin/sh -c "$1"
}

failed=0
# check WHAT SCRIPT: SCRIPT must exit 0 in the root
check() {
    if out=$(inroot "$2" 2>&1); then
        info "ok: $1"
    else
        info "FAIL: $1"
        printf '%s\n' "$out" | sed 's/^/    /'
        failed=1
    fi
}

inroot 'dpkg-query -W -f="\${Status}" facegate 2>/dev/null | grep -q "ok installed"' \
    && die "facegate is already installed in $ROOT: dpkg -P facegate there first"
inroot '[ ! -e /opt/facegate ]' || die "$ROOT already has /opt/facegate: remove it first"

info "1. deploy/install.sh in the arm64 root"
check "install.sh installs (platform checks pass on arm64, Bookworm's glibc and Java)" \
    "sh $SRC/deploy/install.sh --release check"
check "install.sh layout: current release, symlinks, configuration, user" \
    '[ -L /opt/facegate/current ] && [ -f /opt/facegate/facegate.jar ] && [ -d /opt/facegate/lib ] \
     && [ -f /opt/facegate/models/fr_feature.onnx ] && [ -f /opt/facegate/README.md ] \
     && [ "$(stat -c %U:%G:%a /etc/facegate/facegate.yml)" = root:facegate:640 ] \
     && [ "$(stat -c %U:%G /var/lib/facegate)" = facegate:facegate ] && id -nG facegate | grep -qw gpio'
check "systemd-analyze verify on the unit install.sh installed" \
    'out=$(systemd-analyze verify /etc/systemd/system/facegate.service 2>&1) && [ -z "$out" ] || { echo "$out"; false; }'
check "the .deb refuses to unpack over the install.sh layout" \
    "! dpkg -i $DEB_IN_ROOT && ! dpkg-query -W -f='\${Status}' facegate 2>/dev/null | grep -q 'ok installed' \
     && [ -L /opt/facegate/current ]"
# what an admin moving to the package does (preinst's message), plus the user, so the package makes its own
inroot 'dpkg -P facegate >/dev/null 2>&1 || true; rm -rf /opt/facegate /etc/systemd/system/facegate.service \
    /etc/facegate /var/lib/facegate /var/cache/facegate; userdel facegate; groupdel gpio'

info "2. dpkg -i $(basename "$DEB")"
check "dpkg -i installs" "dpkg -i $DEB_IN_ROOT"
check "installed: package, user and groups, directories and modes, enabled unit" \
    '[ "$(dpkg-query -W -f="\${Status} \${Architecture}" facegate)" = "install ok installed arm64" ] \
     && id -nG facegate | grep -qw video && id -nG facegate | grep -qw gpio \
     && [ "$(getent passwd facegate | cut -d: -f6,7)" = /var/lib/facegate:/usr/sbin/nologin ] \
     && [ "$(stat -c %U:%G:%a /var/lib/facegate)" = facegate:facegate:750 ] \
     && [ "$(stat -c %U:%G:%a /var/cache/facegate/javacpp)" = facegate:facegate:750 ] \
     && [ "$(stat -c %U:%G:%a /etc/facegate)" = root:facegate:750 ] \
     && [ "$(stat -c %U:%G:%a /etc/facegate/facegate.yml)" = root:facegate:640 ] \
     && [ -f /lib/systemd/system/facegate.service ] \
     && [ -L /etc/systemd/system/multi-user.target.wants/facegate.service ] \
     && dpkg-query -W -f="\${Conffiles}" facegate | grep -q /etc/facegate/facegate.yml'
check "only arm64 natives installed" \
    '! ls /opt/facegate/lib | grep -q x86_64 && ls /opt/facegate/lib | grep -q linux-arm64 \
     && ! unzip -l /opt/facegate/lib/onnxruntime-*.jar | grep -q native/linux-x64 \
     && unzip -l /opt/facegate/lib/onnxruntime-*.jar | grep -q native/linux-aarch64'
check "systemd-analyze verify on the installed unit" \
    'out=$(systemd-analyze verify /lib/systemd/system/facegate.service 2>&1) && [ -z "$out" ] || { echo "$out"; false; }'
check "the installed jar reads the installed configuration as user facegate (run --check, arm64 JVM)" \
    'runuser -u facegate -- /usr/bin/java --add-modules jdk.incubator.vector -jar /opt/facegate/facegate.jar \
        run --config /etc/facegate/facegate.yml --check'
check "install.sh refuses while the package is installed" "! sh $SRC/deploy/install.sh --release check2"
check "dpkg -i again (reinstall/upgrade path), with the conffile deleted by the admin" \
    "rm /etc/facegate/facegate.yml && dpkg -i $DEB_IN_ROOT && [ ! -e /etc/facegate/facegate.yml ] \
     && dpkg -i --force-confmiss $DEB_IN_ROOT \
     && [ \"\$(stat -c %U:%G:%a /etc/facegate/facegate.yml)\" = root:facegate:640 ]"

info "3. dpkg -r facegate, dpkg -P facegate"
check "dpkg -r removes program, unit and cache; keeps configuration and data" \
    'dpkg -r facegate && [ ! -e /opt/facegate ] && [ ! -e /lib/systemd/system/facegate.service ] \
     && [ ! -e /etc/systemd/system/multi-user.target.wants/facegate.service ] && [ ! -e /var/cache/facegate ] \
     && [ -f /etc/facegate/facegate.yml ] && [ -d /var/lib/facegate ] \
     && dpkg-query -W -f="\${Status}" facegate | grep -q "deinstall ok config-files"'
check "install.sh installs after dpkg -r (its unit replaces the package's mask link, not /dev/null)" \
    "sh $SRC/deploy/install.sh --release check3 && [ -f /etc/systemd/system/facegate.service ] \
     && [ ! -L /etc/systemd/system/facegate.service ] && [ \"\$(stat -c %a /dev/null)\" = 666 ] \
     && out=\$(systemd-analyze verify /etc/systemd/system/facegate.service 2>&1) && [ -z \"\$out\" ]"
inroot 'rm -rf /opt/facegate /etc/systemd/system/facegate.service'
check "dpkg -P purges configuration, data and the unit's state" \
    'dpkg -P facegate && [ ! -e /etc/facegate ] && [ ! -e /var/lib/facegate ] \
     && [ ! -e /etc/systemd/system/facegate.service ] \
     && ! dpkg-query -W -f="\${Status}" facegate 2>/dev/null | grep -q installed'

if [ "$failed" -eq 0 ]; then info "PASS"; else info "FAILED"; fi
exit "$failed"
