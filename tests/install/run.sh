#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, then configures, builds and runs a consumer
# project that uses find_package(Sluice) and links Sluice::sluice.
set -euo pipefail
build="$1"
consumer="$2"
cxx="$3"
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix/install" >/dev/null
cmake -S "$consumer" -B "$prefix/build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix/install" \
      -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$prefix/build" >/dev/null
"$prefix/build/consumer"
