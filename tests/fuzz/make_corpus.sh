#!/bin/sh
# Regenerates the committed seed corpus: frames of each message kind,
# encoded with protoc from text, prefixed with the fuzzer's chunking byte.
# Usage: tests/fuzz/make_corpus.sh   (needs protoc)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
proto_dir=$here/../../protocol
out=$here/corpus
mkdir -p "$out"

# seed NAME MODE-BYTE-OCTAL TEXT...: one or more envelopes (one per TEXT).
seed() {
    name=$1 mode=$2
    shift 2
    tmp=$(mktemp)
    printf "\\$mode" >"$tmp"
    for text in "$@"; do
        body=$(mktemp)
        printf '%s\n' "$text" | protoc --proto_path="$proto_dir" --encode=mr.wire.Envelope metarouter.proto >"$body"
        n=$(wc -c <"$body")
        printf "\\$(printf %03o $((n >> 24 & 255)))\\$(printf %03o $((n >> 16 & 255)))\\$(printf %03o $((n >> 8 & 255)))\\$(printf %03o $((n & 255)))" >>"$tmp"
        cat "$body" >>"$tmp"
        rm -f "$body"
    done
    mv "$tmp" "$out/$name"
}

seed hello 000 'hello { version: 1 software: "mrcli 0.1.0" capabilities: "streams" }'
seed login 017 'id: 1 login { user: "admin" password: "secret" }'
seed get 200 'id: 2 request { get { menu: "/interface/bridge" } }'
seed add 003 'id: 3 request { add { menu: "/ip/address" properties { key: "address" value: "10.0.0.1/24" } properties { key: "interface" value: "bridge1" } } }'
seed set_unset 201 'id: 4 request { set { menu: "/interface/bridge" id: "*1" properties { key: "mtu" value: "1500" } unset: "comment" } }'
seed remove 005 'id: 5 request { remove { menu: "/interface/bridge" ids: "*1" ids: "*2" } }'
seed command 377 'id: 6 request { command { menu: "/metarouter" command: "start" id: "*1" arguments { key: "x" value: "y" } } }'
seed subscribe 010 'id: 7 request { subscribe { menu: "/interface" } }' 'id: 8 request { unsubscribe { subscription: 1 } }'
seed stream 202 'id: 9 request { open_stream { kind: STREAM_CONSOLE target: "mr1" columns: 80 rows: 24 window: 65536 } }' 'stream_data { stream: 1 data: "ls\r\n\001\033[A" }' 'stream_window { stream: 1 credit: 4096 }' 'stream_resize { stream: 1 columns: 132 rows: 50 }' 'stream_break { stream: 1 }' 'stream_close { stream: 1 reason: "bye" }'
seed cli_exec 001 'id: 10 request { cli_exec { script: "/interface bridge print\n/ip address print" } }'
seed reply 203 'id: 2 reply { objects { id: "*1" properties { key: "name" value: "bridge1" } } subscription: 3 revision: 9 output: "ok" }'
seed reply_error 007 'id: 3 reply { error { code: ERROR_INVALID_ARGUMENT message: "invalid value for mtu" property: "mtu" } }'
seed event 204 'event { subscription: 1 revision: 12 changes { kind: ADDED object { id: "*2" properties { key: "name" value: "bridge2" } } } changes { kind: REMOVED object { id: "*1" } } }'
seed login_reply 017 'id: 1 login_reply { user: "admin" group: "full" identity: "MikroTik" allowed_metarouters: "mr1" schema { menus { path: "/interface/bridge" can_add: true key_property: "name" properties { name: "mtu" type: TYPE_INTEGER min: 68 max: 65535 default_value: "1500" } properties { name: "protocol-mode" type: TYPE_ENUM enum_values: "none" enum_values: "rstp" } columns { property: "name" title: "NAME" width: 20 } flags { letter: "X" description: "disabled" property: "disabled" } commands { name: "monitor" arguments { name: "once" type: TYPE_BOOL } } } } }'
seed fatal 000 'fatal { code: ERROR_PROTOCOL message: "frame too large" }'

# Broken ones: oversize header, body-less envelope, bad wire type, truncated.
printf '\000\006\100\000\000' >"$out/oversize_100mib"
printf '\017\000\000\000\002\010\005' >"$out/no_body"
printf '\200\000\000\000\003\017\001\002' >"$out/bad_wire_type"
printf '\000\000\000\000\040\022\004\010\001' >"$out/truncated"
chmod 644 "$out"/*
