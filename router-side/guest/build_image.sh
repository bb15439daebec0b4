#!/bin/sh
# Builds the default MetaRouter guest image from the Debian kernel and
# busybox-static installed on the build machine plus the guest rootfs in this
# folder. Output: vmlinuz, initrd.img (gzip'd newc cpio) and manifest.
# The archive is reproducible: sorted entries, fixed mtimes, root owner.
#
# build_image.sh --kernel-version V --busybox PATH --rootfs DIR --out DIR
#                --modules "m1 m2" --boot-modules "m1 m2" --cmdline "..." --min-memory MiB
#                [--binaries "SRC=DEST ..."]   programs copied in with the shared libraries ldd lists
set -eu

KVER= BUSYBOX= ROOTFS= OUT= MODULES= BOOT_MODULES= CMDLINE= MINMEM= BINARIES=
while [ $# -gt 0 ]; do
  case "$1" in
    --kernel-version) KVER=$2 ;;
    --busybox) BUSYBOX=$2 ;;
    --rootfs) ROOTFS=$2 ;;
    --out) OUT=$2 ;;
    --modules) MODULES=$2 ;;
    --boot-modules) BOOT_MODULES=$2 ;;
    --cmdline) CMDLINE=$2 ;;
    --min-memory) MINMEM=$2 ;;
    --binaries) BINARIES=$2 ;;
    *) echo "build_image.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done

MODDIR=/lib/modules/$KVER
KERNEL=/boot/vmlinuz-$KVER
for f in "$KERNEL" "$MODDIR/modules.dep" "$BUSYBOX"; do
  [ -r "$f" ] || { echo "build_image.sh: missing $f (run scripts/setup)" >&2; exit 1; }
done
[ -r "$KERNEL" ] || { echo "build_image.sh: $KERNEL not readable" >&2; exit 1; }

export LC_ALL=C
EPOCH=${SOURCE_DATE_EPOCH:-0}
STAGE=$OUT/rootfs.stage
rm -rf "$STAGE"
mkdir -p "$STAGE"
cd "$STAGE"

mkdir -p bin sbin etc proc sys dev tmp run root var/log lib/modules/"$KVER"
cp "$BUSYBOX" bin/busybox
chmod 755 bin/busybox
for applet in $(bin/busybox --list); do
  case "$applet" in busybox) continue ;; esac
  [ -e "bin/$applet" ] || ln -s busybox "bin/$applet"
done
ln -s ../bin/busybox sbin/init
ln -s bin/busybox init
cp -R "$ROOTFS"/. .

# Programs and, from ldd, every shared library they load, at the same paths.
for pair in $BINARIES; do
  src=${pair%%=*} dest=${pair#*=}
  [ -r "$src" ] || { echo "build_image.sh: missing $src" >&2; exit 1; }
  mkdir -p ".${dest%/*}"
  cp "$src" ".$dest"
  chmod 755 ".$dest"
  strip --strip-unneeded ".$dest" 2>/dev/null || true
  for lib in $(ldd "$src" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
    [ -e ".$lib" ] && continue
    mkdir -p ".${lib%/*}"
    cp -L "$lib" ".$lib"
  done
done

# Kernel modules: the requested ones and, from modules.dep, what they need.
dep_line() { grep -E "(^|/)$(echo "$1" | sed 's/[-_]/[-_]/g')\.ko(\.[a-z]+)?:" "$MODDIR/modules.dep" || true; }
builtin() { grep -qE "/$(echo "$1" | sed 's/[-_]/[-_]/g')\.ko$" "$MODDIR/modules.builtin"; }
WANT=$MODULES
: > "$OUT/modules.list"
while [ -n "$WANT" ]; do
  NEXT=
  for m in $WANT; do
    line=$(dep_line "$m")
    if [ -z "$line" ]; then
      if builtin "$m"; then continue; fi
      echo "build_image.sh: module $m not found for kernel $KVER" >&2; exit 1
    fi
    path=${line%%:*}
    grep -qxF "$path" "$OUT/modules.list" && continue
    echo "$path" >> "$OUT/modules.list"
    for d in ${line#*:}; do
      b=${d##*/}; NEXT="$NEXT ${b%%.ko*}"
    done
  done
  WANT=$NEXT
done
sort -o "$OUT/modules.list" "$OUT/modules.list"
while read -r path; do
  mkdir -p "lib/modules/$KVER/${path%/*}"
  cp "$MODDIR/$path" "lib/modules/$KVER/$path"
  grep -E "^$path:" "$MODDIR/modules.dep" >> "lib/modules/$KVER/modules.dep"
  name=${path##*/}; name=${name%%.ko*}
  grep -E " $name\$" "$MODDIR/modules.alias" >> "lib/modules/$KVER/modules.alias" || true
done < "$OUT/modules.list"
cp "$MODDIR/modules.builtin" "$MODDIR/modules.order" "lib/modules/$KVER/" 2>/dev/null || true
for m in $BOOT_MODULES; do echo "$m"; done > etc/modules

# Reproducible archive: fixed times, sorted names, root-owned.
find . -exec touch -h -d "@$EPOCH" {} +
find . -mindepth 1 -printf '%P\n' | sort | cpio --quiet -o -H newc -R 0:0 --reproducible > "$OUT/initrd.cpio"
gzip -n -9 -c "$OUT/initrd.cpio" > "$OUT/initrd.img.tmp"
mv "$OUT/initrd.img.tmp" "$OUT/initrd.img"
rm -f "$OUT/initrd.cpio"
cp "$KERNEL" "$OUT/vmlinuz"
touch -d "@$EPOCH" "$OUT/vmlinuz" "$OUT/initrd.img"

cat > "$OUT/manifest" <<MANIFEST
# MetaRouter guest image
name=metarouter-default
kernel=vmlinuz
initrd=initrd.img
cmdline=$CMDLINE
min-memory=$MINMEM
kernel-version=$KVER
login=admin (empty password)
MANIFEST
cd "$OUT"
rm -rf "$STAGE"
echo "guest image: $(du -k initrd.img | cut -f1) KiB initrd, $(wc -l < modules.list) modules, kernel $KVER"
