#!/bin/sh
# Regenerates the committed Go code for the mm plugin protocol. `make proto` runs this from the repository root.
#
# The generators are pinned in tools/proto/go.mod (a module of their own, so they never touch mm's go.mod:
# reference/go.md §1.14) and built into a temporary directory. protoc comes from the system
# (Debian: apt-get install -y protobuf-compiler; 3.21 is enough because the files are proto3).
# A fresh clone does not need any of this: the generated code is committed (DESIGN.md §4).
set -eu
cd "$(dirname "$0")/../.."

command -v protoc >/dev/null 2>&1 || {
	echo "proto: protoc not found; install it (Debian/Ubuntu: apt-get install -y protobuf-compiler)" >&2
	exit 1
}

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go -C tools/proto build -o "$bin/" \
	google.golang.org/protobuf/cmd/protoc-gen-go \
	google.golang.org/grpc/cmd/protoc-gen-go-grpc

module=github.com/mmtoolkit/mm
protoc -I plugins/proto \
	--plugin=protoc-gen-go="$bin/protoc-gen-go" \
	--plugin=protoc-gen-go-grpc="$bin/protoc-gen-go-grpc" \
	--go_out=. --go_opt=module=$module \
	--go-grpc_out=. --go-grpc_opt=module=$module \
	plugins/proto/mmplugin/v1/connector.proto
