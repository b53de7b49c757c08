#!/bin/bash
# scripts/metal_path.py: whether the metal joins the two electrodes, from
# the written fields, on cases whose answer is known:
#  - the parallel slab at 1.5 j_cr (parallel_slab_150.prm): a metal layer
#    along the top from one end face to the other: joined, on 1 and on 2
#    ranks (two pieces, merged by coordinates);
#  - the same slab below the critical current (critical_current_below.prm):
#    no metal at all: not joined;
#  - the Fig. 2a cross-section at 9.5 mA (fig2a_nucleation_order.prm,
#    ramped 8.5, 9, 9.5 mA):
#    metal under both pads, far apart (the top line's extents are 179 and
#    108 um of 1 mm): metal present, not joined.
# And scripts/plot_fig2.py on the same fields: the top line is above T_MIT
# from end to end on the slab (1 and 2 ranks), nowhere below j_cr, and in
# one stretch near each pad (x < 0.3 L, x > 0.7 L) at 9.5 mA; the maps and the phase
# boundaries of the ramp are written.
# Usage: metal_path.sh IMTSIM SOURCE_DIR WORK_DIR
source "$(dirname "$0")/common.sh"
fields=(--set "Output/Write fields=true")
"$exe" "$src/tests/parallel_slab_150.prm" "${fields[@]}" \
  --set "Output/Directory=slab" >slab.log
mpirun -np 2 "$exe" "$src/tests/parallel_slab_150.prm" "${fields[@]}" \
  --set "Output/Directory=slab_2" >slab_2.log
"$exe" "$src/tests/critical_current_below.prm" "${fields[@]}" \
  --set "Output/Directory=below" >below.log
"$exe" "$src/tests/fig2a_nucleation_order.prm" "${fields[@]}" \
  --set "Sweep/Values=8.5e-3, 9e-3, 9.5e-3" \
  --set "Output/Directory=pads" >pads.log
status=0
check() {
  local what=$1 file=$2 expected=$3 metal=$4
  local last
  last=$(tail -n 1 "$file")
  local n_metal joined
  n_metal=$(echo "$last" | cut -d, -f3)
  joined=$(echo "$last" | cut -d, -f5)
  if [ "$joined" = "$expected" ] &&
    { [ "$metal" = any ] || { [ "$metal" = none ] && [ "$n_metal" = 0 ]; } ||
      { [ "$metal" = some ] && [ "$n_metal" -gt 0 ]; }; }; then
    echo "$what: $last: PASS"
  else
    echo "$what: $last (expected joined $expected, metal $metal): FAIL"
    status=1
  fi
}
for case in slab slab_2 below; do
  /usr/bin/python3 "$src/scripts/metal_path.py" $case solution >$case.csv
done
/usr/bin/python3 "$src/scripts/metal_path.py" pads >pads.csv
check "slab at 1.5 j_cr: joined" slab.csv 1 some
check "slab at 1.5 j_cr, 2 ranks: joined" slab_2.csv 1 some
check "slab below j_cr: no metal" below.csv 0 none
check "Fig. 2a at 9.5 mA: metal at the pads, not joined" pads.csv 0 some
plot() {
  local what=$1 expected=$2
  shift 2
  local line
  line=$(/usr/bin/python3 "$src/scripts/plot_fig2.py" "$@" | tail -n 1)
  if [[ "$line" =~ $expected ]]; then
    echo "plot_fig2.py, $what: $line: PASS"
  else
    echo "plot_fig2.py, $what: $line (expected /$expected/): FAIL"
    status=1
  fi
}
whole='T > T_MIT for x/L in \[0\.0000, 1\.0000\]$'
plot "slab, whole top line hot" "$whole" slab --out slab/fig2
plot "slab, 2 ranks" "$whole" slab_2 --out slab_2/fig2
plot "below j_cr" 'T > T_MIT for no x$' below --out below/fig2
plot "Fig. 2a at 9.5 mA, near each pad only" \
  'for x/L in \[0\.[0-2][0-9]*, 0\.[0-2][0-9]*\], x/L in \[0\.[7-9][0-9]*, (0\.[7-9][0-9]*|1\.0000)\]$' \
  pads --out pads/fig2
/usr/bin/python3 "$src/scripts/plot_fig2.py" pads --boundaries \
  --out pads/boundaries.png >/dev/null
for png in slab/fig2_section.png pads/fig2_section.png pads/boundaries.png; do
  if [ ! -s "$png" ]; then
    echo "plot_fig2.py: $png not written: FAIL"
    status=1
  fi
done
[ "$status" -eq 0 ] && echo PASS || echo FAIL
exit $status
