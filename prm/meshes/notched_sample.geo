// The Fig. 2a film (L = W = 1 mm, h = 0.2 mm) with round electrode pads
// (radius 50 um, centred at x = 0.1 L and 0.9 L on y = W/2) and a
// semicircular notch of radius 0.3 mm cut into the side y = 0 at x = L/2,
// which constricts the current. Hexahedra: the top face is meshed with
// quadrilaterals and extruded through the thickness.
// Regenerate with scripts/make-example-mesh.sh (Debian's gmsh).
SetFactory("OpenCASCADE");
L  = 1e-3;
W  = 1e-3;
h  = 2e-4;
r  = 5e-5;   // pad radius
rn = 3e-4;   // notch radius
lc = 8e-5;   // element size away from the pads
lp = 2.5e-5; // element size on the pads
layers = 4;  // elements through the thickness

Rectangle(1) = {0, 0, 0, L, W};
Disk(2) = {L / 2, 0, 0, rn};
BooleanDifference(3) = {Surface{1}; Delete;}{Surface{2}; Delete;};
Disk(4) = {0.1 * L, W / 2, 0, r};
Disk(5) = {0.9 * L, W / 2, 0, r};
BooleanFragments{Surface{3}; Delete;}{Surface{4, 5}; Delete;}

MeshSize{PointsOf{Surface{:};}} = lc;
MeshSize{PointsOf{Surface{4, 5};}} = lp;
Mesh.RecombineAll = 1;
Mesh.Algorithm = 6;           // frontal-Delaunay
Mesh.RecombinationAlgorithm = 3; // blossom (odd triangle counts are subdivided)
Mesh.SubdivisionAlgorithm = 1; // all quadrilaterals

Extrude{0, 0, h}{Surface{:}; Layers{layers}; Recombine;}

e = 1e-6; // selection tolerance (OpenCASCADE pads bounding boxes)
Physical Volume("sample", 1) = {Volume{:}};
Physical Surface("substrate", 1) =
  {Surface In BoundingBox{-e, -e, -e, L + e, W + e, e}};
Physical Surface("drain", 2) = {Surface In BoundingBox{
  0.1 * L - r - e, W / 2 - r - e, h - e, 0.1 * L + r + e, W / 2 + r + e, h + e}};
Physical Surface("source", 3) = {Surface In BoundingBox{
  0.9 * L - r - e, W / 2 - r - e, h - e, 0.9 * L + r + e, W / 2 + r + e, h + e}};

Mesh.MshFileVersion = 2.2;
