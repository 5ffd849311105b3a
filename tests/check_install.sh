#!/usr/bin/env bash
# Installs the build into a temporary prefix and builds a C consumer twice: through the CMake
# package (find_package(crmkit) -> crmkit::crmkit) and through pkg-config. Both must run.
set -euo pipefail
build=$1; src=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
libdir=$(dirname "$(find "$work/prefix" -name 'libcrmkit.so.0' | head -1)")
cmake -S "$src/tests/install_consumer" -B "$work/cmake-consumer" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/cmake-consumer" >/dev/null
LD_LIBRARY_PATH=$libdir "$work/cmake-consumer/consumer" | grep -q '^crmkit 0\.1\.0$'
export PKG_CONFIG_PATH=$(dirname "$(find "$work/prefix" -name crmkit.pc)")
cc "$src/tests/install_consumer/main.c" $(pkg-config --cflags --libs crmkit) -o "$work/pc-consumer"
LD_LIBRARY_PATH=$libdir "$work/pc-consumer" | grep -q '^crmkit 0\.1\.0$'
echo "install: CMake package and pkg-config consumers both run"
