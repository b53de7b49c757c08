// Unit test of the free-boundary Newton method's residual and Jacobian
// (FreeBoundaryJacobian, doc/free_boundary_newton.md sections 1-2) on the
// bar of free_boundary_bar.prm in 2D, Q1, with the upper half refined once
// more (hanging nodes on the line z = h/2, which the interface crosses),
// the consistent electrode flux, and a generic level set
//   phi = 60 (0.45 - x/L) + 12 (z/h - 0.5) + 4 sin(7 x/L) [K],
// whose zero set cuts cells obliquely, away from both electrodes, and
//   phi = 40 (z/h - 0.5) + 30 (0.3 - x/L) + 3 sin(5 x/L) [K],
// which meets the drain face (the rows of its nodes hold the consistent
// electrode term, whose derivative has the edge-crossing terms). Checks:
// - J v against the central difference (F(phi + e v) - F(phi - e v))/(2 e)
//   for a v that changes no node's sign (e = 1e-5 K), with the potential
//   held fixed: relative error below 1e-6, for a = rho_M/rho_I = 1 ((a)
//   and (b)) and a = 0.1 ((c) as well: the cut cells' averaged sigma);
//   measured 5e-9 to 8e-9. J is the derivative of the exact integrals,
//   F is integrated by the cut cells' quadrature, which is not exact
//   where the bilinear level set's zero set curves: with the solver's
//   2-point rule the difference is 3e-9 to 9e-4 (largest where the
//   interface meets the drain or passes a hanging node), with 3 points
//   3e-9 to 3e-5, with 5 points below 6e-8, so the test integrates with
//   8 points (doc/free_boundary_newton.md section 7.5);
// - the same test with each of the terms (b), (c) and the edge terms left
//   out fails (by 100 times the tolerance), so that the check can detect
//   a missing or wrong term;
// - F is continuous where a node changes phase: moving one node of a cut
//   cell from phi = +d to -d changes F by O(d) (a kink, where the node
//   set's residual jumps);
// - hanging nodes are metal only where all their parents are (as their T
//   says), also where the interpolated phi would call one metal, and every
//   equation row has a non-zero diagonal;
// - the interior metal rows of the nodal residual vanish (to CG
//   tolerance of the electric solve) before they are zeroed.
#include <deal.II/base/mpi.h>
#include <deal.II/base/timer.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/mapping_q1.h>
#include <deal.II/numerics/vector_tools.h>

#include "unit_check.h"

#include <imtsim/coupling/free_boundary_jacobian.h>
#include <imtsim/electric/electric_problem.h>
#include <imtsim/mesh/geometry.h>
#include <imtsim/parameters/parameters.h>

#include <cmath>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>

using namespace imtsim;
using unit_check::expect;
using unit_check::failures;

