#!/usr/bin/env bash
# The shipped example mesh is what its script makes: regenerate it with
# gmsh into the build tree and compare the element counts per type and
# physical tag with prm/meshes/notched_sample.msh.
set -euo pipefail
source_dir="$1"
work="$2"
mkdir -p "$work"
"$source_dir/scripts/make-example-mesh.sh" "$work/notched_sample.msh" > /dev/null 2>&1
count() {
  awk '/\$Elements/{f=1;getline;next} /\$EndElements/{f=0} f {print $2" "$4}' "$1" |
    sort | uniq -c
}
count "$source_dir/prm/meshes/notched_sample.msh" > "$work/shipped.txt"
count "$work/notched_sample.msh" > "$work/regenerated.txt"
cat "$work/regenerated.txt"
diff "$work/shipped.txt" "$work/regenerated.txt"
echo "regenerated mesh matches the shipped one"
