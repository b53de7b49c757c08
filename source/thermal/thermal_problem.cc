#include <deal.II/base/quadrature_lib.h>
#include <deal.II/base/utilities.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/sparsity_tools.h>
#include <deal.II/numerics/vector_tools.h>

#include <imtsim/coupling/convergence_error.h>
#include <imtsim/postprocessing/indicator.h>
#include <imtsim/thermal/thermal_problem.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace imtsim
{
template <int dim>
ThermalProblem<dim>::ThermalProblem(const Parameters          &parameters,
                                    const SampleGeometry<dim> &geometry,
                                    const DoFHandler<dim>     &dof_handler,
                                    PhaseQuadrature<dim>      &quadrature,
                                    TimerOutput               &timer)
    : parameters(parameters), geometry(geometry), dof_handler(dof_handler),
      quadrature(quadrature), timer(timer), law(quadrature.get_law()),
      extrusion(dim == 2 ? parameters.geometry.width : 1.),
      fixed_ids(geometry.fixed_temperature_ids()),
      conductance(SampleGeometry<dim>::by_boundary_id(
          parameters.thermal.contact_conductance)),
      emissivity(
          SampleGeometry<dim>::by_boundary_id(parameters.thermal.emissivity)),
      T_env(parameters.thermal.environment_temperature),
      two_temperature(parameters.thermal.two_temperature),
      phase_from_lattice(parameters.thermal.phase_from_lattice),
      gamma(parameters.thermal.coupling),
      pair_solver(parameters.solver.polynomial_degree > 1, 2)
{
  for (const auto &name :
       parameters.thermal.electron_fixed_temperature_boundaries)
    electron_fixed_ids.push_back(SampleGeometry<dim>::boundary_id(name));
}

template <int dim>
void
ThermalProblem<dim>::setup(
    const IndexSet                  &owned,
    const IndexSet                  &relevant,
    const AffineConstraints<double> &hanging_node_constraints)
{
  TimerOutput::Scope t(timer, "thermal: setup");
  owned_dofs          = owned;
  relevant_dofs       = relevant;
  hanging             = &hanging_node_constraints;
  held_active         = false;
  const MPI_Comm comm = dof_handler.get_communicator();

  constraints.clear();
  constraints.reinit(relevant_dofs);
  constraints.merge(hanging_node_constraints);
  for (const auto id : fixed_ids)
    VectorTools::interpolate_boundary_values(
        dof_handler,
        id,
        Functions::ConstantFunction<dim>(
            parameters.thermal.substrate_temperature),
        constraints);
  constraints.close();

  reinit_system_matrix(
      dof_handler, constraints, owned_dofs, relevant_dofs, matrix);
  rhs.reinit(owned_dofs, comm);
  fixed_indicator = boundary_indicator(
      dof_handler, fixed_ids, hanging_node_constraints, owned, relevant);
  if (parameters.thermal.consistent_electrode_flux)
    electrode_indicator =
        boundary_indicator(dof_handler,
                           {BoundaryIds::drain, BoundaryIds::source},
                           hanging_node_constraints,
                           owned,
                           relevant);
  linear_solver.invalidate();
  pair_valid = false;
  if (!two_temperature)
    return;

  // The electrons' constraints; 'constraints' hold the lattice's.
  electron_constraints.clear();
  electron_constraints.reinit(relevant_dofs);
  electron_constraints.merge(hanging_node_constraints);
  for (const auto id : electron_fixed_ids)
    VectorTools::interpolate_boundary_values(
        dof_handler,
        id,
        Functions::ConstantFunction<dim>(
            parameters.thermal.substrate_temperature),
        electron_constraints);
  electron_constraints.close();
  electron_fixed_indicator = boundary_indicator(dof_handler,
                                                electron_fixed_ids,
                                                hanging_node_constraints,
                                                owned,
                                                relevant);

  // The interleaved unknowns: each rank owns a contiguous range of scalar
  // DoFs, hence of pairs, so that node k's T and T_l are 2k and 2k + 1.
  const types::global_dof_index n = dof_handler.n_dofs();
  owned_pairs.clear();
  owned_pairs.set_size(2 * n);
  relevant_pairs.clear();
  relevant_pairs.set_size(2 * n);
  std::vector<types::global_dof_index> indices;
  for (const auto i : owned_dofs)
    indices.insert(indices.end(), {pair_index(i, 0), pair_index(i, 1)});
  owned_pairs.add_indices(indices.begin(), indices.end());
  indices.clear();
  for (const auto i : relevant_dofs)
    indices.insert(indices.end(), {pair_index(i, 0), pair_index(i, 1)});
  relevant_pairs.add_indices(indices.begin(), indices.end());
  owned_pairs.compress();
  relevant_pairs.compress();

  pair_constraints.clear();
  pair_constraints.reinit(relevant_pairs);
  for (const auto &[c, source] : {std::make_pair(0u, &electron_constraints),
                                  std::make_pair(1u, &constraints)})
    for (const auto &line : source->get_lines())
    {
      const auto row = pair_index(line.index, c);
      pair_constraints.add_line(row);
      for (const auto &[column, weight] : line.entries)
        pair_constraints.add_entry(row, pair_index(column, c), weight);
      pair_constraints.set_inhomogeneity(row, line.inhomogeneity);
    }
  pair_constraints.close();

  DynamicSparsityPattern dsp(relevant_pairs);
  const unsigned int     dofs_per_cell = dof_handler.get_fe().n_dofs_per_cell();
  std::vector<types::global_dof_index> cell_dofs(dofs_per_cell),
      pair_dofs(2 * dofs_per_cell);
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
    {
      cell->get_dof_indices(cell_dofs);
      for (unsigned int i = 0; i < dofs_per_cell; ++i)
        for (const unsigned int c : {0u, 1u})
          pair_dofs[2 * i + c] = pair_index(cell_dofs[i], c);
      pair_constraints.add_entries_local_to_global(pair_dofs, dsp, false);
    }
  SparsityTools::distribute_sparsity_pattern(
      dsp, owned_pairs, comm, relevant_pairs);
  pair_matrix.reinit(owned_pairs, owned_pairs, dsp, comm);
  pair_rhs.reinit(owned_pairs, comm);
  electron.reinit(owned_dofs, relevant_dofs, comm);
  lattice.reinit(owned_dofs, relevant_dofs, comm);
  electron_excess.reinit(owned_dofs, relevant_dofs, comm);
  pair_solver.invalidate();
  std::apply([dofs_per_cell](auto &...m)
             { (m.reinit(dofs_per_cell, dofs_per_cell), ...); },
             scratch_matrices);
  std::apply([dofs_per_cell](auto &...v) { (v.reinit(dofs_per_cell), ...); },
             scratch_vectors);
  // FE_Q's nodes are the Gauss-Lobatto points: this rule lumps the mass.
  lumped_values = std::make_unique<FEValues<dim>>(
      dof_handler.get_fe(),
      QGaussLobatto<dim>(dof_handler.get_fe().degree + 1),
      update_values | update_JxW_values);
}

template <int dim>
void
ThermalProblem<dim>::apply_boundary_values(VectorType &T) const
{
  if (two_temperature && !phase_from_lattice)
    electron_constraints.distribute(T);
  else
    constraints.distribute(T);
}

template <int dim>
void
ThermalProblem<dim>::assemble_cell(
    const typename DoFHandler<dim>::active_cell_iterator &cell,
    const VectorType                                     &T_old,
    const VectorType                                     &psi,
    const VectorType                                     &T_lin,
    FullMatrix<double>                                   &cell_matrix,
    Vector<double>                                       &cell_rhs,
    HeatBalance                                          &sources)
{
  const bool joule                      = parameters.thermal.joule_heating;
  const bool peltier                    = parameters.thermal.peltier_heating;
  cell_matrix                           = 0;
  cell_rhs                              = 0;
  const bool                  transient = time_a0 > 0;
  std::vector<double>         T_q, shift_q, history_q, T_lin_q;
  std::vector<Tensor<1, dim>> grad_psi, grad_shift;
  // With hysteresis the interface temperature T_c,h = T_up + shift varies
  // (T_up where the memory is insulating, T_down where it is metal), so
  // the metal's Peltier potential is H = (S_M - S_I) T_c,h, and the source
  // T j . grad S = div(H j) - (S_M - S_I) j . grad T_c,h in the metal
  // (doc/hysteresis.md): the second term removes the spurious heat div(H j)
  // would put where T_c,h varies inside the metal.
  const bool   hysteretic = peltier && quadrature.hysteretic();
  const double dS_metal   = -law.delta_seebeck(); // S_M - S_I
  // Two temperatures with the phase set by T_l: the interface carries the
  // Peltier heat at the electron temperature, T = T_l + D there, not at
  // T_c (doc/two_temperature.md). Under the sharp law that is the same
  // construction with T_c,h + D: H = (S_M - S_I) (T_c,h + D) and the
  // correction (S_M - S_I) j . grad D in the metal. Under the smooth law
  // T j . grad S = div(H(T_l) j) + D S'(T_l) j . grad T_l, the second
  // term a volume source; the right-hand side holds -T j . grad S, so it
  // enters as -D S'(T_l) j . grad T_l. D is that of the previous iterate.
  const bool          excess = peltier && two_temperature && phase_from_lattice;
  std::vector<double> excess_q;
  std::vector<Tensor<1, dim>> grad_T;

  // The current that carries the Peltier flux H j (peltier_sigma()).
  const double sigma_cell = peltier ? peltier_sigma(cell, T_old) : 0.;
  const bool   averaged   = sigma_cell > 0;

  // 'Electrode Peltier flux = consistent': the electrode term is added
  // node by node (electrode_heat()), not here.
  const bool consistent =
      peltier && parameters.thermal.consistent_electrode_flux;

  quadrature.for_each_part(
      cell,
      [&](const FEValues<dim> &fe, const Region region)
      {
        T_q.resize(fe.n_quadrature_points);
        grad_psi.resize(fe.n_quadrature_points);
        fe.get_function_values(T_old, T_q);
        fe.get_function_gradients(psi, grad_psi);
        const bool metal_part =
            (hysteretic || excess) && region == Region::metal;
        if (transient)
        {
          history_q.resize(fe.n_quadrature_points);
          T_lin_q.resize(fe.n_quadrature_points);
          fe.get_function_values(*time_history, history_q);
          fe.get_function_values(T_lin, T_lin_q);
        }
        if (metal_part)
          metal_shift(fe, shift_q, &grad_shift);
        const bool smooth_excess = excess && region == Region::from_temperature;
        if (smooth_excess)
        {
          excess_q.resize(fe.n_quadrature_points);
          grad_T.resize(fe.n_quadrature_points);
          fe.get_function_values(electron_excess, excess_q);
          fe.get_function_gradients(T_old, grad_T);
        }
        for (const unsigned int q : fe.quadrature_point_indices())
        {
          const double sigma = law.sigma(T_q[q], region);
          // Two temperatures: this is the electrons' equation.
          const double kappa =
              law.kappa(T_q[q], region) -
              (two_temperature ? law.kappa_lattice(T_q[q], region) : 0.);
          const double H = law.peltier_potential(T_q[q], region) +
                           (metal_part ? dS_metal * shift_q[q] : 0.);
          const Tensor<1, dim> j =
              -(averaged ? sigma_cell : sigma) * grad_psi[q];
          const double joule_density =
              joule ? sigma * grad_psi[q] * grad_psi[q] : 0.;
          const double correction =
              metal_part ? dS_metal * (j * grad_shift[q])
              : smooth_excess
                  ? -excess_q[q] * dS_metal *
                        law.metal_fraction_derivative(T_q[q]) * (j * grad_T[q])
                  : 0.;
          const double JxW = fe.JxW(q);
          // C dT/dt = C (a0 T - history): a0 C on the matrix, C history on
          // the right-hand side; C from the phase of the previous iterate,
          // like kappa.
          const double C = transient ? law.heat_capacity(T_q[q], region) : 0.;
          const double C_history = transient ? C * history_q[q] : 0.;
          sources.joule += joule_density * JxW;
          sources.peltier += correction * JxW;
          if (transient)
            sources.stored += (C * time_a0 * T_lin_q[q] - C_history) * JxW;
          for (const unsigned int i : fe.dof_indices())
          {
            const Tensor<1, dim> grad_v = fe.shape_grad(i, q);
            const double         v      = fe.shape_value(i, q);
            for (const unsigned int k : fe.dof_indices())
              cell_matrix(i, k) += (kappa * grad_v * fe.shape_grad(k, q) +
                                    C * time_a0 * v * fe.shape_value(k, q)) *
                                   JxW;
            cell_rhs(i) += ((joule_density + correction + C_history) * v +
                            (peltier ? H * (j * grad_v) : 0.)) *
                           JxW;
          }
        }
      });

  // Heat-loss boundaries; with two temperatures they act on the lattice.
  if (!two_temperature)
    assemble_losses(cell, T_lin, cell_matrix, cell_rhs, sources);

  // Electrode faces: -<H j.n, v>, with H from the phase of the adjacent
  // part of the cell, consistent with the volume term above.
  if (!peltier || consistent)
    return;
  for (const unsigned int f : cell->face_indices())
    if (cell->at_boundary(f) &&
        (cell->face(f)->boundary_id() == BoundaryIds::drain ||
         cell->face(f)->boundary_id() == BoundaryIds::source))
      quadrature.for_each_face_part(
          cell,
          f,
          [&](const FEFaceValuesBase<dim> &fe, const Region region)
          {
            T_q.resize(fe.n_quadrature_points);
            grad_psi.resize(fe.n_quadrature_points);
            fe.get_function_values(T_old, T_q);
            fe.get_function_gradients(psi, grad_psi);
            const bool metal_part =
                (hysteretic || excess) && region == Region::metal;
            if (metal_part)
              metal_shift(fe, shift_q, nullptr);
            for (const unsigned int q : fe.quadrature_point_indices())
            {
              const double H = law.peltier_potential(T_q[q], region) +
                               (metal_part ? dS_metal * shift_q[q] : 0.);
              const double j_n =
                  -(averaged ? sigma_cell : law.sigma(T_q[q], region)) *
                  (grad_psi[q] * fe.normal_vector(q));
              const double flux = H * j_n * fe.JxW(q);
              sources.peltier -= flux;
              for (const unsigned int i : fe.dof_indices())
                cell_rhs(i) -= flux * fe.shape_value(i, q);
            }
          });
}

template <int dim>
void
ThermalProblem<dim>::assemble_losses(
    const typename DoFHandler<dim>::active_cell_iterator &cell,
    const VectorType                                     &T_lin,
    FullMatrix<double>                                   &cell_matrix,
    Vector<double>                                       &cell_rhs,
    HeatBalance                                          &sources)
{
  std::vector<double> T_q;
  // Contact conductance kappa_C (T - T_env),
  // linear; radiation eps sigma_SB (T^4 - T_env^4), linearised
  // about T_lin (Newton: solve() iterates until T_lin is the solution).
  if (!conductance.empty() || !emissivity.empty())
    for (const unsigned int f : cell->face_indices())
    {
      if (!cell->at_boundary(f))
        continue;
      const types::boundary_id id = cell->face(f)->boundary_id();
      const auto               c  = conductance.find(id);
      const auto               e  = emissivity.find(id);
      const double             kC = c == conductance.end() ? 0. : c->second;
      const double             h =
          e == emissivity.end() ? 0. : e->second * stefan_boltzmann;
      if (kC == 0 && h == 0)
        continue;
      quadrature.for_each_face_part(
          cell,
          f,
          [&](const FEFaceValuesBase<dim> &fe, const Region)
          {
            T_q.resize(fe.n_quadrature_points);
            fe.get_function_values(T_lin, T_q);
            for (const unsigned int q : fe.quadrature_point_indices())
            {
              // An iterate of the outer acceleration may be far off: the
              // law is linearised about a positive temperature, so that
              // the face term stays positive (the matrix definite).
              const double T  = std::max(T_q[q], 1e-3 * T_env);
              const double T3 = T * T * T;
              // q_n(T) ~ q_n(T_lin) + q_n'(T_lin) (T - T_lin) = a T - b.
              const double a = kC + 4 * h * T3;
              const double b =
                  kC * T_env + h * (3 * T3 * T + std::pow(T_env, 4));
              const double JxW          = fe.JxW(q);
              const double lost_contact = kC * (T_q[q] - T_env) * JxW;
              const double lost_radiation =
                  h * (T3 * T - std::pow(T_env, 4)) * JxW;
              sources.contact += lost_contact;
              sources.radiation += lost_radiation;
              sources.by_boundary[id] += lost_contact + lost_radiation;
              for (const unsigned int i : fe.dof_indices())
              {
                const double v = fe.shape_value(i, q);
                for (const unsigned int k : fe.dof_indices())
                  cell_matrix(i, k) += a * v * fe.shape_value(k, q) * JxW;
                cell_rhs(i) += b * v * JxW;
              }
            }
          });
    }
}

template <int dim>
double
ThermalProblem<dim>::max_difference(const VectorType &a,
                                    const VectorType &b) const
{
  double d = 0;
  for (const auto i : owned_dofs)
    d = std::max(d, std::abs(a[i] - b[i]));
  return Utilities::MPI::max(d, dof_handler.get_communicator());
}

template <int dim>
bool
ThermalProblem<dim>::radiation_converged(const VectorType  &T_new,
                                         const VectorType  &T_lin,
                                         const unsigned int newton,
                                         double            &last_change) const
{
  const double change = max_difference(T_new, T_lin);
  if (!std::isfinite(change))
    throw ConvergenceError("the radiation Newton iteration of the heat "
                           "problem produced a non-finite temperature");
  // Converged, or at the round-off floor of the linear solves (the update
  // stopped shrinking while already tiny: near-Neumann problems, such as a
  // wire that only radiates, are ill-conditioned).
  const double T0 = parameters.thermal.substrate_temperature;
  if (change <= 1e-10 * T0 ||
      (newton > 0 && change > 0.5 * last_change && change <= 1e-6 * T0))
    return true;
  last_change = change;
  if (newton == 50)
    throw ConvergenceError("the radiation Newton iteration of the heat "
                           "problem did not converge in 50 steps (last "
                           "update " +
                           Utilities::to_string(change) + " K)");
  return false;
}

template <int dim>
unsigned int
ThermalProblem<dim>::solve(const VectorType &T_old,
                           const VectorType &psi,
                           VectorType       &T_new)
{
  if (two_temperature)
    return solve_pair(T_old, psi, T_new);
  const unsigned int dofs_per_cell = dof_handler.get_fe().n_dofs_per_cell();
  FullMatrix<double> cell_matrix(dofs_per_cell, dofs_per_cell);
  Vector<double>     cell_rhs(dofs_per_cell);
  std::vector<types::global_dof_index> dof_indices(dofs_per_cell);
  HeatBalance                          unused;
  const MPI_Comm                       comm = dof_handler.get_communicator();
  // The free-boundary solver's held DoFs, if any.
  const AffineConstraints<double> &active =
      held_active ? held_constraints : constraints;
  // The problem is linear in T for the given phases and current, except
  // for radiation: then Newton's method, each step a linear solve with the
  // law linearised about the last iterate, until the update is at round-off
  // level (quadratic convergence: a few steps).
  VectorType   T_lin(T_old);
  VectorType   heat;
  unsigned int iterations  = 0;
  double       last_change = 0;
  for (unsigned int newton = 0;; ++newton)
  {
    {
      TimerOutput::Scope t(timer, "thermal: assemble");
      matrix = 0;
      rhs    = 0;
      for (const auto &cell : dof_handler.active_cell_iterators())
        if (cell->is_locally_owned())
        {
          assemble_cell(cell, T_old, psi, T_lin, cell_matrix, cell_rhs, unused);
          cell->get_dof_indices(dof_indices);
          active.distribute_local_to_global(
              cell_matrix, cell_rhs, dof_indices, matrix, rhs);
        }
      matrix.compress(VectorOperation::add);
      rhs.compress(VectorOperation::add);
      if (consistent_flux())
      {
        if (newton == 0)
          electrode_heat(T_old, psi, heat);
        VectorType added(heat);
        active.set_zero(added);
        rhs += added;
      }
    }

    TimerOutput::Scope t(timer, "thermal: solve");
    VectorType         solution(owned_dofs, comm);
    solution = T_lin; // a good initial guess
    if (time_a0 > 0)
    {
      // Time-dependent: the right-hand side is dominated by C T^n/dt, so
      // a tolerance relative to it would stop CG while its error is still
      // comparable with the heat a short step adds. Solve for the
      // correction to T_lin instead: the tolerance is then relative to the
      // residual of T_lin, the size of the sources.
      VectorType residual(owned_dofs, comm), correction(owned_dofs, comm);
      matrix.vmult(residual, solution);
      residual.sadd(-1., 1., rhs);
      active.set_zero(residual);
      iterations += linear_solver.solve(
          matrix, correction, residual, parameters.solver.linear_tolerance);
      solution += correction;
    }
    else
      iterations += linear_solver.solve(
          matrix, solution, rhs, parameters.solver.linear_tolerance);
    active.distribute(solution);
    T_new = solution;
    if (emissivity.empty())
      break;
    if (radiation_converged(T_new, T_lin, newton, last_change))
      break;
    T_lin = T_new;
  }
  return iterations;
}

template <int dim>
double
ThermalProblem<dim>::peltier_sigma(
    const typename DoFHandler<dim>::active_cell_iterator &cell,
    const VectorType                                     &T_old)
{
  // Under the sharp law only cut cells can have a varying sigma: skip the
  // pass over the others.
  if (law.is_sharp() && !quadrature.is_cut(cell))
    return 0;
  double              sigma_sum = 0, volume = 0;
  double              sigma_min = std::numeric_limits<double>::max();
  double              sigma_max = 0;
  std::vector<double> T_q;
  quadrature.for_each_part(cell,
                           [&](const FEValues<dim> &fe, const Region region)
                           {
                             T_q.resize(fe.n_quadrature_points);
                             fe.get_function_values(T_old, T_q);
                             for (const unsigned int q :
                                  fe.quadrature_point_indices())
                             {
                               const double s = law.sigma(T_q[q], region);
                               sigma_sum += s * fe.JxW(q);
                               volume += fe.JxW(q);
                               sigma_min = std::min(sigma_min, s);
                               sigma_max = std::max(sigma_max, s);
                             }
                           });
  return sigma_max > sigma_min ? sigma_sum / volume : 0.;
}

template <int dim>
void
ThermalProblem<dim>::metal_shift(const FEValuesBase<dim>     &fe,
                                 std::vector<double>         &shift,
                                 std::vector<Tensor<1, dim>> *gradient) const
{
  const unsigned int nq = fe.n_quadrature_points;
  shift.assign(nq, 0.);
  if (gradient)
    gradient->assign(nq, Tensor<1, dim>());
  std::vector<const VectorType *> fields;
  if (quadrature.hysteretic())
    fields.push_back(&quadrature.transition_shift());
  if (two_temperature && phase_from_lattice)
    fields.push_back(&electron_excess);
  std::vector<double>         values(nq);
  std::vector<Tensor<1, dim>> gradients(nq);
  for (const VectorType *field : fields)
  {
    fe.get_function_values(*field, values);
    for (unsigned int q = 0; q < nq; ++q)
      shift[q] += values[q];
    if (!gradient)
      continue;
    fe.get_function_gradients(*field, gradients);
    for (unsigned int q = 0; q < nq; ++q)
      (*gradient)[q] += gradients[q];
  }
}

template <int dim>
void
ThermalProblem<dim>::add_electrode_heat(const VectorType &T_old,
                                        const VectorType &psi,
                                        const VectorType &fixed,
                                        HeatBalance      &balance)
{
  // A source, and where an electrode node is also held at a fixed
  // temperature part of the residual tested with its indicator w.
  VectorType heat;
  electrode_heat(T_old, psi, heat);
  for (const auto i : owned_dofs)
  {
    balance.peltier += heat[i];
    balance.out += fixed[i] * heat[i];
  }
}

template <int dim>
void
ThermalProblem<dim>::electrode_heat(const VectorType &T_old,
                                    const VectorType &psi,
                                    VectorType       &heat)
{
  // heat_i = -(H j, grad v_i) - (j . grad H, v_i) with j the current of
  // the volume term (see the header). grad H is H'(T) grad T under the
  // smooth law, (S_M - S_I) grad (T_c,h + D) in a metal part (the
  // correction term of assemble_cell()), and the jump H_I - H_M on the
  // interface; zero elsewhere.
  const unsigned int n = dof_handler.get_fe().n_dofs_per_cell();
  Vector<double>     local(n);
  std::vector<types::global_dof_index> indices(n);
  std::vector<double>                  T_q, shift_q;
  std::vector<Tensor<1, dim>>          grad_psi, grad_T, grad_shift;
  const MPI_Comm                       comm = dof_handler.get_communicator();
  const double dS_metal                     = -law.delta_seebeck(); // S_M - S_I
  VectorType   assembled(owned_dofs, comm);
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
    {
      cell->get_dof_indices(indices);
      bool touches = false;
      for (const auto i : indices)
        touches = touches || electrode_indicator[i] != 0;
      if (!touches)
        continue;
      local                   = 0;
      const double sigma_cell = peltier_sigma(cell, T_old);
      quadrature.for_each_part(
          cell,
          [&](const FEValues<dim> &fe, const Region region)
          {
            const unsigned int nq = fe.n_quadrature_points;
            T_q.resize(nq);
            grad_psi.resize(nq);
            grad_T.resize(nq);
            fe.get_function_values(T_old, T_q);
            fe.get_function_gradients(psi, grad_psi);
            fe.get_function_gradients(T_old, grad_T);
            if (region == Region::metal)
              metal_shift(fe, shift_q, &grad_shift);
            else
            {
              shift_q.assign(nq, 0.);
              grad_shift.assign(nq, Tensor<1, dim>());
            }
            for (const unsigned int q : fe.quadrature_point_indices())
            {
              const double sigma =
                  sigma_cell > 0 ? sigma_cell : law.sigma(T_q[q], region);
              const Tensor<1, dim> j = -sigma * grad_psi[q];
              const double         H =
                  law.peltier_potential(T_q[q], region) + dS_metal * shift_q[q];
              const double j_grad_H =
                  region == Region::from_temperature
                      ? T_q[q] * dS_metal *
                            law.metal_fraction_derivative(T_q[q]) *
                            (j * grad_T[q])
                      : dS_metal * (j * grad_shift[q]);
              for (const unsigned int i : fe.dof_indices())
                local(i) -= (H * (j * fe.shape_grad(i, q)) +
                             j_grad_H * fe.shape_value(i, q)) *
                            fe.JxW(q);
            }
          });
      const double sigma_interface =
          sigma_cell > 0 ? sigma_cell : law.sigma(0, Region::metal);
      quadrature.for_interface(
          cell,
          [&](const NonMatching::FEImmersedSurfaceValues<dim> &fe)
          {
            grad_psi.resize(fe.n_quadrature_points);
            fe.get_function_gradients(psi, grad_psi);
            metal_shift(fe, shift_q, nullptr);
            for (const unsigned int q : fe.quadrature_point_indices())
            {
              const double jump = law.peltier_potential(0, Region::insulator) -
                                  (law.peltier_potential(0, Region::metal) +
                                   dS_metal * shift_q[q]);
              const double j_n =
                  -sigma_interface * (grad_psi[q] * fe.normal_vector(q));
              for (const unsigned int i : fe.dof_indices())
                local(i) -= jump * j_n * fe.shape_value(i, q) * fe.JxW(q);
            }
          });
      hanging->distribute_local_to_global(local, indices, assembled);
    }
  assembled.compress(VectorOperation::add);
  heat.reinit(owned_dofs, comm);
  for (const auto i : owned_dofs)
    if (is_electrode_row(i))
      heat[i] = assembled[i];
  heat.compress(VectorOperation::insert);
}

template <int dim>
void
ThermalProblem<dim>::set_held_dofs(std::vector<types::global_dof_index> &dofs,
                                   const double                          value)
{
  dofs.erase(std::remove_if(dofs.begin(),
                            dofs.end(),
                            [&](const types::global_dof_index i)
                            { return constraints.is_constrained(i); }),
             dofs.end());
  held_active = !dofs.empty();
  if (!held_active)
    return;
  held_constraints.clear();
  held_constraints.reinit(relevant_dofs);
  held_constraints.merge(constraints);
  for (const auto i : dofs)
  {
    held_constraints.add_line(i);
    held_constraints.set_inhomogeneity(i, value);
  }
  held_constraints.close();
}

template <int dim>
void
ThermalProblem<dim>::nodal_residual(const VectorType &T_old,
                                    const VectorType &psi,
                                    const VectorType &T_new,
                                    VectorType       &residual)
{
  TimerOutput::Scope t(timer, "thermal: residual");
  const unsigned int dofs_per_cell = dof_handler.get_fe().n_dofs_per_cell();
  FullMatrix<double> cell_matrix(dofs_per_cell, dofs_per_cell);
  Vector<double>     cell_rhs(dofs_per_cell), T_local(dofs_per_cell),
      MT_local(dofs_per_cell);
  std::vector<types::global_dof_index> dof_indices(dofs_per_cell);
  HeatBalance                          unused;
  residual.reinit(owned_dofs, dof_handler.get_communicator());
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
    {
      assemble_cell(cell, T_old, psi, T_new, cell_matrix, cell_rhs, unused);
      cell->get_dof_values(T_new, T_local);
      cell_matrix.vmult(MT_local, T_local);
      cell_rhs -= MT_local;
      cell->get_dof_indices(dof_indices);
      hanging->distribute_local_to_global(cell_rhs, dof_indices, residual);
    }
  residual.compress(VectorOperation::add);
  if (consistent_flux())
  {
    VectorType heat;
    electrode_heat(T_old, psi, heat);
    residual += heat;
  }
}

template <int dim>
HeatBalance
ThermalProblem<dim>::heat_balance(const VectorType &T_old,
                                  const VectorType &psi,
                                  const VectorType &T_new)
{
  if (two_temperature)
    return heat_balance_pair(T_old, psi);
  TimerOutput::Scope t(timer, "thermal: heat balance");
  const unsigned int dofs_per_cell = dof_handler.get_fe().n_dofs_per_cell();
  FullMatrix<double> cell_matrix(dofs_per_cell, dofs_per_cell);
  Vector<double>     cell_rhs(dofs_per_cell), T_local(dofs_per_cell),
      w_local(dofs_per_cell);
  HeatBalance                 balance;
  std::vector<double>         T_q;
  std::vector<Tensor<1, dim>> grad_T;

  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
    {
      assemble_cell(cell, T_old, psi, T_new, cell_matrix, cell_rhs, balance);
      cell->get_dof_values(fixed_indicator, w_local);
      if (w_local.linfty_norm() == 0)
        continue;
      // Q_out = l(w) - a(T, w): minus the residual tested with w.
      cell->get_dof_values(T_new, T_local);
      for (unsigned int i = 0; i < dofs_per_cell; ++i)
        if (w_local(i) != 0)
        {
          double r = cell_rhs(i);
          for (unsigned int k = 0; k < dofs_per_cell; ++k)
            r -= cell_matrix(i, k) * T_local(k);
          balance.out += w_local(i) * r;
        }
      // The direct flux -kappa dT/dn through the fixed faces.
      for (const unsigned int f : cell->face_indices())
        if (cell->at_boundary(f) &&
            std::find(fixed_ids.begin(),
                      fixed_ids.end(),
                      cell->face(f)->boundary_id()) != fixed_ids.end())
          quadrature.for_each_face_part(
              cell,
              f,
              [&](const FEFaceValuesBase<dim> &fe, const Region region)
              {
                T_q.resize(fe.n_quadrature_points);
                grad_T.resize(fe.n_quadrature_points);
                fe.get_function_values(T_new, T_q);
                fe.get_function_gradients(T_new, grad_T);
                for (const unsigned int q : fe.quadrature_point_indices())
                {
                  const double flux = -law.kappa(T_q[q], region) *
                                      (grad_T[q] * fe.normal_vector(q)) *
                                      fe.JxW(q);
                  balance.out_direct += flux;
                  balance.by_boundary[cell->face(f)->boundary_id()] += flux;
                }
              });
    }
  if (consistent_flux())
    add_electrode_heat(T_old, psi, fixed_indicator, balance);
  const MPI_Comm comm = dof_handler.get_communicator();
  balance.joule       = Utilities::MPI::sum(balance.joule, comm) * extrusion;
  balance.peltier     = Utilities::MPI::sum(balance.peltier, comm) * extrusion;
  balance.out         = Utilities::MPI::sum(balance.out, comm) * extrusion;
  balance.out_direct =
      Utilities::MPI::sum(balance.out_direct, comm) * extrusion;
  balance.contact   = Utilities::MPI::sum(balance.contact, comm) * extrusion;
  balance.radiation = Utilities::MPI::sum(balance.radiation, comm) * extrusion;
  balance.stored    = Utilities::MPI::sum(balance.stored, comm) * extrusion;
  // Every rank sums the same ids, in the same order.
  std::set<types::boundary_id> ids(fixed_ids.begin(), fixed_ids.end());
  for (const auto &[id, v] : conductance)
    ids.insert(id);
  for (const auto &[id, v] : emissivity)
    ids.insert(id);
  for (const auto id : ids)
    balance.by_boundary[id] =
        Utilities::MPI::sum(balance.by_boundary[id], comm) * extrusion;
  return balance;
}

template <int dim>
void
ThermalProblem<dim>::assemble_lattice_cell(
    const typename DoFHandler<dim>::active_cell_iterator &cell,
    const VectorType                                     &T_old,
    const VectorType                                     &T_lin,
    FullMatrix<double>                                   &cell_matrix,
    FullMatrix<double>                                   &exchange_matrix,
    Vector<double>                                       &cell_rhs,
    HeatBalance                                          &sources)
{
  cell_matrix     = 0;
  exchange_matrix = 0;
  cell_rhs        = 0;
  std::vector<double> T_q;
  quadrature.for_each_part(
      cell,
      [&](const FEValues<dim> &fe, const Region region)
      {
        T_q.resize(fe.n_quadrature_points);
        fe.get_function_values(T_old, T_q);
        for (const unsigned int q : fe.quadrature_point_indices())
        {
          const double kappa_l = law.kappa_lattice(T_q[q], region);
          const double JxW     = fe.JxW(q);
          for (const unsigned int i : fe.dof_indices())
            for (const unsigned int k : fe.dof_indices())
              cell_matrix(i, k) +=
                  kappa_l * fe.shape_grad(i, q) * fe.shape_grad(k, q) * JxW;
        }
      });
  // The exchange gamma (T - T_l) with the Gauss-Lobatto rule on the
  // element's nodes: a diagonal (lumped) mass matrix, so that the stiff
  // part of the system sits in the 2 x 2 blocks of the nodes, which the
  // block smoother of the AMG inverts exactly (gamma-robust). gamma does
  // not depend on the phase: the whole cell, cut or not.
  lumped_values->reinit(cell);
  for (const unsigned int q : lumped_values->quadrature_point_indices())
    for (const unsigned int i : lumped_values->dof_indices())
      exchange_matrix(i, i) += gamma * lumped_values->shape_value(i, q) *
                               lumped_values->shape_value(i, q) *
                               lumped_values->JxW(q);
  assemble_losses(cell, T_lin, cell_matrix, cell_rhs, sources);
}

template <int dim>
void
ThermalProblem<dim>::assemble_pair(
    const typename DoFHandler<dim>::active_cell_iterator &cell,
    const VectorType                                     &T_old,
    const VectorType                                     &psi,
    const VectorType                                     &T_lin,
    FullMatrix<double>                                   &pair_cell_matrix,
    Vector<double>                                       &pair_cell_rhs,
    HeatBalance                                          &sources)
{
  const unsigned int n = dof_handler.get_fe().n_dofs_per_cell();
  // Scratch of the cell loops, sized once per mesh in setup().
  auto &[electron_matrix, lattice_matrix, exchange_matrix] = scratch_matrices;
  auto &[electron_rhs, lattice_rhs]                        = scratch_vectors;
  assemble_cell(
      cell, T_old, psi, T_lin, electron_matrix, electron_rhs, sources);
  assemble_lattice_cell(cell,
                        T_old,
                        T_lin,
                        lattice_matrix,
                        exchange_matrix,
                        lattice_rhs,
                        sources);
  // [K_e + gamma M, -gamma M; -gamma M, K_l + gamma M], interleaved.
  for (unsigned int i = 0; i < n; ++i)
  {
    for (unsigned int k = 0; k < n; ++k)
    {
      const double m                         = exchange_matrix(i, k);
      pair_cell_matrix(2 * i, 2 * k)         = electron_matrix(i, k) + m;
      pair_cell_matrix(2 * i, 2 * k + 1)     = -m;
      pair_cell_matrix(2 * i + 1, 2 * k)     = -m;
      pair_cell_matrix(2 * i + 1, 2 * k + 1) = lattice_matrix(i, k) + m;
    }
    pair_cell_rhs(2 * i)     = electron_rhs(i);
    pair_cell_rhs(2 * i + 1) = lattice_rhs(i);
  }
}

template <int dim>
unsigned int
ThermalProblem<dim>::solve_pair(const VectorType &T_old,
                                const VectorType &psi,
                                VectorType       &T_new)
{
  const MPI_Comm comm = dof_handler.get_communicator();
  if (!pair_valid)
  {
    // The first solve on this mesh: start both from the given temperature.
    electron        = T_old;
    lattice         = T_old;
    electron_excess = 0;
    pair_valid      = true;
  }
  const unsigned int n = dof_handler.get_fe().n_dofs_per_cell();
  FullMatrix<double> cell_matrix(2 * n, 2 * n);
  Vector<double>     cell_rhs(2 * n);
  std::vector<types::global_dof_index> cell_dofs(n), pair_dofs(2 * n);
  HeatBalance                          unused;
  // Start from the last pair; the phase temperature from T_old.
  VectorType solution(owned_pairs, comm);
  for (const auto i : owned_dofs)
  {
    solution[pair_index(i, 0)] = phase_from_lattice ? electron[i] : T_old[i];
    solution[pair_index(i, 1)] = phase_from_lattice ? T_old[i] : lattice[i];
  }
  solution.compress(VectorOperation::insert);
  // Radiation from the lattice: Newton's method as in solve(). With the
  // phase from T_l and Peltier heating, the interface heat depends on
  // D = T - T_l: D is iterated to self-consistency within this solve, so
  // that the result is a function of T_old and psi alone (the outer
  // Newton-Krylov differentiates it). D enters only the sources.
  const bool iterate_excess =
      parameters.thermal.peltier_heating && phase_from_lattice;
  const double T0 = parameters.thermal.substrate_temperature;
  VectorType   T_lin(lattice);
  VectorType owned_electron(owned_dofs, comm), owned_lattice(owned_dofs, comm);
  VectorType owned_excess(owned_dofs, comm);
  unsigned int iterations  = 0;
  double       last_change = 0, last_excess_change = 0;
  for (unsigned int newton = 0, excess_step = 0;; ++newton)
  {
    {
      TimerOutput::Scope t(timer, "thermal: assemble");
      pair_matrix = 0;
      pair_rhs    = 0;
      for (const auto &cell : dof_handler.active_cell_iterators())
        if (cell->is_locally_owned())
        {
          assemble_pair(cell, T_old, psi, T_lin, cell_matrix, cell_rhs, unused);
          cell->get_dof_indices(cell_dofs);
          for (unsigned int i = 0; i < n; ++i)
            for (const unsigned int c : {0u, 1u})
              pair_dofs[2 * i + c] = pair_index(cell_dofs[i], c);
          pair_constraints.distribute_local_to_global(
              cell_matrix, cell_rhs, pair_dofs, pair_matrix, pair_rhs);
        }
      pair_matrix.compress(VectorOperation::add);
      pair_rhs.compress(VectorOperation::add);
      if (consistent_flux())
      {
        // The electrode term, in the electrons' equation like the volume
        // term; it depends on D when the phase follows T_l.
        VectorType heat, added(owned_pairs, comm);
        electrode_heat(T_old, psi, heat);
        for (const auto i : owned_dofs)
          added[pair_index(i, 0)] = heat[i];
        added.compress(VectorOperation::insert);
        pair_constraints.set_zero(added);
        pair_rhs += added;
      }
    }
    {
      // For the correction to the last pair: the rows of the boundary
      // values carry gamma-sized diagonals, so a tolerance relative to the
      // right-hand side would, for large gamma, stop CG long before the
      // residual of the heat balance is small. Relative to the residual of
      // the start it does not.
      TimerOutput::Scope t(timer, "thermal: solve");
      pair_constraints.distribute(solution);
      VectorType residual(owned_pairs, comm), correction(owned_pairs, comm);
      pair_matrix.vmult(residual, solution);
      residual.sadd(-1., 1., pair_rhs);
      pair_constraints.set_zero(residual);
      iterations += pair_solver.solve(pair_matrix,
                                      correction,
                                      residual,
                                      parameters.solver.linear_tolerance);
      solution += correction;
      pair_constraints.distribute(solution);
    }
    for (const auto i : owned_dofs)
    {
      owned_electron[i] = solution[pair_index(i, 0)];
      owned_lattice[i]  = solution[pair_index(i, 1)];
    }
    owned_electron.compress(VectorOperation::insert);
    owned_lattice.compress(VectorOperation::insert);
    double excess_change = 0;
    if (iterate_excess)
    {
      owned_excess = owned_electron;
      owned_excess -= owned_lattice;
      excess_change   = max_difference(owned_excess, electron_excess);
      electron_excess = owned_excess;
      if (!std::isfinite(excess_change))
        throw ConvergenceError("the electron-lattice temperature difference "
                               "of the heat problem is not finite");
      // Converged, or at the round-off floor (no longer shrinking while
      // already far below the Picard tolerances).
      const bool floor = excess_step > 0 &&
                         excess_change > 0.5 * last_excess_change &&
                         excess_change <= 1e-9 * T0;
      last_excess_change = excess_change;
      if (excess_change > 1e-11 * T0 && !floor)
      {
        if (++excess_step == 50)
          throw ConvergenceError(
              "the Peltier heat at the electron temperature did not "
              "become self-consistent in 50 heat solves (last change of "
              "T - T_l " +
              Utilities::to_string(excess_change) + " K)");
        --newton; // not a radiation step
        continue;
      }
    }
    if (emissivity.empty())
      break;
    if (radiation_converged(owned_lattice, T_lin, newton, last_change))
      break;
    T_lin = owned_lattice;
  }
  electron = owned_electron;
  lattice  = owned_lattice;
  T_new    = phase_from_lattice ? lattice : electron;
  return iterations;
}

template <int dim>
HeatBalance
ThermalProblem<dim>::heat_balance_pair(const VectorType &T_old,
                                       const VectorType &psi)
{
  TimerOutput::Scope t(timer, "thermal: heat balance");
  const unsigned int n = dof_handler.get_fe().n_dofs_per_cell();
  FullMatrix<double> cell_matrix(2 * n, 2 * n);
  Vector<double>     cell_rhs(2 * n), T_local(n), T_l_local(n), w_local(n),
      w_e_local(n);
  HeatBalance                 balance;
  std::vector<double>         T_q, T_l_q;
  std::vector<Tensor<1, dim>> grad_T;

  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
    {
      assemble_pair(cell, T_old, psi, lattice, cell_matrix, cell_rhs, balance);
      // The exchange, (gamma (T - T_l), 1), with the rule of the matrix.
      {
        lumped_values->reinit(cell);
        T_q.resize(lumped_values->n_quadrature_points);
        T_l_q.resize(lumped_values->n_quadrature_points);
        lumped_values->get_function_values(electron, T_q);
        lumped_values->get_function_values(lattice, T_l_q);
        for (const unsigned int q : lumped_values->quadrature_point_indices())
          balance.exchange +=
              gamma * (T_q[q] - T_l_q[q]) * lumped_values->JxW(q);
      }
      cell->get_dof_values(fixed_indicator, w_local);
      cell->get_dof_values(electron_fixed_indicator, w_e_local);
      if (w_local.linfty_norm() == 0 && w_e_local.linfty_norm() == 0)
        continue;
      // Q_out = l(w) - a(T, w) for each field, w its boundary indicator.
      cell->get_dof_values(electron, T_local);
      cell->get_dof_values(lattice, T_l_local);
      for (unsigned int i = 0; i < 2 * n; ++i)
      {
        const double w = i % 2 == 0 ? w_e_local(i / 2) : w_local(i / 2);
        if (w == 0)
          continue;
        double r = cell_rhs(i);
        for (unsigned int k = 0; k < n; ++k)
          r -= cell_matrix(i, 2 * k) * T_local(k) +
               cell_matrix(i, 2 * k + 1) * T_l_local(k);
        balance.out += w * r;
      }
      // The direct fluxes -kappa_l dT_l/dn and -kappa_e dT/dn.
      for (const unsigned int f : cell->face_indices())
      {
        if (!cell->at_boundary(f))
          continue;
        const types::boundary_id id = cell->face(f)->boundary_id();
        for (const bool of_lattice : {true, false})
        {
          const auto &ids = of_lattice ? fixed_ids : electron_fixed_ids;
          if (std::find(ids.begin(), ids.end(), id) == ids.end())
            continue;
          quadrature.for_each_face_part(
              cell,
              f,
              [&](const FEFaceValuesBase<dim> &fe, const Region region)
              {
                T_q.resize(fe.n_quadrature_points);
                grad_T.resize(fe.n_quadrature_points);
                fe.get_function_values(T_old, T_q);
                fe.get_function_gradients(of_lattice ? lattice : electron,
                                          grad_T);
                for (const unsigned int q : fe.quadrature_point_indices())
                {
                  const double kappa_l = law.kappa_lattice(T_q[q], region);
                  const double kappa =
                      of_lattice ? kappa_l
                                 : law.kappa(T_q[q], region) - kappa_l;
                  const double flux =
                      -kappa * (grad_T[q] * fe.normal_vector(q)) * fe.JxW(q);
                  balance.out_direct += flux;
                  balance.by_boundary[id] += flux;
                }
              });
        }
      }
    }
  if (consistent_flux()) // on the electrons' equation
    add_electrode_heat(T_old, psi, electron_fixed_indicator, balance);
  const MPI_Comm comm = dof_handler.get_communicator();
  for (double *v : {&balance.joule,
                    &balance.peltier,
                    &balance.out,
                    &balance.out_direct,
                    &balance.contact,
                    &balance.radiation,
                    &balance.exchange})
    *v = Utilities::MPI::sum(*v, comm) * extrusion;
  std::set<types::boundary_id> ids(fixed_ids.begin(), fixed_ids.end());
  ids.insert(electron_fixed_ids.begin(), electron_fixed_ids.end());
  for (const auto &[id, v] : conductance)
    ids.insert(id);
  for (const auto &[id, v] : emissivity)
    ids.insert(id);
  for (const auto id : ids)
    balance.by_boundary[id] =
        Utilities::MPI::sum(balance.by_boundary[id], comm) * extrusion;
  return balance;
}

template class ThermalProblem<2>;
template class ThermalProblem<3>;
} // namespace imtsim
