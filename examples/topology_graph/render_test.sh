#!/bin/sh
# usage: render_test.sh <topology-graph binary> <scratch dir> <path of Graphviz dot>
# Runs the example, renders every DOT file it wrote with `dot -Tpng`, and checks each PNG.
set -eu
bin=$1
dir=$2
dot=${3:-}
if [ -z "$dot" ] || [ ! -x "$dot" ]; then
  echo "render_test: Graphviz 'dot' not found (scripts/setup installs graphviz)" >&2
  exit 1
fi
rm -rf "$dir"
mkdir -p "$dir"
"$bin" "$dir"
for name in page_views orders_payments; do
  test -s "$dir/$name.dot" || { echo "render_test: $name.dot missing or empty" >&2; exit 1; }
  test -s "$dir/$name.txt" || { echo "render_test: $name.txt missing or empty" >&2; exit 1; }
  "$dot" -Tpng "$dir/$name.dot" -o "$dir/$name.png"
  test -s "$dir/$name.png" || { echo "render_test: $name.png missing or empty" >&2; exit 1; }
  # The PNG signature: \211 P N G \r \n \032 \n
  magic=$(od -An -tx1 -N8 "$dir/$name.png" | tr -d ' \n')
  if [ "$magic" != "89504e470d0a1a0a" ]; then
    echo "render_test: $name.png is not a PNG (starts with $magic)" >&2
    exit 1
  fi
  echo "render_test: $name.png $(wc -c < "$dir/$name.png") bytes"
done
