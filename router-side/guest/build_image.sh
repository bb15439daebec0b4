#!/bin/sh
# Builds the default MetaRouter guest image from the Debian kernel and
# busybox-static installed on the build machine plus the guest rootfs in this
# folder. Output: vmlinuz, initrd.img (gzip'd newc cpio) and manifest.
# The archive is reproducible: sorted entries, fixed mtimes, root owner.
# vmlinuz is the uncompressed ELF kernel taken out of Debian's bzImage: QEMU
# boots it through its PVH entry, so nothing is decompressed in guest RAM (the
# bzImage needs 64 MiB above 16 MiB free for that, and its initrd must lie
# above them: no boot below about 85 MiB).
#
# build_image.sh --kernel-version V --busybox PATH --rootfs DIR --out DIR
#                --modules "m1 m2" --boot-modules "m1 m2" --cmdline "..." --min-memory MiB
#                [--binaries "SRC=DEST ..."]   programs copied in with the shared libraries ldd lists
#                [--lib-stubs "SONAME=PATH ..."]  libraries packed in place of the host's (and
#                                                 without what only those needed)
set -eu

KVER= BUSYBOX= ROOTFS= OUT= MODULES= BOOT_MODULES= CMDLINE= MINMEM= BINARIES= LIB_STUBS=
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
    --lib-stubs) LIB_STUBS=$2 ;;
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
# Applets as hard links: one inode, no data. (The rootfs is ramfs, see the
# cmdline, where a symbolic link takes a 4 KiB page of its own.)
for applet in $(bin/busybox --list); do
  case "$applet" in busybox) continue ;; esac
  [ -e "bin/$applet" ] || ln bin/busybox "bin/$applet"
done
ln bin/busybox sbin/init
ln bin/busybox init
cp -R "$ROOTFS"/. .

