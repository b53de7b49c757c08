// The Peltier-only steady state as a free-boundary problem
// ('Solver/Free boundary', doc/peltier_only.md): an active-set iteration on
// the nodes held at T_MIT. A member of Simulator (declared in simulator.h).
#include <deal.II/base/mpi.h>
#include <deal.II/lac/solver_control.h>

#include <imtsim/coupling/anderson_acceleration.h>
#include <imtsim/coupling/free_boundary_keeper.h>
#include <imtsim/coupling/simulator.h>

#include <cmath>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <memory>
#include <tuple>

namespace imtsim
{
std::uint64_t
phase_pattern_hash(const TrilinosWrappers::MPI::Vector &metal,
                   const IndexSet                      &owned,
                   const AffineConstraints<double>     &hanging,
                   const MPI_Comm                       comm)
{
  std::uint64_t hash = 0;
  for (const auto i : owned)
    if (!hanging.is_constrained(i) && metal[i] > 0)
    {
      std::uint64_t z = std::uint64_t(i) + 0x9E3779B97F4A7C15ull;
      z               = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z               = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      hash += z ^ (z >> 31);
    }
  // The wrapping sum of the per-rank sums: the same on every rank.
  const unsigned long long h = hash;
  return Utilities::MPI::sum(h, comm);
}

template <int dim>
VectorType
Simulator<dim>::free_boundary_start(const bool   level_set,
                                    const double slack) const
{
  const double T_mit   = law.transition_temperature();
  const bool   carried = free_boundary_phase.size() == dof_handler.n_dofs();
  VectorType   metal(owned_dofs, comm);
  for (const auto i : owned_dofs)
    if (!hanging_node_constraints.is_constrained(i))
    {
      const bool is_metal = temperature[i] >= T_mit ||
                            (carried && free_boundary_phase[i] > T_mit);
      if (!level_set)
        metal[i] = is_metal ? 1 : -1;
      else if (carried)
        metal[i] = free_boundary_phase[i] - T_mit;
      else
        metal[i] = is_metal ? std::max(temperature[i] - T_mit, slack)
                            : temperature[i] - T_mit;
    }
  metal.compress(VectorOperation::insert);
  return metal;
}

template <int dim>
typename Simulator<dim>::FreeBoundaryLayer
Simulator<dim>::free_boundary_layer() const
{
  const double      T_mit = law.transition_temperature();
  FreeBoundaryLayer result;
  result.layer.assign(relevant_dofs.n_elements(), false);
  result.front.assign(relevant_dofs.n_elements(), false);
  std::vector<types::global_dof_index> dof_indices(fe.n_dofs_per_cell());
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (!cell->is_artificial())
    {
      cell->get_dof_indices(dof_indices);
      bool some_metal = false, some_insulator = false;
      for (const auto i : dof_indices)
        (free_boundary_phase[i] > T_mit ? some_metal : some_insulator) = true;
      result.any_metal = result.any_metal || some_metal;
      if (some_metal && some_insulator)
        for (const auto i : dof_indices)
          (free_boundary_phase[i] > T_mit
               ? result.layer
               : result.front)[relevant_dofs.index_within_set(i)] = true;
    }
  // No metal at all: a node above T_MIT anywhere may nucleate it.
  result.any_metal = Utilities::MPI::logical_or(result.any_metal, comm);
  return result;
}

template <int dim>
bool
Simulator<dim>::solve_free_boundary(Summary &summary, const double tolerance)
{
  // Under the sharp law without Joule heating the metal of a steady state
  // is isothermal at exactly T_MIT, and its boundary carries both T = T_MIT
  // and the flux condition -kappa dT/dn = T_MIT dS j.n (a Bernoulli free
  // boundary). The phase map {T > T_MIT} of the staggered iteration is
  // degenerate there. This iteration keeps the metal as a set of nodes
  // instead, with the interface midway between metal and insulating nodes
  // (the isotherm T_MIT of the phase field T_MIT +- 1 K). Each step
  //  - solves the current for that metal, and the heat with the set's
  //    interior nodes held at one temperature T_M with no net heat into
  //    them (the metal conducts as a whole; holding them removes the
  //    degeneracy), its boundary layer (the metal nodes of cells that
  //    also have insulating ones) free;
  //  - makes a layer node below T_MIT insulating (the heat that reaches it
  //    falls short of what conduction takes away), and a front node (an
  //    insulating node of those cells) above T_MIT metal: of these
  //    violations, those within half of the largest.
  // At a fixed point the layer is at or above T_MIT and the front at or
  // below. Where the discrete interface is undecided (nodes that violate
  // either way), the sets cycle or wander; the iteration then keeps the
  // set with the smallest largest violation and reports what is left.
  // With 'Free boundary interface = level set' the set is {phi > 0} of a
  // nodal level set (below), the measure its largest update, and the
  // iteration has converged when that is within the round-off.
  const double T_mit = law.transition_temperature();
  const double T0    = parameters.thermal.substrate_temperature;
  const double slack = tolerance * T0; // [K], round-off of the solves

  // 'Free boundary interface = level set': the metal is {phi > 0} of a
  // nodal level set phi [K] instead, whose zero set lies anywhere within a
  // cell. The interior is held as below. On the metal nodes of the cut
  // cells phi moves by beta (T - T_MIT), so that they end at T_MIT (which
  // in one dimension puts the interface exactly where it belongs); on the
  // insulating nodes of the cut cells it relaxes towards T - T_MIT; the
  // other insulating nodes take T - T_MIT (doc/peltier_only.md 5.5). The
  // node set is phi = +-1.
  const bool   level_set = parameters.solver.free_boundary_level_set;
  const double beta      = parameters.solver.free_boundary_relaxation;
  std::unique_ptr<AndersonAcceleration> anderson;
  if (level_set && parameters.solver.acceleration == AccelerationType::anderson)
    anderson = std::make_unique<AndersonAcceleration>(
        parameters.solver.anderson_depth);

  // The first set: the nodes at or above T_MIT, and those of the last
  // solve's metal (its phase field, interpolated to this mesh). The level
  // set starts from T - T_MIT, or from the carried phase field.
  const bool carried = free_boundary_phase.size() == dof_handler.n_dofs();
  VectorType metal   = free_boundary_start(level_set, slack);

  VectorType residual(owned_dofs, comm), layer_flags(owned_dofs, comm),
      raised(owned_dofs, relevant_dofs, comm),
      layer_ghosted(owned_dofs, relevant_dofs, comm);
  if (!carried)
    free_boundary_phase.reinit(owned_dofs, relevant_dofs, comm);
  const double extrusion = dim == 2 ? geometry.width : 1.;
  // The sets solved so far (hashes), and the one with the smallest
  // largest violation.
  FreeBoundaryKeeper keeper(20);
  unsigned long long undecided_now = 0;
  summary.picard_iterations        = 0;
  free_boundary_state              = FreeBoundaryState();
  Timer clock;

  for (unsigned int step = 1;; ++step)
  {
    if (const int signal = stop_signal(comm))
      throw Interrupted(signal, "");
    if (step > parameters.solver.max_picard_iterations && !keeper.finishing())
    {
      failure_reason = "the free-boundary iteration did not settle within " +
                       std::to_string(parameters.solver.max_picard_iterations) +
                       " steps (Solver/Maximum Picard iterations)";
      return false;
    }
    summary.picard_iterations = step;

    // The phase field of this set (hanging nodes interpolated).
    {
      VectorType theta(owned_dofs, comm);
      for (const auto i : owned_dofs)
        theta[i] = T_mit + metal[i];
      theta.compress(VectorOperation::insert);
      hanging_node_constraints.distribute(theta);
      free_boundary_phase = theta;
    }
    quadrature.set_phase_field(&free_boundary_phase);

    // The boundary layer: metal nodes of cells with an insulating node.
    // The front: the insulating nodes of those cells, the only ones that
    // may join in this step, so that the set grows by one layer of nodes
    // at a time, as it shrinks (a larger jump overshoots where the
    // Peltier heat of a small set is far from its final distribution).
    const FreeBoundaryLayer  cells     = free_boundary_layer();
    const std::vector<bool> &layer     = cells.layer;
    const std::vector<bool> &front     = cells.front;
    const bool               any_metal = cells.any_metal;
    // The layer is complete at the owned nodes only (a ghost node may
    // have artificial neighbours): the held ghost nodes come from their
    // owners, so that every rank holds the same nodes.
    layer_flags = 0;
    for (const auto i : owned_dofs)
      if (layer[relevant_dofs.index_within_set(i)])
        layer_flags[i] = 1;
    layer_flags.compress(VectorOperation::insert);
    layer_ghosted = layer_flags;
    std::vector<types::global_dof_index> held;
    for (const auto i : relevant_dofs)
      if (free_boundary_phase[i] > T_mit && layer_ghosted[i] == 0 &&
          !hanging_node_constraints.is_constrained(i))
        held.push_back(i);
    thermal.set_held_dofs(held, T_mit);
    // The held nodes are released however this step ends.
    const struct Release
    {
      ThermalProblem<dim> &thermal;
      ~Release() { thermal.release_held_dofs(); }
    } release{thermal};

    unsigned int its_e = 0, its_t = 0;
    std::tie(its_e, its_t) = apply_staggered_map(temperature);

    // The held nodes share one temperature T_M with no net heat: the
    // problem is linear for the fixed phases and current, so the heat the
    // constraint must supply to them (sum of minus their nodal residuals)
    // is linear in T_M, and a second solve with T_M = T_MIT + 1 K gives
    // the T_M at which it vanishes.
    const VectorType &psi      = electric.potential();
    const auto        supplied = [&](const VectorType &T)
    {
      thermal.nodal_residual(temperature, psi, T, residual);
      double q = 0;
      for (const auto i : held)
        if (owned_dofs.is_element(i))
          q -= residual[i];
      return Utilities::MPI::sum(q, comm) * extrusion;
    };
    double shift = 0;
    if (Utilities::MPI::sum(held.size(), comm) > 0)
    {
      const double q_a = supplied(temperature_new);
      thermal.set_held_dofs(held, T_mit + 1);
      try
      {
        its_t += thermal.solve(temperature, psi, raised);
      }
      catch (const SolverControl::NoConvergence &)
      {
        throw ConvergenceError("the CG solve of the heat problem did not "
                               "converge in the free-boundary iteration "
                               "(step " +
                               std::to_string(step) + ")");
      }
      const double q_b = supplied(raised);
      // q_b > q_a: a warmer metal loses more heat.
      if (!(q_b > q_a))
        throw ConvergenceError(
            "the free-boundary iteration: the heat the metal's interior "
            "loses does not grow with its temperature (step " +
            std::to_string(step) + ")");
      shift = q_a / (q_a - q_b);
      // temperature_new += shift (raised - temperature_new)
      VectorType owned(owned_dofs, comm), difference(owned_dofs, comm);
      owned      = temperature_new;
      difference = raised;
      difference -= owned;
      owned.add(shift, difference);
      temperature_new = owned;
    }
    thermal.release_held_dofs();

    // The violations: metal boundary-layer nodes below T_MIT, front
    // nodes above it. Only those within half of the largest change in this
    // step: a smaller step of a front whose parts all interact through
    // T_M and the current (all of them at once overshoot and cycle).
    const auto eligible = [&](const types::global_dof_index i)
    {
      const unsigned int k = relevant_dofs.index_within_set(i);
      return metal[i] > 0 ? bool(layer[k]) : (front[k] || !any_metal);
    };
    const auto violation = [&](const types::global_dof_index i)
    {
      const double T = temperature_new[i];
      return metal[i] > 0 ? T_mit - T : T - T_mit;
    };
    double              overheat = -1e300, underheat = 1e300, worst = 0;
    const std::uint64_t hash =
        phase_pattern_hash(metal, owned_dofs, hanging_node_constraints, comm);
    for (const auto i : owned_dofs)
    {
      if (hanging_node_constraints.is_constrained(i) || !eligible(i))
        continue;
      const double T = temperature_new[i];
      if (metal[i] > 0)
        underheat = std::min(underheat, T - T_mit);
      else
        overheat = std::max(overheat, T - T_mit);
      worst = std::max(worst, violation(i));
    }
    overheat  = Utilities::MPI::max(overheat, comm);
    underheat = Utilities::MPI::min(underheat, comm);
    worst     = Utilities::MPI::max(worst, comm);
    // The level set's update on the nodes it moves, whose largest value is
    // the iteration's measure. A metal node of a cut cell is part of the
    // isothermal metal: T - T_MIT moves phi there (a warm metal node moves
    // the interface outwards), and its fixed point is T = T_MIT. An
    // insulating node relaxes towards T - T_MIT, the temperature's own
    // level set; in one dimension that is exactly its distance to the
    // exact interface times the gradient there, whatever the present one.
    const auto ls_update = [&](const types::global_dof_index i)
    {
      const double excess = temperature_new[i] - T_mit;
      return metal[i] > 0 ? excess : excess - metal[i];
    };
    // For the level set the measure is the largest update (at least the
    // largest violation); the violation is reported as well.
    const double largest_violation = worst;
    if (level_set)
    {
      double residual_ls = 0;
      for (const auto i : owned_dofs)
        if (!hanging_node_constraints.is_constrained(i) && eligible(i))
          residual_ls = std::max(residual_ls, std::abs(ls_update(i)));
      worst = Utilities::MPI::max(residual_ls, comm);
    }
    const char  *measure   = level_set ? "largest update" : "largest violation";
    const double threshold = std::max(slack, 0.5 * worst);
    keeper.record(step, worst, metal);

    // The level set's next value: G(phi) is phi plus the update on the
    // nodes it moves, T - T_MIT (at most minus the round-off) on the other
    // insulating nodes (their distance to the interface in kelvin, for
    // when they join a cut cell), and phi on the held ones; relaxed by
    // beta on the nodes it moves, or Anderson-mixed ('Solver/Acceleration
    // = anderson', 'Anderson depth').
    VectorType next;
    if (level_set)
    {
      VectorType g(owned_dofs, comm);
      next.reinit(owned_dofs, comm);
      for (const auto i : owned_dofs)
        if (!hanging_node_constraints.is_constrained(i))
        {
          if (!any_metal)
            // Nothing to relax towards: every node is insulating, and
            // takes T - T_MIT (a node above T_MIT nucleates metal).
            next[i] = g[i] = temperature_new[i] - T_mit;
          else if (eligible(i))
          {
            g[i]    = metal[i] + ls_update(i);
            next[i] = metal[i] + beta * ls_update(i);
            if (violation(i) > slack)
              ++undecided_now;
          }
          else
            next[i] = g[i] = metal[i] > 0
                                 ? metal[i]
                                 : std::min(temperature_new[i] - T_mit, -slack);
        }
      g.compress(VectorOperation::insert);
      next.compress(VectorOperation::insert);
      if (anderson && any_metal)
      {
        // Mixed on the moving nodes only: the held ones keep phi, the
        // others take T - T_MIT, as without mixing.
        VectorType mixed(owned_dofs, comm);
        anderson->step(metal, g, beta, mixed);
        for (const auto i : owned_dofs)
          if (!hanging_node_constraints.is_constrained(i) && eligible(i))
            next[i] = mixed[i];
        next.compress(VectorOperation::insert);
      }
    }

    unsigned long long n_added = 0, n_released = 0, n_metal = 0;
    for (const auto i : owned_dofs)
    {
      if (hanging_node_constraints.is_constrained(i))
        continue;
      if (level_set)
      {
        const bool was = metal[i] > 0;
        metal[i]       = next[i];
        if (metal[i] > 0 && !was)
          ++n_added;
        else if (metal[i] <= 0 && was)
          ++n_released;
      }
      else if (eligible(i) && violation(i) > slack)
      {
        ++undecided_now;
        if (violation(i) >= threshold)
        {
          (metal[i] > 0 ? n_released : n_added) += 1;
          metal[i] = metal[i] > 0 ? -1 : 1;
        }
      }
      if (metal[i] > 0)
        ++n_metal;
    }
    metal.compress(VectorOperation::insert);
    n_added       = Utilities::MPI::sum(n_added, comm);
    n_released    = Utilities::MPI::sum(n_released, comm);
    n_metal       = Utilities::MPI::sum(n_metal, comm);
    undecided_now = Utilities::MPI::sum(undecided_now, comm);

    pcout << "  Free boundary " << std::setw(3) << step
          << ": metal nodes = " << std::setw(7)
          << n_metal + n_released - n_added << "  +" << n_added << " -"
          << n_released << "  metal = " << std::scientific
          << std::setprecision(3) << electric.metal_volume_fraction()
          << "  T_M - T_MIT = " << shift
          << " K  T - T_MIT: layer >= " << (underheat < 1e300 ? underheat : 0.)
          << " K, front <= " << (overheat > -1e300 ? overheat : 0.)
          << " K  V = " << std::setprecision(6) << electric.voltage()
          << " V  CG its = " << its_e << "/" << its_t << std::fixed
          << std::setprecision(1) << "  (" << clock.wall_time() << " s)"
          << std::endl;

    free_boundary_state.steps       = step;
    free_boundary_state.metal_nodes = n_metal + n_released - n_added;
    free_boundary_state.shift_K     = shift;
    free_boundary_state.layer_min_K = underheat < 1e300 ? underheat : 0.;
    free_boundary_state.free_max_K  = overheat > -1e300 ? overheat : 0.;
    free_boundary_state.undecided   = undecided_now;
    free_boundary_state.worst_K     = largest_violation;
    free_boundary_state.update_K    = level_set ? worst : 0.;
    temperature                     = temperature_new;

    if (level_set ? worst <= slack : (n_added == 0 && n_released == 0))
      return true;
    if (keeper.finishing())
    {
      // The kept state, solved once more: accepted if what is left
      // undecided is within 'Solver/Free boundary tolerance'.
      const double allowed =
          parameters.solver.free_boundary_tolerance * (T_mit - T0);
      pcout << "  Kept the state of step " << keeper.kept_step() << " ("
            << measure << " " << std::scientific << std::setprecision(3)
            << worst << " K; " << undecided_now << " undecided nodes; allowed "
            << allowed << " K)" << std::endl;
      if (worst <= allowed)
        return true;
      failure_reason =
          std::string("the free-boundary iteration leaves the interface "
                      "undecided: its best set has a ") +
          measure + " of " + Utilities::to_string(worst) + " K (" +
          std::to_string(undecided_now) +
          " undecided nodes), above 'Solver/Free boundary tolerance' x "
          "(T_MIT - T0) = " +
          Utilities::to_string(allowed) + " K";
      return false;
    }
    // The set has a fixed point only where the discrete interface is
    // decided: nodes that are below T_MIT when metal and above it when not
    // make the sets cycle, or wander with violations that no longer fall.
    // The boundary is then decided to about a node spacing: the iteration
    // goes back to the set with the smallest largest violation, solves it
    // once more and keeps it, reporting what is left undecided.
    const bool repeated = !level_set && keeper.repeats(hash);
    if (repeated || keeper.stalled(step))
    {
      pcout << "  The set "
            << (repeated ? "repeats an earlier one"
                         : "has not improved for " +
                               std::to_string(keeper.stall_steps) + " steps")
            << ": back to the set of step " << keeper.best_step()
            << ", the smallest " << measure << " (" << std::scientific
            << std::setprecision(3) << keeper.best_measure() << " K)"
            << std::endl;
      free_boundary_state.cycled = repeated ? 1 : 0;
      metal                      = keeper.finish();
      if (anderson)
        anderson->reset();
    }
    undecided_now = 0;
  }
}

template bool
Simulator<2>::solve_free_boundary(Summary &, const double);
template bool
Simulator<3>::solve_free_boundary(Summary &, const double);
template VectorType
Simulator<2>::free_boundary_start(const bool, const double) const;
template VectorType
Simulator<3>::free_boundary_start(const bool, const double) const;
template Simulator<2>::FreeBoundaryLayer
Simulator<2>::free_boundary_layer() const;
template Simulator<3>::FreeBoundaryLayer
Simulator<3>::free_boundary_layer() const;
} // namespace imtsim