namespace
{
constexpr int    dim = 2;
constexpr double L = 2e-4, h = 1e-4;

/** The measured numbers, with IMTSIM_TEST_VERBOSE set (not compared). */
void
report(const std::string &what, const double value)
{
  if (std::getenv("IMTSIM_TEST_VERBOSE") &&
      Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
    std::cerr << what << " = " << value << std::endl;
}

Parameters
bar_parameters(const double metal_resistivity)
{
  std::ostringstream prm_text;
  prm_text << "set Dimension = 2\n"
           << "subsection Geometry\n set Length = 2e-4\n set Width = 1e-3\n"
           << " set Thickness = 1e-4\n set Electrode type = end faces\nend\n"
           << "subsection Mesh\n set Coarse cells across thickness = 2\n"
           << " set Initial global refinement = 2\nend\n"
           << "subsection Material\n set Insulator resistivity = 0.1\n"
           << " set Metal resistivity = " << metal_resistivity << "\n"
           << " set Insulator Seebeck coefficient = 2.582e-3\n"
           << " set Metal Seebeck coefficient = 0\n"
           << " set Insulator thermal conductivity = 0.1\n"
           << " set Metal thermal conductivity = 0.1\n"
           << " set Transition temperature = 360\n"
           << " set Phase law = sharp\nend\n"
           << "subsection Electric\n set Control = current\n"
           << " set Current = 10e-3\nend\n"
           << "subsection Thermal\n set Substrate temperature = 300\n"
           << " set Fixed temperature boundaries = source\n"
           << " set Joule heating = false\n"
           << " set Electrode Peltier flux = consistent\nend\n"
           << "subsection Solver\n set Polynomial degree = 1\nend\n";
  ParameterHandler prm;
  Parameters::declare_parameters(prm);
  prm.parse_input_from_string(prm_text.str());
  Parameters parameters;
  parameters.parse_parameters(prm);
  return parameters;
}

/** max_i |a_i - b_i| / max_i |b_i| over all ranks. */
double
relative_difference(const VectorType &a, const VectorType &b)
{
  double diff = 0, size = 0;
  for (const auto i : a.locally_owned_elements())
  {
    diff = std::max(diff, std::abs(a[i] - b[i]));
    size = std::max(size, std::abs(b[i]));
  }
  return Utilities::MPI::max(diff, MPI_COMM_WORLD) /
         Utilities::MPI::max(size, MPI_COMM_WORLD);
}

/** The checks for the metal resistivity @p rho_M; returns nothing. */
void
check(const double                                     rho_M,
      const std::string                               &label,
      const std::function<double(const Point<dim> &)> &level_set,
      const bool                                       straddles = false)
{
  const MPI_Comm                            comm       = MPI_COMM_WORLD;
  const Parameters                          parameters = bar_parameters(rho_M);
  SampleGeometry<dim>                       geometry(parameters);
  const PhaseLaw                            law(parameters.material);
  parallel::distributed::Triangulation<dim> tria(comm);
  geometry.create_mesh(tria);
  for (const auto &cell : tria.active_cell_iterators())
    if (cell->is_locally_owned() && cell->center()[1] > 0.5e-4)
      cell->set_refine_flag();
  tria.execute_coarsening_and_refinement();

  const FE_Q<dim> fe(1);
  DoFHandler<dim> dof_handler(tria);
  // An 8-point rule, not the solver's 2 (see the head of this file).
  PhaseQuadrature<dim> quadrature(law, fe, dof_handler, 8);
  std::ostringstream   silent;
  TimerOutput timer(silent, TimerOutput::never, TimerOutput::wall_times);
  ElectricProblem<dim> electric(parameters, dof_handler, quadrature, timer);
  ThermalProblem<dim>  thermal(
      parameters, geometry, dof_handler, quadrature, timer);
  FreeBoundaryJacobian<dim> jacobian(dof_handler, quadrature, thermal, 60.);

  dof_handler.distribute_dofs(fe);
  const IndexSet owned = dof_handler.locally_owned_dofs();
  IndexSet       relevant;
  DoFTools::extract_locally_relevant_dofs(dof_handler, relevant);
  AffineConstraints<double> hanging;
  hanging.reinit(relevant);
  DoFTools::make_hanging_node_constraints(dof_handler, hanging);
  hanging.close();
  electric.setup(owned, relevant, hanging);
  thermal.setup(owned, relevant, hanging);
  quadrature.reinit();
  quadrature.set_hanging_node_constraints(hanging);
  jacobian.setup(owned, relevant, hanging);
  // Node positions for the verbose diagnostics.
  std::map<types::global_dof_index, Point<dim>> points;
  if (std::getenv("IMTSIM_TEST_VERBOSE"))
    DoFTools::map_dofs_to_support_points(MappingQ1<dim>(), dof_handler, points);

  VectorType phi(owned, comm);
  VectorTools::interpolate(
      dof_handler,
      ScalarFunctionFromFunctionObject<dim>(
          [&](const Point<dim> &p)
          { return level_set(Point<dim>(p[0] / L, p[1] / h)); }),
      phi);

  // The current of this metal, then held fixed.
  jacobian.set_level_set(phi);
  electric.set_drive(parameters.electric.current);
  electric.solve(jacobian.temperature());
  const VectorType &psi = electric.potential();

  // Interior metal rows of the residual vanish by themselves.
  {
    VectorType raw;
    thermal.nodal_residual(
        jacobian.temperature(), psi, jacobian.temperature(), raw);
    double             interior = 0, other = 0;
    unsigned long long n_interior = 0;
    for (const auto i : owned)
      if (jacobian.is_interior_metal(i))
      {
        interior = std::max(interior, std::abs(raw[i]));
        ++n_interior;
      }
      else if (!jacobian.is_unit_row(i))
        other = std::max(other, std::abs(raw[i]));
    if (std::getenv("IMTSIM_TEST_VERBOSE"))
    {
      for (const auto i : owned)
        if (jacobian.is_interior_metal(i) && std::abs(raw[i]) > 1e-8 * other)
          std::cerr << "  interior row at " << points[i] << ": " << raw[i]
                    << std::endl;
    }
    interior   = Utilities::MPI::max(interior, comm);
    other      = Utilities::MPI::max(other, comm);
    n_interior = Utilities::MPI::sum(n_interior, comm);
    report(label + ": interior metal rows / other rows", interior / other);
    expect(label + ": there are interior metal nodes", n_interior > 10);
    expect(label + ": their residual rows vanish", interior <= 1e-8 * other);
  }

  // A direction that changes no node's sign; zero on the unit rows.
  VectorType v(owned, comm);
  double     smallest = 1e300;
  for (const auto i : owned)
    if (!jacobian.is_unit_row(i))
    {
      v[i]     = std::sin(1.7 * double(i) + 0.3);
      smallest = std::min(smallest, std::abs(phi[i]));
    }
  v.compress(VectorOperation::insert);
  smallest = Utilities::MPI::min(smallest, comm);
  report(label + ": smallest |phi| at a node [K]", smallest);
  const double e = 1e-5;
  expect(label + ": no node within the step of a sign change",
         smallest > 100 * e);

  jacobian.assemble(psi);
  VectorType Jv(owned, comm);
  jacobian.matrix().vmult(Jv, v);

  // A hanging node is metal only where its T is T_MIT (all its parents
  // metal). Where its parents straddle the interface with a positive mean
  // phi, the interpolated level set would call it metal, and the
  // all-metal fine cells beside it would leave metal rows without an
  // unknown of their own (doc/free_boundary_newton.md 7.4-7.5): each
  // equation row must have a non-zero diagonal.
  {
    const double       T_mit      = law.transition_temperature();
    const VectorType  &T          = jacobian.temperature();
    const VectorType  &theta      = jacobian.phase_field();
    unsigned long long mismatched = 0, straddling = 0, bare_rows = 0;
    for (const auto i : owned)
    {
      if (const auto *entries = hanging.get_constraint_entries(i))
      {
        double mean = 0;
        for (const auto &[p, w] : *entries)
          mean += w * (theta[p] - T_mit);
        if (T[i] < T_mit && mean > 0)
          ++straddling;
        if ((theta[i] > T_mit) != (T[i] >= T_mit))
          ++mismatched;
      }
      if (!jacobian.is_unit_row(i) && jacobian.matrix().diag_element(i) == 0)
      {
        ++bare_rows;
        if (std::getenv("IMTSIM_TEST_VERBOSE"))
          std::cerr << "  row without its own unknown at " << points[i]
                    << std::endl;
      }
    }
    mismatched = Utilities::MPI::sum(mismatched, comm);
    straddling = Utilities::MPI::sum(straddling, comm);
    bare_rows  = Utilities::MPI::sum(bare_rows, comm);
    report(label + ": hanging nodes below T_MIT with a positive mean phi",
           straddling);
    if (straddles)
      expect(label + ": a hanging node's parents straddle the interface",
             straddling > 0);
    expect(label + ": hanging nodes are metal where their T is T_MIT only",
           mismatched == 0);
    expect(label + ": every equation row has a non-zero diagonal",
           bare_rows == 0);
  }

  const auto F_at = [&](const double s)
  {
    VectorType shifted(phi);
    shifted.add(s, v);
    jacobian.set_level_set(shifted);
    VectorType F;
    jacobian.residual(psi, F);
    return F;
  };
  VectorType fd = F_at(e);
  fd.add(-1., F_at(-e));
  fd /= 2 * e;
  const double error   = relative_difference(Jv, fd);
  const double fd_size = fd.linfty_norm();
  if (std::getenv("IMTSIM_TEST_VERBOSE"))
  {
    for (const auto i : owned)
      if (std::abs(Jv[i] - fd[i]) > 0.1 * error * fd_size)
        std::cerr << "  row at " << points[i] << ": J v " << Jv[i] << " FD "
                  << fd[i] << " phi " << phi[i] << std::endl;
  }
  report(label + ": |J v - FD| / |FD|", error);
  const double allowed = 1e-6;
  expect(label + ": J v equals the central difference of F", error < allowed);

  // Each term matters: without (b) and (c), and for a != 1 without (c),
  // J v is far from the difference quotient.
  const auto error_without =
      [&](const bool interface, const bool sigma, const bool edges = true)
  {
    jacobian.set_level_set(phi);
    jacobian.assemble(psi, interface, sigma, edges);
    VectorType partial(owned, comm);
    jacobian.matrix().vmult(partial, v);
    return relative_difference(partial, fd);
  };
  if (label.find("drain") != std::string::npos)
  {
    const double without_edges = error_without(true, true, false);
    report(label + ": without the edge terms, |J v - FD| / |FD|",
           without_edges);
    expect(label + ": the electrode rows' edge terms are needed",
           without_edges > 100 * allowed);
  }
  const double without_cut = error_without(false, false);
  report(label + ": without (b) and (c), |J v - FD| / |FD|", without_cut);
  expect(label + ": the cut cells' terms are needed", without_cut > 1e-2);
  if (rho_M != 0.1)
  {
    const double without_c = error_without(true, false);
    report(label + ": without (c), |J v - FD| / |FD|", without_c);
    expect(label + ": the averaged sigma's term is needed", without_c > 1e-3);
  }

  // Continuity where a node changes phase: the metal node of a cut cell
  // nearest the interface.
  {
    jacobian.set_level_set(phi);
    double                  nearest = 1e300;
    types::global_dof_index node    = 0;
    for (const auto i : owned)
      if (!jacobian.is_unit_row(i) && phi[i] > 0 && phi[i] < nearest)
      {
        nearest = phi[i];
        node    = i;
      }
    // The rank with the smallest value moves its node.
    const double overall = Utilities::MPI::min(nearest, comm);
    const bool   mine    = nearest == overall;
    const auto   jump    = [&](const double d)
    {
      const auto F_with = [&](const double value)
      {
        VectorType moved(phi);
        if (mine)
          moved[node] = value;
        moved.compress(VectorOperation::insert);
        jacobian.set_level_set(moved);
        VectorType F;
        jacobian.residual(psi, F);
        return F;
      };
      VectorType difference = F_with(d);
      difference.add(-1., F_with(-d));
      return difference.linfty_norm();
    };
    const double coarse = jump(1e-2), fine = jump(1e-4);
    report(label + ": |F(+d) - F(-d)| ratio for d = 1e-4 and 1e-2",
           fine / coarse);
    expect(label + ": F is continuous across a node's phase change",
           coarse > 0 && fine < 0.02 * coarse);
  }
}
} // namespace

int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  // x = x/L, z = z/h: an interface away from the electrodes, and one
  // that meets the drain face x = 0 (its nodes' rows hold the consistent
  // electrode term) at z = 0.275 h.
  const auto inside = [](const Point<dim> &p)
  { return 60 * (0.45 - p[0]) + 12 * (p[1] - 0.5) + 4 * std::sin(7 * p[0]); };
  const auto at_pad = [](const Point<dim> &p)
  {
    return 40 * (p[1] - 0.5) + 30 * (0.3 - p[0]) + 3 * std::sin(5 * p[0]) +
           0.37;
  };
  check(0.1, "a = 1", inside);
  check(0.01, "a = 0.1", inside);
  check(0.1, "at the drain, a = 1", at_pad);
  check(0.01, "at the drain, a = 0.1", at_pad);
  // Through the fine cells next to the hanging node (dx/2, h/2), whose
  // parents are a drain node and an interior one: its share of the
  // electrode term lands in the drain node's row only.
  const auto at_hanging = [](const Point<dim> &p)
  { return 40 * (p[1] - 0.5) + 25 * (0.04 - p[0]) + 0.013; };
  check(0.1, "at the drain next to a hanging node, a = 1", at_hanging);
  check(0.01, "at the drain next to a hanging node, a = 0.1", at_hanging);
  // Through (106.25, 50) um, a hanging node whose parents (100, 50) and
  // (112.5, 50) um have phi = 2.6 and -1.2 K: its mean phi is positive,
  // its T below T_MIT, and the fine cell beside it at x < 106.25 um is
  // otherwise all metal.
  const auto straddling = [](const Point<dim> &p)
  { return 60 * (0.545 - p[0]) + 6 * (p[1] - 0.5) + 0.3 * std::sin(7 * p[1]); };
  check(0.1,
        "through a hanging node with an insulating parent, a = 1",
        straddling,
        true);
  check(0.01,
        "through a hanging node with an insulating parent, a = 0.1",
        straddling,
        true);
  if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
    std::cout << (failures == 0 ? "all checks passed" : "some checks FAILED")
              << std::endl;
  return failures == 0 ? 0 : 1;
}