# Programs and every shared library they load, at the host's paths (ldd).
# The walk follows DT_NEEDED from the program, so a stub brings its own
# needs instead of the library's it replaces.
command -v readelf >/dev/null || { echo "build_image.sh: readelf missing (binutils)" >&2; exit 1; }
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
stub_for() { for s in $LIB_STUBS; do [ "${s%%=*}" = "$1" ] && echo "${s#*=}"; done; return 0; }
for pair in $BINARIES; do
  src=${pair%%=*} dest=${pair#*=}
  [ -r "$src" ] || { echo "build_image.sh: missing $src" >&2; exit 1; }
  mkdir -p ".${dest%/*}"
  cp "$src" ".$dest"
  chmod 755 ".$dest"
  strip --strip-unneeded ".$dest" 2>/dev/null || true
  map=$(ldd "$src" | sed -n 's/^[[:space:]]*\([^ ]*\) => \(\/[^ ]*\) .*/\1 \2/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1 \1/p')
  todo="$(needed "$src") $(readelf -l "$src" | sed -n 's/.*program interpreter: \(.*\)\]/\1/p')"
  while [ -n "$(echo $todo)" ]; do
    next=
    for n in $todo; do
      lib=$(echo "$map" | awk -v n="$n" '$1 == n || substr($1, length($1) - length(n)) == "/" n { print $2; exit }')
      [ -n "$lib" ] || { echo "build_image.sh: $src: $n not found by ldd" >&2; exit 1; }
      [ -e ".$lib" ] && continue
      from=$(stub_for "$n"); [ -n "$from" ] || from=$lib
      mkdir -p ".${lib%/*}"
      cp -L "$from" ".$lib"
      next="$next $(needed "$from")"
    done
    todo=$next
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
# Packed as .ko.xz (about a third of the size in the guest's RAM): busybox
# modprobe decompresses them itself (the kernel gets the same signed image).
# A 1 MiB dictionary (the largest module is 0.6 MiB), CRC32: what busybox's
# unxz allocates and checks.
while read -r path; do
  mkdir -p "lib/modules/$KVER/${path%/*}"
  dest=lib/modules/$KVER/${path%.ko*}.ko.xz
  case "$path" in
    *.ko) xz -c --check=crc32 --lzma2=preset=9e,dict=1MiB "$MODDIR/$path" > "$dest" ;;
    *.ko.xz) cp "$MODDIR/$path" "$dest" ;;
    *) echo "build_image.sh: $path: unsupported module compression" >&2; exit 1 ;;
  esac
  grep -E "^$path:" "$MODDIR/modules.dep" | sed 's/\.ko\(\.[a-z]*\)\{0,1\}\([: ]\)/.ko.xz\2/g; s/\.ko\(\.[a-z]*\)\{0,1\}$/.ko.xz/' >> "lib/modules/$KVER/modules.dep"
  name=${path##*/}; name=${name%%.ko*}
  grep -E " $name\$" "$MODDIR/modules.alias" >> "lib/modules/$KVER/modules.alias" || true
done < "$OUT/modules.list"
cp "$MODDIR/modules.builtin" "lib/modules/$KVER/" 2>/dev/null || true
for m in $BOOT_MODULES; do echo "$m"; done > etc/modules

# Reproducible archive: fixed times, sorted names, root-owned.
find . -exec touch -h -d "@$EPOCH" {} +
find . -mindepth 1 -printf '%P\n' | sort | cpio --quiet -o -H newc -R 0:0 --reproducible > "$OUT/initrd.cpio"
gzip -n -9 -c "$OUT/initrd.cpio" > "$OUT/initrd.img.tmp"
mv "$OUT/initrd.img.tmp" "$OUT/initrd.img"
rm -f "$OUT/initrd.cpio"

# The kernel: the ELF the bzImage carries (header fields: setup_sects at
# 0x1f1, payload_offset/length at 0x248; the payload is vmlinux plus its
# relocations, cut off at the end of the ELF).
u() { od -An -t"u$2" -j"$1" -N"$2" "$3" | tr -d ' '; }
sects=$(u 497 1 "$KERNEL"); [ "$sects" -eq 0 ] && sects=4
start=$(( (sects + 1) * 512 + $(u 584 4 "$KERNEL") ))
len=$(u 588 4 "$KERNEL")
payload() { tail -c "+$((start + 1))" "$KERNEL" | head -c "$len"; }
case $(payload | od -An -tx1 -N4 | tr -d ' ') in
  fd377a58) payload | xz -dc --single-stream > "$OUT/vmlinux.tmp" ;;
  1f8b*) { payload | gzip -dc > "$OUT/vmlinux.tmp"; } 2>/dev/null || [ -s "$OUT/vmlinux.tmp" ] ;;
  28b52ffd) payload | zstd -dcq > "$OUT/vmlinux.tmp" 2>/dev/null || [ -s "$OUT/vmlinux.tmp" ] ;;
  *) echo "build_image.sh: $KERNEL: unknown kernel compression" >&2; exit 1 ;;
esac
[ "$(od -An -c -N4 "$OUT/vmlinux.tmp" | tr -d ' ')" = "177ELF" ] ||
  { echo "build_image.sh: no ELF kernel in $KERNEL" >&2; exit 1; }
elf_end=$(( $(u 40 8 "$OUT/vmlinux.tmp") + $(u 58 2 "$OUT/vmlinux.tmp") * $(u 60 2 "$OUT/vmlinux.tmp") ))
head -c "$elf_end" "$OUT/vmlinux.tmp" > "$OUT/vmlinuz.tmp"
rm -f "$OUT/vmlinux.tmp"
# QEMU needs the PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY, 18; CONFIG_PVH).
if command -v readelf >/dev/null 2>&1 && ! readelf -n "$OUT/vmlinuz.tmp" | grep -q '(0x00000012)'; then
  echo "build_image.sh: $KERNEL has no PVH entry (CONFIG_PVH)" >&2; exit 1
fi
mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
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
