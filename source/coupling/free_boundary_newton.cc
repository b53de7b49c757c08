// The Peltier-only free boundary by pseudo-transient semismooth Newton in a
// nodal level set ('Solver/Free boundary method = newton',
// doc/free_boundary_newton.md). A member of Simulator (simulator.h).
#include <deal.II/base/mpi.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/mapping_q1.h>
#include <deal.II/lac/solver_control.h>
#include <deal.II/lac/trilinos_solver.h>

#include <imtsim/coupling/simulator.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <map>
#include <vector>

namespace imtsim
{
template <int dim>
bool
Simulator<dim>::solve_free_boundary_newton(Summary     &summary,
                                           const double tolerance)
{
  // The unknown is phi [K] at the nodes, metal where phi > 0, with
  // T = T_MIT + min(phi, 0): the metal is at T_MIT and the insulator's
  // temperature is phi + T_MIT. The equations F(phi) = 0 are the heat
  // balance at every node but the interior metal ones
  // (FreeBoundaryJacobian). Each step solves
  //   (diag(A)/dtau - J) d = F,   phi += d,
  // and dtau grows as the residual falls (switched evolution relaxation):
  // at small dtau a pseudo-time flow in which excess heat grows the metal
  // and a deficit melts it, at large dtau Newton's method.
  const double T_mit     = law.transition_temperature();
  const double T0        = parameters.thermal.substrate_temperature;
  const double slack     = tolerance * T0; // [K]
  const double dtau_0    = parameters.solver.free_boundary_pseudo_time_step;
  const double extrusion = dim == 2 ? geometry.width : 1.;

  if (!free_boundary_jacobian)
    free_boundary_jacobian = std::make_unique<FreeBoundaryJacobian<dim>>(
        dof_handler, quadrature, thermal, T_mit - T0);
  FreeBoundaryJacobian<dim> &jacobian = *free_boundary_jacobian;
  jacobian.setup(owned_dofs, relevant_dofs, hanging_node_constraints);

  VectorType phi = free_boundary_start(true, slack);
  VectorType F(owned_dofs, comm), d(owned_dofs, comm);

  // The state at phi: phases, current, residual, Jacobian; returns the
  // measure max_i |F_i|/A_ii [K] (NaN stays NaN) and the metal nodes.
  // Where the largest residual sits, for the log.
  std::map<types::global_dof_index, Point<dim>> points;
  DoFTools::map_dofs_to_support_points(MappingQ1<dim>(), dof_handler, points);
  struct Evaluation
  {
    Point<dim>         where;
    double             measure  = 0;
    unsigned long long metal    = 0;
    unsigned int       cg_its   = 0;
    double             net_heat = 0;
  };
  const auto evaluate = [&](const VectorType &level_set)
  {
    Evaluation e;
    jacobian.set_level_set(level_set);
    e.cg_its = solve_electric_at(jacobian.temperature());
    jacobian.residual(electric.potential(), F);
    // Without (c): with the current's own derivative (d) left out, the
    // better model holds the cut cells' current j_K = -sigma_K grad psi
    // rather than psi (in one dimension j_K = I/A exactly, so that (c)
    // and (d) cancel).
    jacobian.assemble(electric.potential(), true, false, true);
    const VectorType &A       = jacobian.conduction_diagonal();
    double            measure = 0, net = 0;
    bool              finite = true;
    for (const auto i : owned_dofs)
    {
      if (hanging_node_constraints.is_constrained(i))
        continue;
      if (level_set[i] > 0 && !thermal.fixed_constraints().is_constrained(i))
      {
        ++e.metal;
        if (!jacobian.is_interior_metal(i))
          net += F[i];
      }
      if (jacobian.is_unit_row(i))
        continue;
      const double r = std::abs(F[i]) / A[i];
      finite         = finite && std::isfinite(r);
      if (r > measure)
      {
        measure = r;
        e.where = points[i];
      }
    }
    // The lowest rank holding the largest residual passes on its place.
    const double       largest = Utilities::MPI::max(measure, comm);
    const unsigned int rank    = Utilities::MPI::this_mpi_process(comm);
    const unsigned int holder  = Utilities::MPI::min(
        measure == largest ? rank : std::numeric_limits<unsigned int>::max(),
        comm);
    for (unsigned int c = 0; c < dim; ++c)
      e.where[c] = Utilities::MPI::sum(rank == holder ? e.where[c] : 0., comm);
    e.measure  = Utilities::MPI::logical_or(!finite, comm)
                     ? std::numeric_limits<double>::quiet_NaN()
                     : Utilities::MPI::max(measure, comm);
    e.metal    = Utilities::MPI::sum(e.metal, comm);
    e.net_heat = Utilities::MPI::sum(net, comm) * extrusion;
    return e;
  };

  // Interior metal nodes do not enter F: their update is free. Give those
  // within three node rings of the layer the mean update of their
  // neighbours that have one, so that the metal can shrink by more than a
  // cell per step.
  const auto extend = [&](VectorType &update)
  {
    VectorType known(owned_dofs, comm);
    for (const auto i : owned_dofs)
      known[i] = jacobian.is_interior_metal(i) ? 0 : 1;
    known.compress(VectorOperation::insert);
    std::vector<types::global_dof_index> indices(fe.n_dofs_per_cell());
    std::vector<double>                  sum(owned_dofs.n_elements()),
        count(owned_dofs.n_elements());
    for (unsigned int sweep = 0; sweep < 3; ++sweep)
    {
      VectorType k_g(owned_dofs, relevant_dofs, comm),
          u_g(owned_dofs, relevant_dofs, comm);
      k_g = known;
      u_g = update;
      std::fill(sum.begin(), sum.end(), 0.);
      std::fill(count.begin(), count.end(), 0.);
      for (const auto &cell : dof_handler.active_cell_iterators())
        if (!cell->is_artificial())
        {
          cell->get_dof_indices(indices);
          for (const auto i : indices)
            if (owned_dofs.is_element(i) && k_g[i] == 0)
              for (const auto m : indices)
                if (k_g[m] == 1)
                {
                  sum[owned_dofs.index_within_set(i)] += u_g[m];
                  count[owned_dofs.index_within_set(i)] += 1;
                }
        }
      for (const auto i : owned_dofs)
      {
        const unsigned int k = owned_dofs.index_within_set(i);
        if (k_g[i] == 0 && count[k] > 0)
        {
          update[i] = sum[k] / count[k];
          known[i]  = 1;
        }
      }
      update.compress(VectorOperation::insert);
      known.compress(VectorOperation::insert);
    }
  };

  summary.picard_iterations = 0;
  free_boundary_state       = FreeBoundaryState();
  Timer        clock;
  double       dtau     = dtau_0 > 0 ? dtau_0 : 1e12;
  unsigned int rejected = 0;
  Evaluation   now      = evaluate(phi);
  pcout << "  Free boundary (Newton)   0: metal nodes = " << std::setw(7)
        << now.metal << "  max|F|/A = " << std::scientific
        << std::setprecision(3) << now.measure
        << " K  V = " << std::setprecision(6) << electric.voltage() << " V"
        << std::endl;

  bool converged = false;
  for (unsigned int step = 1; !converged; ++step)
  {
    if (const int signal = stop_signal(comm))
      throw Interrupted(signal, "");
    if (!std::isfinite(now.measure))
    {
      failure_reason = "the free-boundary Newton method: the residual is "
                       "not finite";
      break;
    }
    if (now.measure <= slack)
    {
      converged = true;
      break;
    }
    if (step > parameters.solver.max_picard_iterations)
    {
      failure_reason =
          "the free-boundary Newton method did not converge within " +
          std::to_string(parameters.solver.max_picard_iterations) +
          " steps (Solver/Maximum Picard iterations): max|F|/A = " +
          Utilities::to_string(now.measure) + " K";
      break;
    }
    summary.picard_iterations = step;

    // (diag(A)/dtau - J) d = F on the equations; unit rows give d = 0.
    TrilinosWrappers::SparseMatrix system;
    system.copy_from(jacobian.matrix());
    system *= -1.;
    const VectorType &A = jacobian.conduction_diagonal();
    for (const auto i : owned_dofs)
      if (!jacobian.is_unit_row(i))
        system.add(i, i, A[i] / dtau);
    system.compress(VectorOperation::add);
    SolverControl                  control(1, 0);
    TrilinosWrappers::SolverDirect direct(control);
    d = 0;
    direct.solve(system, d, F);
    extend(d);

    VectorType trial(phi);
    trial += d;
    const Evaluation next = evaluate(trial);
    // Rejected: the residual grew tenfold or is not finite, or the metal
    // vanished while Newton's method (dtau > 1) may have overshot.
    const bool bad = !std::isfinite(next.measure) ||
                     next.measure > 10 * now.measure ||
                     (next.metal == 0 && now.metal > 0 && dtau > 1);
    if (bad)
    {
      ++rejected;
      dtau /= 10;
      pcout << "  Free boundary (Newton) " << std::setw(3) << step
            << ": rejected (max|F|/A = " << std::scientific
            << std::setprecision(3) << next.measure
            << " K, metal nodes = " << next.metal << "), dtau -> " << dtau
            << std::endl;
      if (dtau < 1e-6)
      {
        failure_reason =
            "the free-boundary Newton method: steps rejected down to a "
            "pseudo time step of 1e-6 (max|F|/A = " +
            Utilities::to_string(now.measure) + " K)";
        now = evaluate(phi);
        break;
      }
      now = evaluate(phi);
      continue;
    }
    dtau = std::min(dtau * now.measure / std::max(next.measure, 1e-300), 1e12);
    unsigned long long flips = 0;
    for (const auto i : owned_dofs)
      if (!hanging_node_constraints.is_constrained(i) &&
          (phi[i] > 0) != (trial[i] > 0))
        ++flips;
    flips = Utilities::MPI::sum(flips, comm);
    phi   = trial;
    now   = next;
    pcout << "  Free boundary (Newton) " << std::setw(3) << step
          << ": metal nodes = " << std::setw(7) << now.metal << "  " << flips
          << " changed  max|F|/A = " << std::scientific << std::setprecision(3)
          << now.measure << " K at (" << now.where << ")  dtau = " << dtau
          << "  V = " << std::setprecision(6) << electric.voltage()
          << " V  CG its = " << now.cg_its << std::fixed << std::setprecision(1)
          << "  (" << clock.wall_time() << " s)" << std::endl;
  }

  // The state: T(phi) and its phases, as the relaxation leaves them.
  temperature_new = jacobian.temperature();
  temperature     = temperature_new;
  if (free_boundary_phase.size() != dof_handler.n_dofs())
    free_boundary_phase.reinit(owned_dofs, relevant_dofs, comm);
  free_boundary_phase = jacobian.phase_field();
  quadrature.set_phase_field(&free_boundary_phase);

  auto &f            = free_boundary_state;
  f.steps            = summary.picard_iterations;
  f.metal_nodes      = now.metal;
  f.residual_K       = now.measure; // (largest violation, update: 0)
  f.net_metal_heat_W = now.net_heat;
  f.pseudo_time_step = dtau;
  f.rejected_steps   = rejected;
  return converged;
}

template bool
Simulator<2>::solve_free_boundary_newton(Summary &, const double);
template bool
Simulator<3>::solve_free_boundary_newton(Summary &, const double);
} // namespace imtsim
