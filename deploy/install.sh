#!/bin/sh
# Installs, upgrades or rolls back facegate on Raspberry Pi OS Bookworm or JetPack 6 (Ubuntu 22.04).
#
#   sudo deploy/install.sh                      install/upgrade from this checkout's build (target/)
#   sudo deploy/install.sh --rollback           switch back to the previous release and restart
#   deploy/install.sh --root /tmp/stage ...     stage under a directory (no root, users or systemctl)
#
# Layout: every release lives in /opt/facegate/releases/<release>/ (facegate.jar, lib/, models/);
# /opt/facegate/current points at the running one and /opt/facegate/previous at the one before.
# /opt/facegate/{facegate.jar,lib,models} point into current, because the jar's manifest finds its
# libraries at lib/ next to the path it was started from. Switching is one atomic rename of a symlink.
# Configuration (/etc/facegate) and data (/var/lib/facegate) are never touched by upgrades.
set -eu

PROG=$(basename "$0")
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)

ROOT=""
JAR="$REPO/target/facegate.jar"
LIB="$REPO/target/lib"
MODELS=""
RELEASE=""
EXAMPLE="$HERE/facegate.yml"
UNIT="$REPO/systemd/facegate.service"
ACTION=install
KEEP=3
START=no

usage() {
    cat <<EOF
Usage: $PROG [options]          install or upgrade facegate
       $PROG --rollback         return to the previous release

Options:
  --jar FILE        application jar (default: target/facegate.jar)
  --lib DIR         its libraries (default: target/lib)
  --models DIR      folder with the fr_*.onnx models (default: models/ of this checkout,
                    else the models of the current release are reused)
  --release NAME    release name (default: <version>-<UTC timestamp>)
  --keep N          releases to keep, current and previous included (default: 3)
  --start           start (or restart) the service after installing
  --root DIR        install under DIR instead of / (staging, tests): no user, no systemctl
  --rollback        make the previous release current again and restart the service
  -h, --help        this help
EOF
}

die() {
    echo "$PROG: error: $*" >&2
    exit 1
}

info() {
    echo "$PROG: $*"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --jar) JAR=${2:?--jar needs a file}; shift 2 ;;
        --lib) LIB=${2:?--lib needs a directory}; shift 2 ;;
        --models) MODELS=${2:?--models needs a directory}; shift 2 ;;
        --release) RELEASE=${2:?--release needs a name}; shift 2 ;;
        --keep) KEEP=${2:?--keep needs a number}; shift 2 ;;
        --start) START=yes; shift ;;
        --root) ROOT=${2:?--root needs a directory}; shift 2 ;;
        --rollback) ACTION=rollback; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done

case "$KEEP" in
    ''|*[!0-9]*) die "--keep must be a number >= 2" ;;
