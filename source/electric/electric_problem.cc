#include <deal.II/base/utilities.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/numerics/vector_tools.h>

#include <imtsim/electric/electric_problem.h>
#include <imtsim/postprocessing/indicator.h>

namespace imtsim
{
template <int dim>
ElectricProblem<dim>::ElectricProblem(const Parameters      &parameters,
                                      const DoFHandler<dim> &dof_handler,
                                      PhaseQuadrature<dim>  &quadrature,
                                      TimerOutput           &timer)
    : parameters(parameters), dof_handler(dof_handler), quadrature(quadrature),
      timer(timer), law(quadrature.get_law()),
      extrusion(dim == 2 ? parameters.geometry.width : 1.),
      load_resistance(parameters.electric.control == ControlType::voltage
                          ? parameters.electric.load_resistance
                          : 0.)
{
}

template <int dim>
void
ElectricProblem<dim>::setup(
    const IndexSet                  &owned,
    const IndexSet                  &relevant,
    const AffineConstraints<double> &hanging_node_constraints)
{
  TimerOutput::Scope t(timer, "electric: setup");
  owned_dofs          = owned;
  relevant_dofs       = relevant;
  const MPI_Comm comm = dof_handler.get_communicator();

  constraints.clear();
  constraints.reinit(relevant_dofs);
  constraints.merge(hanging_node_constraints);
  // Unit drive: psi = 0 on the drain, 1 on the source; scaled after solve.
  VectorTools::interpolate_boundary_values(dof_handler,
                                           BoundaryIds::drain,
                                           Functions::ZeroFunction<dim>(),
                                           constraints);
  VectorTools::interpolate_boundary_values(dof_handler,
                                           BoundaryIds::source,
                                           Functions::ConstantFunction<dim>(1.),
                                           constraints);
  constraints.close();

  reinit_system_matrix(
      dof_handler, constraints, owned_dofs, relevant_dofs, matrix);
  rhs.reinit(owned_dofs, comm);
  psi.reinit(owned_dofs, relevant_dofs, comm);
  source_indicator = boundary_indicator(dof_handler,
                                        {BoundaryIds::source},
                                        hanging_node_constraints,
                                        owned_dofs,
                                        relevant_dofs);
  linear_solver.invalidate();
}

template <int dim>
unsigned int
ElectricProblem<dim>::solve(const VectorType &temperature)
{
  const unsigned int dofs_per_cell = dof_handler.get_fe().n_dofs_per_cell();
  FullMatrix<double> cell_matrix(dofs_per_cell, dofs_per_cell);
  Vector<double>     cell_rhs(dofs_per_cell);
  std::vector<types::global_dof_index> dof_indices(dofs_per_cell);
  std::vector<double>                  T_q;
  {
    TimerOutput::Scope t(timer, "electric: assemble");
    matrix        = 0;
    rhs           = 0;
    double metal  = 0;
    double volume = 0;
    for (const auto &cell : dof_handler.active_cell_iterators())
      if (cell->is_locally_owned())
      {
        cell_matrix = 0;
        cell_rhs    = 0;
        quadrature.for_each_part(
            cell,
            [&](const FEValues<dim> &fe, const Region region)
            {
              T_q.resize(fe.n_quadrature_points);
              fe.get_function_values(temperature, T_q);
              for (const unsigned int q : fe.quadrature_point_indices())
              {
                metal += law.metal_weight(T_q[q], region) * fe.JxW(q);
                volume += fe.JxW(q);
                const double s = law.sigma(T_q[q], region) * fe.JxW(q);
                for (const unsigned int i : fe.dof_indices())
                  for (const unsigned int j : fe.dof_indices())
                    cell_matrix(i, j) +=
                        s * fe.shape_grad(i, q) * fe.shape_grad(j, q);
              }
            });
        cell->get_dof_indices(dof_indices);
        constraints.distribute_local_to_global(
            cell_matrix, cell_rhs, dof_indices, matrix, rhs);
      }
    matrix.compress(VectorOperation::add);
    rhs.compress(VectorOperation::add);
    const MPI_Comm comm = dof_handler.get_communicator();
    metal_fraction =
        Utilities::MPI::sum(metal, comm) / Utilities::MPI::sum(volume, comm);
  }

  TimerOutput::Scope t(timer, "electric: solve");
  VectorType         owned_psi(owned_dofs, dof_handler.get_communicator());
  const unsigned int iterations = linear_solver.solve(
      matrix, owned_psi, rhs, parameters.solver.linear_tolerance);
  constraints.distribute(owned_psi);
  psi = owned_psi;

  // Consistent current into the source: (sigma grad psi, grad w) with w
  // the source indicator; exact for the discrete problem.
  double                      unit_current = 0;
  std::vector<Tensor<1, dim>> grad_psi, grad_w;
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
      quadrature.for_each_part(
          cell,
          [&](const FEValues<dim> &fe, const Region region)
          {
            T_q.resize(fe.n_quadrature_points);
            grad_psi.resize(fe.n_quadrature_points);
            grad_w.resize(fe.n_quadrature_points);
            fe.get_function_values(temperature, T_q);
            fe.get_function_gradients(psi, grad_psi);
            fe.get_function_gradients(source_indicator, grad_w);
            for (const unsigned int q : fe.quadrature_point_indices())
              unit_current += law.sigma(T_q[q], region) * grad_psi[q] *
                              grad_w[q] * fe.JxW(q);
          });
  unit_current =
      Utilities::MPI::sum(unit_current, dof_handler.get_communicator()) *
      extrusion;

  // Current control: V = I / G with the conductance G = unit_current.
  // Voltage control: V_s = V + I R_L = V (1 + R_L G).
  const double scale = parameters.electric.control == ControlType::current
                           ? drive / unit_current
                           : drive / (1 + load_resistance * unit_current);
  owned_psi *= scale;
  psi             = owned_psi;
  total_current   = unit_current * scale;
  applied_voltage = scale;
  return iterations;
}

template class ElectricProblem<2>;
template class ElectricProblem<3>;
} // namespace imtsim
