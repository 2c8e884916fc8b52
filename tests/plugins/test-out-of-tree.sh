#!/bin/sh
# A plugin author's path: install ntpac into a temporary root, copy
# plugins/example out of the source tree, build it against the installed
# headers with `pkg-config ntpac-plugin`, run its tests, and load it into
# the installed ntpac-engine, which runs it over a capture.
#
#   test-out-of-tree.sh BUILD_DIR SOURCE_DIR NTPAC_GEN
set -eu
build=$1
source=$2
gen=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..1"
fail () {
  echo "not ok 1 - $*"
  exit 1
}

root=$tmp/root
meson install -C "$build" --destdir "$root" --no-rebuild --quiet >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" | sed 's/^/# /'; fail "meson install"; }
prefix=$(meson introspect "$build" --buildoptions |
  python3 -c 'import json, sys; o = {x["name"]: x["value"] for x in json.load(sys.stdin)}; print(o["prefix"])')
libdir=$(meson introspect "$build" --buildoptions |
  python3 -c 'import json, sys; o = {x["name"]: x["value"] for x in json.load(sys.stdin)}; print(o["libdir"])')
sanitize=$(meson introspect "$build" --buildoptions |
  python3 -c 'import json, sys; o = {x["name"]: x["value"] for x in json.load(sys.stdin)}; print(o["b_sanitize"])')
case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac

# What an author has: the installed headers, libraries and .pc files
# (their prefix moved to where the temporary root put them).
mkdir "$tmp/pc"
for pc in "$root$libdir"/pkgconfig/ntpac*.pc; do
  sed "s|^prefix=.*|prefix=$root$prefix|" "$pc" >"$tmp/pc/$(basename "$pc")"
done
export PKG_CONFIG_PATH="$tmp/pc"
export LD_LIBRARY_PATH="$root$libdir"
pkg-config --exists ntpac-plugin || fail "pkg-config does not find ntpac-plugin"

cp -r "$source/plugins/example" "$tmp/example"
# A build with sanitizers needs the plugin built the same way.
options=""
if [ "$sanitize" != "none" ]; then
  options="-Db_sanitize=$sanitize -Db_lundef=false"
fi
# shellcheck disable=SC2086
meson setup "$tmp/build" "$tmp/example" $options >"$tmp/setup.log" 2>&1 ||
  { sed 's/^/# /' "$tmp/setup.log"; fail "meson setup of the example"; }
meson compile -C "$tmp/build" >"$tmp/compile.log" 2>&1 ||
  { sed 's/^/# /' "$tmp/compile.log"; fail "meson compile of the example"; }
meson test -C "$tmp/build" >"$tmp/test.log" 2>&1 ||
  { sed 's/^/# /' "$tmp/test.log" "$tmp/build/meson-logs/testlog.txt"; fail "the example's own tests"; }

# The installed engine, its installed plugins, and the example's folder.
engine=$root$prefix/bin/ntpac-engine
export NTPAC_PLUGIN_SYSTEM_PATH="$root$libdir/ntpac-1/plugins"
unset NTPAC_PLUGIN_PATH
"$engine" plugins --plugin-path "$tmp/build" --json >"$tmp/plugins.json" ||
  fail "ntpac-engine plugins"
python3 - "$tmp/plugins.json" "$tmp/build" <<'PY' || fail "the example plugin is not loaded"
import json, sys
plugins = json.load(open(sys.argv[1]))["plugins"]
mine = [p for p in plugins if p["file"].startswith(sys.argv[2])]
assert len(mine) == 1 and mine[0]["loaded"], plugins
assert mine[0]["version"] == "0.1.0" and mine[0]["features"][0]["name"] == "banner", mine
assert any(p["name"] == "local" and p["loaded"] for p in plugins), plugins
PY

"$gen" -o "$tmp/capture.pcap" --size 512K --seed 5 >/dev/null
cat >"$tmp/pipeline.yaml" <<YAML
pipeline: banners
dissectors:
  - feature: banner
YAML
"$engine" run -c "$tmp/pipeline.yaml" --plugin-path "$tmp/build" -o "$tmp/db" "$tmp/capture.pcap" \
  >"$tmp/run.log" 2>&1 || { sed 's/^/# /' "$tmp/run.log"; fail "ntpac-engine run with the example"; }
n=$("$engine" query -d "$tmp/db" banner | wc -l)
[ "$n" -gt 0 ] || fail "no banner records"
echo "ok 1 - the example plugin builds out of tree, passes its tests, and gave $n records in the installed engine"
