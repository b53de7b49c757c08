#!/usr/bin/python3
"""Whether the metal connects the drain and the source, step by step.

Usage: scripts/metal_path.py RESULTS_DIR [SERIES]

Reads the field series RESULTS_DIR/SERIES.pvd (default: sweep.pvd; also
transient.pvd, solution.pvd) written with 'Output/Write fields = true',
and prints one line per entry: its time or step value, the metal cells,
and whether a connected metal path joins the two electrodes.

A vertex of the output (deal.II subdivides each mesh cell for Q2
fields) is metal if the field 'metal', the phase law's metal fraction,
exceeds 0.5 there (T > T_MIT for the symmetric laws). Metal vertices are
joined along the edges of the output's cells (vertices merged by their
coordinates, so across patches and the pieces of a parallel run). The
drain is where psi is smallest (0 on its Dirichlet face), the source where
psi is largest: a metal vertex with that psi touches the electrode. The top centre line's 'metal_pattern' of sweep.csv can miss a path
that runs below the surface; this cannot.
Uses only the Python standard library.
"""
import base64
import os
import re
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

FORMATS = {"Float32": "f", "Float64": "d", "Int32": "i", "Int64": "q",
           "UInt8": "B", "UInt32": "I", "UInt64": "Q"}


def decode(element, compressed):
    """The values of a binary (base64) DataArray, zlib blocks or not."""
    fmt = FORMATS[element.get("type")]
    data = "".join(element.text.split())
    if compressed:
        head = base64.b64decode(data[:24])
        blocks = struct.unpack("<I", head[:4])[0]
        length = ((4 * (3 + blocks) + 2) // 3) * 4
        head = base64.b64decode(data[:length])
        sizes = struct.unpack(f"<{blocks}I", head[12:12 + 4 * blocks])
        raw = base64.b64decode(data[length:])
        buffer, offset = b"", 0
        for size in sizes:
            buffer += zlib.decompress(raw[offset:offset + size])
            offset += size
    else:
        raw = base64.b64decode(data)
        buffer = raw[8:] if len(raw) % struct.calcsize(fmt) else raw[4:]
    count = len(buffer) // struct.calcsize(fmt)
    return struct.unpack(f"<{count}{fmt}", buffer[:count * struct.calcsize(fmt)])


def read_piece(path):
    root = ET.parse(path).getroot()
    compressed = root.get("compressor") is not None
    piece = root.find("UnstructuredGrid/Piece")
    arrays = {}
    for section in ("Points", "Cells", "PointData", "CellData"):
        node = piece.find(section)
        for element in node.findall("DataArray") if node is not None else []:
            name = element.get("Name") or section
            if element.get("format") != "binary":
                sys.exit(f"metal_path.py: {path}: only binary VTU is read")
            arrays[name] = decode(element, compressed)
    return arrays


# The edges of VTK_QUAD (9) and VTK_HEXAHEDRON (12) by local vertex.
EDGES = {9: [(0, 1), (1, 2), (2, 3), (3, 0)],
         12: [(0, 1), (1, 2), (2, 3), (3, 0), (4, 5), (5, 6), (6, 7),
              (7, 4), (0, 4), (1, 5), (2, 6), (3, 7)]}


def analyse(pvtu):
    """(metal vertices, vertices, joined) of one parallel VTU file."""
    directory = os.path.dirname(pvtu)
    sources = [p.get("Source") for p in ET.parse(pvtu).getroot().iter("Piece")]
    pieces = [read_piece(os.path.join(directory, s)) for s in sources]
    psi_all = [v for arrays in pieces for v in arrays["psi"]]
    lo, hi = min(psi_all), max(psi_all)
    tolerance = 1e-9 * max(abs(lo), abs(hi), 1e-300)
    # The vertices, merged by coordinates over the patches and pieces:
    # metal, on the drain, on the source.
    index, metal, drain, source, edges = {}, [], [], [], set()
    for arrays in pieces:
        points, psi, fraction = arrays["Points"], arrays["psi"], arrays["metal"]
        local = []
        for v in range(len(psi)):
            key = tuple(round(points[3 * v + k], 12) for k in range(3))
            if key not in index:
                index[key] = len(metal)
                metal.append(fraction[v] > 0.5)
                drain.append(abs(psi[v] - lo) <= tolerance)
                source.append(abs(psi[v] - hi) <= tolerance)
            local.append(index[key])
        start = 0
        for c, end in enumerate(arrays["offsets"]):
            vertices = arrays["connectivity"][start:end]
            start = end
            cell_type = arrays["types"][c]
            if cell_type not in EDGES:
                sys.exit(f"metal_path.py: cell type {cell_type} not read")
            for a, b in EDGES[cell_type]:
                edges.add((local[vertices[a]], local[vertices[b]]))
    parent = list(range(len(metal)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in edges:
        if metal[a] and metal[b]:
            parent[find(a)] = find(b)
    at_drain = {find(i) for i in range(len(metal)) if metal[i] and drain[i]}
    at_source = {find(i) for i in range(len(metal)) if metal[i] and source[i]}
    return sum(metal), len(metal), bool(at_drain & at_source)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    directory = sys.argv[1]
    series = sys.argv[2] if len(sys.argv) == 3 else "sweep"
    pvd = os.path.join(directory, series + ".pvd")
    if not os.path.exists(pvd):
        sys.exit(f"metal_path.py: no {pvd} (run with 'Output/Write fields "
                 "= true')")
    print("entry,value,metal_vertices,vertices,metal_joins_electrodes")
    for k, entry in enumerate(ET.parse(pvd).getroot().iter("DataSet")):
        n_metal, n_cells, joined = analyse(
            os.path.join(directory, entry.get("file")))
        print(f"{k},{entry.get('timestep')},{n_metal},{n_cells},"
              f"{1 if joined else 0}")


if __name__ == "__main__":
    main()
