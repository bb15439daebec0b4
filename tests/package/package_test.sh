#!/usr/bin/env bash
# The Debian packages end to end: builds them with CPack, runs lintian (no
# errors allowed), installs them with apt into a fresh Debian 12 root made by
# debootstrap (so their dependencies resolve from the archive), checks the
# files, the unit (systemd-analyze verify) and the versions, runs the daemon
# the way the unit does and logs in with the first admin password, then
# purges: the state is kept unless METAROUTER_PURGE_STATE=1.
#
# usage: package_test.sh BUILD_DIR VERSION
# The debootstrapped root (as a tar) and apt's downloads are cached in
# BUILD_DIR/package-test/cache; each run unpacks a fresh root from it.
# MR_DEBIAN_MIRROR overrides the mirror (default: the host's own).
set -euo pipefail

BUILD=$(realpath "$1")
VERSION=$2
WORK=$BUILD/package-test
CACHE=$WORK/cache
ROOT=$WORK/root
DEBS=$WORK/debs

# Every mount below lives in a private mount namespace and goes away with
# this script, however it ends.
if [ -z "${MR_PACKAGE_TEST_NS:-}" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "package test: needs root (debootstrap, chroot, namespaces)" >&2
    exit 1
  fi
  MR_PACKAGE_TEST_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi

START=$SECONDS
step() { echo "== $((SECONDS - START)) s: $*"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

for tool in cpack debootstrap lintian dpkg-shlibdeps systemd-analyze unshare; do
  command -v "$tool" >/dev/null || fail "$tool not found (scripts/setup installs it)"
done

# The host's own Debian mirror (deb822 or one-line sources), the one apt uses here.
mirror() {
  if [ -n "${MR_DEBIAN_MIRROR:-}" ]; then
    echo "$MR_DEBIAN_MIRROR"
    return
  fi
  local m=""
  m=$(awk '$1 == "URIs:" && $2 ~ /\/debian\/?$/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  if [ -z "$m" ] && [ -f /etc/apt/sources.list ]; then
    m=$(sed 's/\[[^]]*\]//' /etc/apt/sources.list | awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }')
  fi
  echo "${m:-http://deb.debian.org/debian}"
}

ARCH=$(dpkg --print-architecture)
DEB_ROUTER=metarouter_${VERSION}_${ARCH}.deb
DEB_DESKTOP=metabox_${VERSION}_${ARCH}.deb
DEB_CLI=mrcli_${VERSION}_${ARCH}.deb

# ------------------------------------------------------------ build and lint
step "cpack -G DEB"
rm -rf "$DEBS"
mkdir -p "$DEBS" "$CACHE/apt/partial"
(cd "$BUILD" && cpack -G DEB -B "$DEBS") >"$WORK/cpack.log" 2>&1 || {
  cat "$WORK/cpack.log"
  fail "cpack"
}
for d in "$DEB_ROUTER" "$DEB_DESKTOP" "$DEB_CLI"; do
  [ -f "$DEBS/$d" ] || fail "cpack made no $d (see $WORK/cpack.log)"
  echo "   $d: $(stat -c %s "$DEBS/$d") bytes"
done

step "lintian"
# Tags at warning level and above are shown; only errors fail.
rc=0
lintian --fail-on error --display-level '>=warning' \
  "$DEBS/$DEB_ROUTER" "$DEBS/$DEB_DESKTOP" "$DEBS/$DEB_CLI" >"$WORK/lintian.log" 2>&1 || rc=$?
grep -v '^running with root privileges' "$WORK/lintian.log" | sed 's/^/   /' || true
[ $rc -eq 0 ] || fail "lintian reports errors"

# -------------------------------------------------------------- a fresh root
if [ ! -f "$CACHE/bookworm-minbase.tar" ]; then
  step "debootstrap bookworm (minbase) from $(mirror)"
  rm -rf --one-file-system "$WORK/bootstrap"
  debootstrap --variant=minbase bookworm "$WORK/bootstrap" "$(mirror)" >"$WORK/debootstrap.log" 2>&1 || {
    tail -20 "$WORK/debootstrap.log"
    fail "debootstrap"
  }
  tar -C "$WORK/bootstrap" -cf "$CACHE/bookworm-minbase.tar.part" .
  mv "$CACHE/bookworm-minbase.tar.part" "$CACHE/bookworm-minbase.tar"
  rm -rf --one-file-system "$WORK/bootstrap"
fi
step "unpack the root"
rm -rf --one-file-system "$ROOT"
mkdir -p "$ROOT"
tar -C "$ROOT" -xpf "$CACHE/bookworm-minbase.tar"
mount -t proc proc "$ROOT/proc"
mount --bind "$CACHE/apt" "$ROOT/var/cache/apt/archives"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# A throw-away root: dpkg need not fsync every file.
echo force-unsafe-io >"$ROOT/etc/dpkg/dpkg.cfg.d/unsafe-io"

in_root() {
  chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive ${PURGE_STATE:+METAROUTER_PURGE_STATE=$PURGE_STATE} "$@"
}
exists() { [ -e "$ROOT$1" ] || [ -L "$ROOT$1" ]; }

# ------------------------------------------------------------------- install
step "apt-get install the three packages"
mkdir -p "$ROOT/tmp/debs"
cp "$DEBS/$DEB_ROUTER" "$DEBS/$DEB_DESKTOP" "$DEBS/$DEB_CLI" "$ROOT/tmp/debs/"
in_root apt-get update -q >"$WORK/apt.log" 2>&1 || {
  cat "$WORK/apt.log"
  fail "apt-get update in the root"
}
in_root apt-get install -y -q --no-install-recommends \
  "/tmp/debs/$DEB_ROUTER" "/tmp/debs/$DEB_DESKTOP" "/tmp/debs/$DEB_CLI" >>"$WORK/apt.log" 2>&1 || {
  tail -30 "$WORK/apt.log"
  fail "apt-get install in the root"
}
echo "   $(grep -c '^Setting up' "$WORK/apt.log") packages set up, apt cache $(du -sh "$CACHE/apt" | cut -f1)"

step "files, conffile, dependencies"
for f in /usr/sbin/metarouterd /usr/bin/mrcli /usr/bin/metabox \
  /lib/systemd/system/metarouterd.service /etc/metarouter/metarouterd.conf \
  /usr/lib/metarouter/guest/vmlinuz /usr/lib/metarouter/guest/initrd.img /usr/lib/metarouter/guest/manifest \
  /usr/share/applications/metabox.desktop /usr/share/icons/hicolor/scalable/apps/metabox.svg \
  /usr/share/man/man8/metarouterd.8.gz /usr/share/man/man1/mrcli.1.gz /usr/share/man/man1/metabox.1.gz \
  /usr/share/doc/metarouter/copyright /usr/share/doc/metabox/copyright /usr/share/doc/mrcli/copyright; do
  exists "$f" || fail "$f is not installed"
done
[ "$(stat -c %a "$ROOT/var/lib/metarouter")" = 700 ] || fail "/var/lib/metarouter is not 0700"
[ "$(readlink "$ROOT/etc/systemd/system/multi-user.target.wants/metarouterd.service")" = \
  /lib/systemd/system/metarouterd.service ] || fail "metarouterd.service is not enabled"
in_root dpkg-query -W -f='${Conffiles}\n' metarouter | grep -q '/etc/metarouter/metarouterd.conf' ||
  fail "metarouterd.conf is not a conffile"
for dep in qemu-system-x86 qemu-utils "mrcli (= $VERSION)" libqt6network6; do
  in_root dpkg-query -W -f='${Depends}\n' metarouter | grep -qF "$dep" || fail "metarouter does not depend on $dep"
done
for dep in "mrcli (= $VERSION)" libqt6widgets6; do
  in_root dpkg-query -W -f='${Depends}\n' metabox | grep -qF "$dep" || fail "metabox does not depend on $dep"
done
for p in metarouterd mrcli metabox; do
  got=$(in_root "$p" --version 2>&1) || fail "$p --version: $got"
  [ "$got" = "$p $VERSION" ] || fail "$p --version says '$got', expected '$p $VERSION'"
  echo "   $got"
done

step "systemd-analyze verify"
# The host's systemd (the root has none: minbase), on the installed unit with
# its ExecStart pointing into the root; any message fails.
unitdir=$(mktemp -d)
sed "s|=/usr/sbin/metarouterd|=$ROOT/usr/sbin/metarouterd|" "$ROOT/lib/systemd/system/metarouterd.service" \
  >"$unitdir/metarouterd.service"
out=$(systemd-analyze verify --man=no "$unitdir/metarouterd.service" 2>&1) || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify: $out"
rm -rf "$unitdir"

# ------------------------------------------------- the daemon, as the unit runs it
step "metarouterd as the unit starts it"
exec_start=$(sed -n 's/^ExecStart=//p' "$ROOT/lib/systemd/system/metarouterd.service")
echo "   $exec_start"
# What systemd does first: RuntimeDirectory= (StateDirectory= is there).
install -d -m 0750 "$ROOT/run/metarouter"
# A network namespace of its own (only lo) and a pid namespace: it sees and
# touches none of the host's interfaces, and nothing outlives the test.
unshare --mount --net --pid --fork --kill-child chroot "$ROOT" /bin/sh -c \
  "mount -t proc proc /proc && ip link set lo up && exec $exec_start" >"$WORK/daemon.log" 2>&1 &
ns_pid=$!
trap 'kill -KILL $ns_pid 2>/dev/null || true' EXIT
for _ in $(seq 300); do
  [ -S "$ROOT/run/metarouter/api.sock" ] && [ -s "$ROOT/var/lib/metarouter/admin-password" ] && break
  kill -0 $ns_pid 2>/dev/null || break
  sleep 0.1
done
[ -S "$ROOT/run/metarouter/api.sock" ] || {
  cat "$WORK/daemon.log"
  fail "no socket /run/metarouter/api.sock"
}
[ -s "$ROOT/var/lib/metarouter/admin-password" ] || fail "no /var/lib/metarouter/admin-password"
[ "$(stat -c %a "$ROOT/var/lib/metarouter/admin-password")" = 600 ] || fail "admin-password is not root-only"
password=$(tr -d '[:space:]' <"$ROOT/var/lib/metarouter/admin-password")
mrcli_in_root() {
  chroot "$ROOT" /usr/bin/env -i MR_PASSWORD="$password" /usr/bin/mrcli --socket /run/metarouter/api.sock "$@" 2>&1
}
out=$(mrcli_in_root /system resource print) || fail "mrcli /system resource print: $out"
echo "$out" | grep -q "$VERSION" || fail "/system resource print does not show version $VERSION: $out"
echo "   logged in with the first admin password: /system resource print shows $VERSION"
# A metarouter needs the packaged guest image (and qemu-img for its disk).
out=$(mrcli_in_root /metarouter add name=pkg0 disabled=yes) || fail "/metarouter add: $out"
out=$(mrcli_in_root /metarouter print) || fail "/metarouter print: $out"
echo "$out" | grep -q pkg0 || fail "/metarouter print lacks pkg0: $out"
echo "   /metarouter add name=pkg0 disabled=yes: the packaged guest image is found"
daemon_pid=$(pgrep -P $ns_pid) || fail "metarouterd is gone"
kill -TERM "$daemon_pid"
for _ in $(seq 150); do
  kill -0 $ns_pid 2>/dev/null || break
  sleep 0.1
done
rc=0
wait $ns_pid || rc=$?
trap - EXIT
[ $rc -eq 0 ] || {
  cat "$WORK/daemon.log"
  fail "metarouterd exited with $rc on SIGTERM"
}

# --------------------------------------------------------------------- purge
step "apt-get purge keeps the state"
in_root dpkg-query -L metarouter metabox mrcli | sort -u >"$WORK/installed-files"
saved_password=$password
in_root apt-get purge -y -q metarouter metabox mrcli >>"$WORK/apt.log" 2>&1 || fail "apt-get purge"
while read -r f; do
  [ -n "$f" ] || continue
  # Directories shared with other packages (/usr/bin, ...) stay; so do the
  # merged-/usr links (/lib -> usr/lib).
  if [ -L "$ROOT$f" ] && [ -d "$ROOT$f" ]; then
    continue
  elif [ -d "$ROOT$f" ]; then
    in_root dpkg-query -S "$f" >/dev/null 2>&1 || fail "purge left directory $f"
  elif exists "$f"; then
    fail "purge left $f"
  fi
done <"$WORK/installed-files"
for f in /etc/metarouter /etc/systemd/system/multi-user.target.wants/metarouterd.service /usr/lib/metarouter; do
  if exists "$f"; then fail "purge left $f"; fi
done
[ "$(tr -d '[:space:]' <"$ROOT/var/lib/metarouter/admin-password")" = "$saved_password" ] ||
  fail "purge without METAROUTER_PURGE_STATE=1 removed the state"

step "reinstall adopts the state; METAROUTER_PURGE_STATE=1 purge removes it"
in_root apt-get install -y -q --no-install-recommends "/tmp/debs/$DEB_ROUTER" "/tmp/debs/$DEB_CLI" \
  >>"$WORK/apt.log" 2>&1 || fail "apt-get install again"
[ "$(tr -d '[:space:]' <"$ROOT/var/lib/metarouter/admin-password")" = "$saved_password" ] ||
  fail "reinstalling changed the state"
PURGE_STATE=1 in_root apt-get purge -y -q metarouter mrcli >>"$WORK/apt.log" 2>&1 || fail "apt-get purge (state)"
if exists /var/lib/metarouter; then fail "METAROUTER_PURGE_STATE=1 purge left /var/lib/metarouter"; fi

umount "$ROOT/var/cache/apt/archives" "$ROOT/proc"
rm -rf --one-file-system "$ROOT"
step "passed"
