#include <deal.II/dofs/dof_tools.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/solver_cg.h>
#include <deal.II/lac/solver_control.h>
#include <deal.II/lac/sparsity_tools.h>

#include <imtsim/solvers/amg_cg_solver.h>

namespace imtsim
{
template <int dim>
void
reinit_system_matrix(const DoFHandler<dim>           &dof_handler,
                     const AffineConstraints<double> &constraints,
                     const IndexSet                  &owned,
                     const IndexSet                  &relevant,
                     TrilinosWrappers::SparseMatrix  &matrix)
{
  const MPI_Comm         comm = dof_handler.get_communicator();
  DynamicSparsityPattern dsp(relevant);
  DoFTools::make_sparsity_pattern(dof_handler, dsp, constraints, false);
  SparsityTools::distribute_sparsity_pattern(dsp, owned, comm, relevant);
  matrix.reinit(owned, owned, dsp, comm);
}

template void
reinit_system_matrix<2>(const DoFHandler<2> &,
                        const AffineConstraints<double> &,
                        const IndexSet &,
                        const IndexSet &,
                        TrilinosWrappers::SparseMatrix &);
template void
reinit_system_matrix<3>(const DoFHandler<3> &,
                        const AffineConstraints<double> &,
                        const IndexSet &,
                        const IndexSet &,
                        TrilinosWrappers::SparseMatrix &);

AMGCGSolver::AMGCGSolver(const bool higher_order, const unsigned int components)
    : higher_order(higher_order), components(components)
{
}

void
AMGCGSolver::invalidate()
{
  ready = false;
}

void
AMGCGSolver::setup(const TrilinosWrappers::SparseMatrix &A)
{
  TrilinosWrappers::PreconditionAMG::AdditionalData data;
  data.elliptic              = true;
  data.higher_order_elements = higher_order;
  data.smoother_sweeps       = 2;
  data.aggregation_threshold = 0.02;
  if (components > 1)
  {
    const IndexSet owned = A.locally_owned_range_indices();
    data.constant_modes.assign(components,
                               std::vector<bool>(owned.n_elements(), false));
    for (unsigned int k = 0; k < owned.n_elements(); ++k)
      data.constant_modes[owned.nth_index_in_set(k) % components][k] = true;
    data.smoother_type = "symmetric block Gauss-Seidel";
  }
  amg.initialize(A, data);
  ready = true;
  ++setups;
}

unsigned int
AMGCGSolver::solve(const TrilinosWrappers::SparseMatrix &A,
                   VectorType                           &x,
                   const VectorType                     &b,
                   const double                          tolerance)
{
  const double target = tolerance * b.l2_norm();
  if (ready)
  {
    const VectorType     start(x);
    SolverControl        control(3 * iterations_after_setup + 10, target);
    SolverCG<VectorType> cg(control);
    try
    {
      cg.solve(A, x, b, amg);
      return control.last_step();
    }
    catch (const SolverControl::NoConvergence &)
    {
      x = start;
    }
  }
  setup(A);
  SolverControl        control(std::max<unsigned int>(1000, b.size()), target);
  SolverCG<VectorType> cg(control);
  cg.solve(A, x, b, amg);
  iterations_after_setup = control.last_step();
  return control.last_step();
}
} // namespace imtsim
