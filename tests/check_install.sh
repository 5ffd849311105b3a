#!/usr/bin/env bash
# Installs the build into a temporary prefix and checks every way a host consumes it:
# - a pure C CMake project through find_package(crmkit), shared (crmkit::crmkit) and static
#   (crmkit::crmkit_static: the C++ runtime and libm must come from the link interface);
# - pkg-config, shared and static (`--static` with only the archive installed);
# - the Python package installed beside the library, imported with no environment variable
#   naming the library, and loading the installed copy (not a build tree's).
set -euo pipefail
build=$1; src=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
libdir=$(dirname "$(find "$work/prefix" -name 'libcrmkit.so.0.2' | head -1)")
for kind in shared static; do
  static=OFF; [ $kind = static ] && static=ON
  cmake -S "$src/tests/install_consumer" -B "$work/cmake-$kind" -DCMAKE_PREFIX_PATH="$work/prefix" \
    -DCONSUMER_STATIC=$static >/dev/null
  cmake --build "$work/cmake-$kind" >/dev/null
  LD_LIBRARY_PATH=$libdir "$work/cmake-$kind/consumer" | grep -q '^crmkit 0\.2\.0$'
done
# The static consumer must not need libcrmkit.so at run time.
if ldd "$work/cmake-static/consumer" | grep -q libcrmkit; then
  echo "install: the static consumer links libcrmkit.so" >&2; exit 1
fi
export PKG_CONFIG_PATH=$(dirname "$(find "$work/prefix" -name crmkit.pc)")
cc "$src/tests/install_consumer/main.c" $(pkg-config --cflags --libs crmkit) -o "$work/pc-consumer"
LD_LIBRARY_PATH=$libdir "$work/pc-consumer" | grep -q '^crmkit 0\.2\.0$'
# A host that ships only the archive: -lcrmkit resolves to libcrmkit.a.
cp -a "$work/prefix" "$work/prefix-static"
find "$work/prefix-static" -name 'libcrmkit.so*' -delete
export PKG_CONFIG_PATH=$(dirname "$(find "$work/prefix-static" -name crmkit.pc)")
cc "$src/tests/install_consumer/main.c" $(pkg-config --static --cflags --libs crmkit) -o "$work/pc-static"
"$work/pc-static" | grep -q '^crmkit 0\.2\.0$'
# Python: the installed package finds the installed library by itself.
pkg=$(find "$work/prefix" -type d -name crmkit -path '*packages*' | head -1)
[ -n "$pkg" ] || { echo "install: the Python package was not installed" >&2; exit 1; }
loaded=$(cd "$work" && env -u CRMKIT_LIBRARY -u LD_LIBRARY_PATH PYTHONPATH="$(dirname "$pkg")" \
  python3 -c 'import crmkit, crmkit._native as n; print(n.lib._name)')
case "$loaded" in
  "$work/prefix"/*) ;;
  *) echo "install: the installed Python package loaded '$loaded', not the installed library" >&2; exit 1 ;;
esac
echo "install: CMake (shared, static), pkg-config (shared, static) and Python consumers all run"
