// Unit test of the cut-cell quadrature on a cell where deal.II's generator
// falls back to one-point rules: the Q2 temperature below comes from a
// pad-edge cell of the 3D Fig. 2a case, where T - T_MIT changes sign
// several times inside the cell. There the generated metal and insulator
// quadratures together misintegrated the cell's stiffness matrix by 91%.
// PhaseQuadrature must detect that and repair the cell. Checks:
// - the metal and insulator parts together integrate the Q2 stiffness
//   matrix and the volume of the whole cell exactly (round-off);
// - the metal volume agrees with a brute-force count of the sign of the
//   level set on a fine grid;
// - divergence theorem on the metal part for F = x: dim |metal| equals
//   the flux of x through the interface plus through the metal parts of
//   the cell's faces (checks the interface quadrature and its normal).
#include <deal.II/base/mpi.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/grid/grid_generator.h>
#include <deal.II/grid/tria.h>

#include "unit_check.h"

#include <imtsim/materials/phase_quadrature.h>

#include <array>
#include <cmath>
#include <iostream>
#include <vector>

using namespace imtsim;
using unit_check::expect;
using unit_check::failures;

int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  constexpr int                    dim = 3;

  MaterialParameters p;
  p.resistivity_insulator  = 0.1;
  p.resistivity_metal      = 0.01;
  p.seebeck_insulator      = 1e-3;
  p.seebeck_metal          = 0;
  p.kappa_insulator        = 0.1;
  p.kappa_metal            = 0.1;
  p.transition_temperature = 360;
  p.transition_width       = 1;
  p.phase_law              = PhaseLawType::sharp;
  const PhaseLaw law(p);

  Triangulation<dim> tria;
  GridGenerator::hyper_cube(tria, 0., 2.5e-5);
  const FE_Q<dim> fe(2);
  DoFHandler<dim> dof_handler(tria);
  dof_handler.distribute_dofs(fe);
  const auto cell = dof_handler.begin_active();

  // T - T_MIT at the 27 nodes, in the element's local order.
  const double values[27] = {
      -5.89324, -2.12812, -4.55152, -1.37412, 14.4529,  6.70773, 14.7647,
      5.98413,  -5.6194,  -1.99528, -3.22248, -1.90351, 14.1696, 6.1779,
      6.31545,  8.4729,   2.72168,  3.43791,  3.63687,  3.85749, 2.87542,
      3.22808,  6.60742,  5.51994,  -3.30432, 4.03317,  7.11658};
  VectorType     T(complete_index_set(dof_handler.n_dofs()), MPI_COMM_WORLD);
  Vector<double> local(27);
  for (unsigned int i = 0; i < 27; ++i)
    local(i) = 360 + values[i];
  cell->set_dof_values(local, T);

  PhaseQuadrature<dim> quadrature(law, fe, dof_handler, 3);
  quadrature.set_temperature(T);
  expect("cell is cut", quadrature.is_cut(cell));

  // Stiffness and volume from the parts, and from plain Gauss.
  FullMatrix<double> K_parts(27, 27), K_plain(27, 27);
  double             volume = 0, metal = 0;
  quadrature.for_each_part(
      cell,
      [&](const FEValues<dim> &v, const Region region)
      {
        for (const unsigned int q : v.quadrature_point_indices())
        {
          volume += v.JxW(q);
          if (region == Region::metal)
            metal += v.JxW(q);
          for (unsigned int i = 0; i < 27; ++i)
            for (unsigned int k = 0; k < 27; ++k)
              K_parts(i, k) +=
                  v.shape_grad(i, q) * v.shape_grad(k, q) * v.JxW(q);
        }
      });
  expect("the generated quadrature was found wrong and repaired",
         quadrature.n_repaired() >= 1);
  FEValues<dim> plain(fe, QGauss<dim>(3), update_gradients | update_JxW_values);
  plain.reinit(cell);
  for (const unsigned int q : plain.quadrature_point_indices())
    for (unsigned int i = 0; i < 27; ++i)
      for (unsigned int k = 0; k < 27; ++k)
        K_plain(i, k) +=
            plain.shape_grad(i, q) * plain.shape_grad(k, q) * plain.JxW(q);
  const double K_norm = K_plain.frobenius_norm();
  K_parts.add(-1., K_plain);
  const double cell_volume = cell->measure();
  expect("parts integrate the stiffness exactly",
         K_parts.frobenius_norm() < 1e-10 * K_norm);
  expect("parts integrate the volume exactly",
         std::abs(volume - cell_volume) < 1e-12 * cell_volume);

  // Brute force: sign of T - T_MIT on a 120^3 grid of cell midpoints. The
  // Q2 shape functions are tensor products of 1D Lagrange polynomials, so
  // with p_i the support point of dof i,
  //   phi_i(x, y, z) = phi_i(x, p_i2, p_i3) phi_i(p_i1, y, p_i3)
  //                    phi_i(p_i1, p_i2, z),
  // and the 1D factors are tabulated once per grid coordinate.
  const unsigned int n       = 120;
  unsigned int       n_metal = 0;
  const auto        &support = fe.get_unit_support_points();
  std::vector<std::array<std::array<double, 27>, dim>> factor(n);
  for (unsigned int a = 0; a < n; ++a)
    for (unsigned int d = 0; d < dim; ++d)
      for (unsigned int i = 0; i < 27; ++i)
      {
        Point<dim> x    = support[i];
        x[d]            = (a + 0.5) / n;
        factor[a][d][i] = fe.shape_value(i, x);
      }
  for (unsigned int a = 0; a < n; ++a)
    for (unsigned int b = 0; b < n; ++b)
      for (unsigned int c = 0; c < n; ++c)
      {
        double t = 0;
        for (unsigned int i = 0; i < 27; ++i)
          t += values[i] * factor[a][0][i] * factor[b][1][i] * factor[c][2][i];
        n_metal += t > 0;
      }
  const double fraction       = metal / cell_volume;
  const double brute_fraction = double(n_metal) / (n * n * n);
  std::cout << "metal fraction " << std::fixed;
  std::cout.precision(3);
  std::cout << fraction << ", brute force " << brute_fraction << std::endl;
  expect("metal volume agrees with the brute-force count (1e-3)",
         std::abs(fraction - brute_fraction) < 1e-3);

  // Divergence theorem on the metal part with F = x (div F = dim).
  double flux = 0;
  quadrature.for_interface(
      cell,
      [&](const NonMatching::FEImmersedSurfaceValues<dim> &v)
      {
        for (const unsigned int q : v.quadrature_point_indices())
          flux += v.quadrature_point(q) * v.normal_vector(q) * v.JxW(q);
      });
  for (const unsigned int f : cell->face_indices())
    quadrature.for_each_face_part(
        cell,
        f,
        [&](const FEFaceValuesBase<dim> &v, const Region region)
        {
          if (region == Region::metal)
            for (const unsigned int q : v.quadrature_point_indices())
              flux += v.quadrature_point(q) * v.normal_vector(q) * v.JxW(q);
        });
  const double divergence = dim * metal;
  // The faces that fail deal.II's check are split point by point on an
  // 8 x 8 iterated rule, which is accurate to about 1e-3 of a face.
  expect("divergence theorem on the metal part (1e-3 of dim |cell|)",
         std::abs(flux - divergence) < 1e-3 * dim * cell_volume);

  std::cout << (failures == 0 ? "all checks passed" : "CHECKS FAILED")
            << std::endl;
  return failures == 0 ? 0 : 1;
}