esac
[ "$KEEP" -ge 2 ] || die "--keep must be >= 2 (current and previous)"
case "$RELEASE" in
    */*|.*) die "--release must be a plain name" ;;
esac

if [ -n "$ROOT" ]; then
    mkdir -p "$ROOT"
    ROOT=$(cd "$ROOT" && pwd)
    STAGING=yes
else
    STAGING=no
fi
OPT="$ROOT/opt/facegate"
ETC="$ROOT/etc/facegate"
STATE="$ROOT/var/lib/facegate"
CACHE="$ROOT/var/cache/facegate"
UNIT_DIR="$ROOT/etc/systemd/system"

have_systemd() {
    [ "$STAGING" = no ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1
}

# version_ge A B: true when dotted version A >= B
version_ge() {
    [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}

# The .deb and this script lay out /opt/facegate differently (files versus release symlinks): one or the other.
check_no_package() {
    [ "$STAGING" = no ] || return 0
    if command -v dpkg-query >/dev/null 2>&1 \
        && dpkg-query -W -f='${Status}' facegate 2>/dev/null | grep -q 'ok installed'; then
        die "the facegate package is installed: upgrade it with 'dpkg -i facegate_<version>_<arch>.deb', or remove it first (dpkg -r facegate)"
    fi
}

check_platform() {
    case "$(uname -m)" in
        aarch64|arm64|x86_64) ;;
        *) die "unsupported architecture $(uname -m): native libraries ship for linux-arm64 and linux-x86_64 (a 64-bit OS is required)" ;;
    esac
    glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')
    [ -n "$glibc" ] || die "cannot determine the glibc version (getconf GNU_LIBC_VERSION)"
    version_ge "$glibc" 2.35 || die "glibc $glibc is too old: 2.35 or newer is needed (Raspberry Pi OS Bookworm has 2.36, JetPack 6 has 2.35)"
    # The unit starts /usr/bin/java, so that is the Java that must be recent enough.
    java=/usr/bin/java
    [ -x "$java" ] || die "$java not found: install Java 17 or newer (apt-get install openjdk-17-jre-headless)"
    jv=$("$java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2; exit}')
    [ -n "$jv" ] || die "cannot determine the version of $java"
    version_ge "$jv" 17 || die "$java is Java $jv: Java 17 or newer is needed (apt-get install openjdk-17-jre-headless)"
    info "platform ok: $(uname -m), glibc $glibc, Java $jv"
}

check_root() {
    if [ "$STAGING" = no ] && [ "$(id -u)" -ne 0 ]; then
        die "run as root (sudo $PROG ...), or stage with --root DIR"
    fi
}

create_user() {
    if [ "$STAGING" = yes ]; then
        info "staging: would create system user facegate (groups video, gpio)"
        return
    fi
    # JetPack has no gpio group by default; the unit's SupplementaryGroups= fails without it.
    getent group video >/dev/null || groupadd --system video
    getent group gpio >/dev/null || groupadd --system gpio
    if ! id facegate >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/facegate --no-create-home --shell /usr/sbin/nologin \
            --user-group --groups video,gpio --comment "facegate door controller" facegate
        info "created system user facegate"
    else
        usermod --append --groups video,gpio facegate
    fi
}

# own PATH MODE: root-owned group facegate in a real install, plain in staging
own() {
    chmod "$2" "$1"
    if [ "$STAGING" = no ]; then
        chown root:facegate "$1"
    fi
}

make_dirs() {
    mkdir -p "$OPT/releases" "$ETC" "$STATE" "$CACHE/javacpp"
    own "$ETC" 0750
    if [ "$STAGING" = no ]; then
        chown facegate:facegate "$STATE" "$CACHE" "$CACHE/javacpp"
        chmod 0750 "$STATE" "$CACHE"
    fi
}

release_name() {
    if [ -n "$RELEASE" ]; then
        echo "$RELEASE"
        return
    fi
    version=""
    if command -v unzip >/dev/null 2>&1; then
        version=$(unzip -p "$JAR" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\r' \
            | awk -F': ' '/^Implementation-Version:/ {print $2; exit}')
    fi
    echo "${version:-facegate}-$(date -u +%Y%m%d%H%M%S)"
}

# link NAME TARGET: atomically make $OPT/NAME a symlink to TARGET (relative to $OPT)
link() {
    ln -sfn "$2" "$OPT/.$1.new"
    mv -T "$OPT/.$1.new" "$OPT/$1"
}

current_release() {
    if [ -L "$OPT/current" ]; then
        basename "$(readlink "$OPT/current")"
    fi
}

install_release() {
    [ -f "$JAR" ] || die "no jar at $JAR: build it first (mvn -o -q -B package -DskipTests) or pass --jar"
    [ -d "$LIB" ] || die "no library folder at $LIB: build it first or pass --lib"
    if [ -z "$MODELS" ] && [ -d "$REPO/models" ]; then
        MODELS="$REPO/models"
    fi
    name=$(release_name)
    dest="$OPT/releases/$name"
    [ ! -e "$dest" ] || die "release $name already exists in $OPT/releases (pass another --release)"
    old=$(current_release)

    tmp="$OPT/releases/.$name.partial"
    rm -rf "$tmp"
    mkdir -p "$tmp/lib" "$tmp/models"
    cp "$JAR" "$tmp/facegate.jar"
    cp -R "$LIB/." "$tmp/lib/"
    if [ -n "$MODELS" ]; then
        [ -d "$MODELS" ] || die "no models folder at $MODELS"
        cp -R "$MODELS/." "$tmp/models/"
    elif [ -n "$old" ] && [ -d "$OPT/releases/$old/models" ]; then
        cp -R "$OPT/releases/$old/models/." "$tmp/models/"
        info "models reused from release $old"
    fi
    # the default pack's score calibration travels with the release (the door derives its threshold from it)
    if [ ! -f "$tmp/models/calibration.json" ] && [ -f "$REPO/models/calibration.json" ]; then
        cp "$REPO/models/calibration.json" "$tmp/models/"
    fi
    if ! ls "$tmp/models/"*.onnx >/dev/null 2>&1; then
        info "warning: release $name has no *.onnx models; pass --models DIR (recognition cannot start without them)"
    fi
    [ ! -f "$REPO/deploy/README.md" ] || cp "$REPO/deploy/README.md" "$tmp/README.md"
    chmod -R u=rwX,go=rX "$tmp"
    mv "$tmp" "$dest"

    if [ -n "$old" ]; then
        link previous "releases/$old"
    fi
    link current "releases/$name"
    link facegate.jar current/facegate.jar
    link lib current/lib
    link models current/models
    link README.md current/README.md
    info "release $name is current${old:+ (previous: $old)}"
    prune
}

# Removes the oldest releases beyond --keep, never current or previous.
prune() {
    cur=$(current_release)
    prev=""
    [ ! -L "$OPT/previous" ] || prev=$(basename "$(readlink "$OPT/previous")")
    # newest first by modification time of the release folder (names are plain: no slash, no newline)
    # shellcheck disable=SC2012
    ls -1t "$OPT/releases" | {
        count=0
        while IFS= read -r dir; do
            count=$((count + 1))
            if [ "$count" -gt "$KEEP" ] && [ "$dir" != "$cur" ] && [ "$dir" != "$prev" ]; then
                rm -rf "${OPT:?}/releases/$dir"
                info "removed old release $dir"
            fi
        done
    }
}

install_config() {
    if [ -f "$ETC/facegate.yml" ]; then
        info "keeping existing $ETC/facegate.yml"
    elif [ -f "$EXAMPLE" ]; then
        cp "$EXAMPLE" "$ETC/facegate.yml"
        own "$ETC/facegate.yml" 0640
        info "installed example configuration $ETC/facegate.yml: edit it before starting"
    else
        info "warning: no $ETC/facegate.yml and no example at $EXAMPLE"
    fi
}

install_unit() {
    [ -f "$UNIT" ] || die "no unit file at $UNIT"
    mkdir -p "$UNIT_DIR"
    # by way of a rename: a removed (not purged) facegate package leaves facegate.service as a mask
    # symlink to /dev/null, which cp would write through
    cp "$UNIT" "$UNIT_DIR/.facegate.service.new"
    chmod 0644 "$UNIT_DIR/.facegate.service.new"
    mv -f "$UNIT_DIR/.facegate.service.new" "$UNIT_DIR/facegate.service"
    if have_systemd; then
        systemctl daemon-reload
        systemctl enable facegate.service >/dev/null
        info "unit installed and enabled"
    else
        info "unit copied to $UNIT_DIR (no systemd here: run 'systemctl daemon-reload && systemctl enable facegate' on the target)"
    fi
}

restart_if_wanted() {
    if ! have_systemd; then
        return
    fi
    if [ "$START" = yes ] || systemctl is-active --quiet facegate.service; then
        systemctl restart facegate.service
        info "service restarted: journalctl -u facegate -f"
    else
        info "start it with: systemctl start facegate"
    fi
}

rollback() {
    [ -L "$OPT/previous" ] || die "no previous release to roll back to in $OPT"
    prev=$(basename "$(readlink "$OPT/previous")")
    cur=$(current_release)
    [ -d "$OPT/releases/$prev" ] || die "previous release $prev is missing from $OPT/releases"
    link current "releases/$prev"
    if [ -n "$cur" ]; then
        link previous "releases/$cur" # a second rollback goes forward again
    fi
    info "rolled back to release $prev (was ${cur:-none})"
    START=yes
    restart_if_wanted
}

check_root
if [ "$ACTION" = rollback ]; then
    rollback
    exit 0
fi
check_no_package
check_platform
create_user
make_dirs
install_release
install_config
install_unit
restart_if_wanted
