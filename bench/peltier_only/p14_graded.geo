// The (P-14) sample of p14_3d.prm (8 x 8 mm, h = 0.2 mm, square pads of
// 0.1 mm centred on the edges x = 0 and x = L at y = W/2) as a hexahedral
// mesh for the thin metal wedge of doc/peltier_only.md section 6: the top
// face meshed with quadrilaterals of size lf within rf of the drain pad,
// growing to lc away from it, and extruded through the thickness in
// 'layers' layers. p14_study.py --graded makes it with Debian's gmsh:
//   gmsh -3 -format msh22 -setnumber lf 3e-5 -o p14_graded.msh p14_graded.geo
// (-setnumber layers 12 -setnumber q 1.28: 12 layers from 45 um at the
// substrate to 3 um at the top face).
SetFactory("OpenCASCADE");
L = 8e-3;
W = 8e-3;
h = 2e-4;
p = 1e-4;                 // pad side
If (!Exists(lf)) lf = 3e-5; EndIf     // element size near the drain
If (!Exists(rf)) rf = 1.6e-3; EndIf   // radius of the fine region
If (!Exists(lc)) lc = 5e-4; EndIf     // element size far away
If (!Exists(layers)) layers = 8; EndIf

Rectangle(1) = {0, 0, 0, L, W};
Rectangle(2) = {0, W / 2 - p / 2, 0, p, p};
Rectangle(3) = {L - p, W / 2 - p / 2, 0, p, p};
BooleanFragments{Surface{1}; Delete;}{Surface{2, 3}; Delete;}

Field[1] = MathEval;
Field[1].F = Sprintf("Min(%g, %g + 0.25*Max(0, Sqrt(x^2 + (y - %g)^2) - %g))",
                     lc, lf, W / 2, rf);
Background Field = 1;
Mesh.MeshSizeExtendFromBoundary = 0;
Mesh.MeshSizeFromPoints = 0;
Mesh.MeshSizeFromCurvature = 0;
Mesh.RecombineAll = 1;
Mesh.Algorithm = 6;              // frontal-Delaunay
Mesh.RecombinationAlgorithm = 3; // blossom
Mesh.SubdivisionAlgorithm = 1;   // all quadrilaterals

// The layers: uniform (q = 1), or thinning geometrically towards the top
// face by the factor q per layer, where the metal wedge is a thin layer of
// depth scale (rho_M/rho_I) h (doc/peltier_only.md section 6.4).
If (!Exists(q)) q = 1; EndIf
If (q == 1)
  Extrude{0, 0, h}{Surface{:}; Layers{layers}; Recombine;}
Else
  t0 = h * (q - 1) / (q^layers - 1); // the top layer
  counts[] = {};
  heights[] = {};
  below = 0;
  For i In {0 : layers - 1}
    below += t0 * q^(layers - 1 - i);
    counts[] += 1;
    heights[] += below / h;
  EndFor
  heights[layers - 1] = 1;
  Extrude{0, 0, h}{Surface{:}; Layers{counts[], heights[]}; Recombine;}
EndIf

e = 1e-6; // selection tolerance (OpenCASCADE pads bounding boxes)
Physical Volume("sample", 1) = {Volume{:}};
Physical Surface("substrate", 1) =
  {Surface In BoundingBox{-e, -e, -e, L + e, W + e, e}};
Physical Surface("drain", 2) = {Surface In BoundingBox{
  -e, W / 2 - p / 2 - e, h - e, p + e, W / 2 + p / 2 + e, h + e}};
Physical Surface("source", 3) = {Surface In BoundingBox{
  L - p - e, W / 2 - p / 2 - e, h - e, L + e, W / 2 + p / 2 + e, h + e}};
Mesh.MshFileVersion = 2.2;
