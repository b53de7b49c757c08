#include <deal.II/base/utilities.h>
#include <deal.II/dofs/dof_tools.h>
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
      T_env(parameters.thermal.environment_temperature)
{
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
  linear_solver.invalidate();
}

template <int dim>
void
ThermalProblem<dim>::apply_boundary_values(VectorType &T) const
{
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

  // The current that carries the Peltier flux H j. In a cell where sigma
  // varies (cut by the interface under the sharp law, or holding part of
  // the transition band under the smooth law) psi_h has one smooth
  // gradient, so sigma_M grad psi_h in the metal part would overstate the
  // normal current crossing the interface by up to sigma_M/sigma_I. The
  // current the discrete problem actually passes through the cell is
  // sigma_K grad psi_h with sigma_K the cell's volume-averaged conductivity
  // (what its stiffness matrix uses), so that is the current used in the
  // Peltier terms of such cells.
  double sigma_cell = 0, volume = 0;
  double sigma_min = std::numeric_limits<double>::max(), sigma_max = 0;
  // Under the sharp law only cut cells can have a varying sigma: skip the
  // extra pass over the others.
  if (peltier && (!law.is_sharp() || quadrature.is_cut(cell)))
    quadrature.for_each_part(cell,
                             [&](const FEValues<dim> &fe, const Region region)
                             {
                               T_q.resize(fe.n_quadrature_points);
                               fe.get_function_values(T_old, T_q);
                               for (const unsigned int q :
                                    fe.quadrature_point_indices())
                               {
                                 const double s = law.sigma(T_q[q], region);
                                 sigma_cell += s * fe.JxW(q);
                                 volume += fe.JxW(q);
                                 sigma_min = std::min(sigma_min, s);
                                 sigma_max = std::max(sigma_max, s);
                               }
                             });
  const bool averaged = peltier && sigma_max > sigma_min;
  if (averaged)
    sigma_cell /= volume;

  quadrature.for_each_part(
      cell,
      [&](const FEValues<dim> &fe, const Region region)
      {
        T_q.resize(fe.n_quadrature_points);
        grad_psi.resize(fe.n_quadrature_points);
        fe.get_function_values(T_old, T_q);
        fe.get_function_gradients(psi, grad_psi);
        const bool metal_part = hysteretic && region == Region::metal;
        if (transient)
        {
          history_q.resize(fe.n_quadrature_points);
          T_lin_q.resize(fe.n_quadrature_points);
          fe.get_function_values(*time_history, history_q);
          fe.get_function_values(T_lin, T_lin_q);
        }
        if (metal_part)
        {
          shift_q.resize(fe.n_quadrature_points);
          grad_shift.resize(fe.n_quadrature_points);
          fe.get_function_values(quadrature.transition_shift(), shift_q);
          fe.get_function_gradients(quadrature.transition_shift(), grad_shift);
        }
        for (const unsigned int q : fe.quadrature_point_indices())
        {
          const double sigma = law.sigma(T_q[q], region);
          const double kappa = law.kappa(T_q[q], region);
          const double H     = law.peltier_potential(T_q[q], region) +
                           (metal_part ? dS_metal * shift_q[q] : 0.);
          const Tensor<1, dim> j =
              -(averaged ? sigma_cell : sigma) * grad_psi[q];
          const double joule_density =
              joule ? sigma * grad_psi[q] * grad_psi[q] : 0.;
          const double correction =
              metal_part ? dS_metal * (j * grad_shift[q]) : 0.;
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

  // Heat-loss boundaries: contact conductance kappa_C (T - T_env),
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

  // Electrode faces: -<H j.n, v>, with H from the phase of the adjacent
  // part of the cell, consistent with the volume term above.
  if (!peltier)
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
            const bool metal_part = hysteretic && region == Region::metal;
            if (metal_part)
            {
              shift_q.resize(fe.n_quadrature_points);
              fe.get_function_values(quadrature.transition_shift(), shift_q);
            }
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
unsigned int
ThermalProblem<dim>::solve(const VectorType &T_old,
                           const VectorType &psi,
                           VectorType       &T_new)
{
  const unsigned int dofs_per_cell = dof_handler.get_fe().n_dofs_per_cell();
  FullMatrix<double> cell_matrix(dofs_per_cell, dofs_per_cell);
  Vector<double>     cell_rhs(dofs_per_cell);
  std::vector<types::global_dof_index> dof_indices(dofs_per_cell);
  HeatBalance                          unused;
  const MPI_Comm                       comm = dof_handler.get_communicator();
  // The problem is linear in T for the given phases and current, except
  // for radiation: then Newton's method, each step a linear solve with the
  // law linearised about the last iterate, until the update is at round-off
  // level (quadratic convergence: a few steps).
  VectorType   T_lin(T_old);
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
          constraints.distribute_local_to_global(
              cell_matrix, cell_rhs, dof_indices, matrix, rhs);
        }
      matrix.compress(VectorOperation::add);
      rhs.compress(VectorOperation::add);
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
      constraints.set_zero(residual);
      iterations += linear_solver.solve(
          matrix, correction, residual, parameters.solver.linear_tolerance);
      solution += correction;
    }
    else
      iterations += linear_solver.solve(
          matrix, solution, rhs, parameters.solver.linear_tolerance);
    constraints.distribute(solution);
    T_new = solution;
    if (emissivity.empty())
      break;
    double change = 0;
    for (const auto i : owned_dofs)
      change = std::max(change, std::abs(T_new[i] - T_lin[i]));
    change = Utilities::MPI::max(change, comm);
    if (!std::isfinite(change))
      throw ConvergenceError("the radiation Newton iteration of the heat "
                             "problem produced a non-finite temperature");
    // Converged, or at the round-off floor of the linear solves (the
    // update stopped shrinking while already tiny: near-Neumann problems,
    // such as a wire that only radiates, are ill-conditioned).
    const double T0 = parameters.thermal.substrate_temperature;
    if (change <= 1e-10 * T0 ||
        (newton > 0 && change > 0.5 * last_change && change <= 1e-6 * T0))
      break;
    last_change = change;
    if (newton == 50)
      throw ConvergenceError("the radiation Newton iteration of the heat "
                             "problem did not converge in 50 steps (last "
                             "update " +
                             Utilities::to_string(change) + " K)");
    T_lin = T_new;
  }
  return iterations;
}

template <int dim>
HeatBalance
ThermalProblem<dim>::heat_balance(const VectorType &T_old,
                                  const VectorType &psi,
                                  const VectorType &T_new)
{
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

template class ThermalProblem<2>;
template class ThermalProblem<3>;
} // namespace imtsim
