#!/usr/bin/env bash
# metarouterd --config: the shipped configuration file parses, and a bad one
# is refused with the file, line and option named, before anything starts.
# usage: config_test.sh METAROUTERD SHIPPED_CONF VERSION
set -euo pipefail
DAEMON=$1
SHIPPED=$2
VERSION=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# --version comes after the file: it is only reached when the file parsed.
out=$("$DAEMON" --config "$SHIPPED" --version 2>&1) || fail "shipped config refused: $out"
[ "$out" = "metarouterd $VERSION" ] || fail "unexpected output: $out"

printf '# comment\nlisten = 127.0.0.1:8729   # trailing comment\n\nno-listen\naccel=tcg\n' >"$dir/good.conf"
out=$("$DAEMON" --config "$dir/good.conf" --version 2>&1) || fail "good config refused: $out"

expect_refused() {
  local text=$1 want=$2 out rc=0
  printf '%b' "$text" >"$dir/bad.conf"
  out=$("$DAEMON" --config "$dir/bad.conf" --version 2>&1) || rc=$?
  [ $rc -eq 2 ] || fail "'$text': exit $rc, expected 2 ($out)"
  case "$out" in
  *"$want"*) ;;
  *) fail "'$text': message '$out' lacks '$want'" ;;
  esac
  case "$out" in
  *"metarouterd $VERSION"*) fail "'$text': went on after the error" ;;
  esac
}
expect_refused '# ok\nlisten = 0.0.0.0:8729\nfoo = bar\n' "bad.conf:3: unknown option 'foo'"
expect_refused 'accel =\n' "bad.conf:1: accel needs a value"
expect_refused 'no-listen = yes\n' "bad.conf:1: no-listen takes no value"
expect_refused 'sandbox = x\n' "bad.conf:1: unknown option 'sandbox'"
expect_refused 'accel = fast\n' "--accel wants auto, kvm or tcg"
expect_refused 'listen = nowhere\n' "--listen wants ADDR:PORT"

out=$("$DAEMON" --config "$dir/missing.conf" --version 2>&1) && fail "a missing file was accepted"
case "$out" in
*"cannot read $dir/missing.conf"*) ;;
*) fail "missing file: '$out'" ;;
esac
echo "config checks passed"
