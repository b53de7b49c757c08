#ifndef imtsim_solvers_amg_cg_solver_h
#define imtsim_solvers_amg_cg_solver_h

#include <deal.II/dofs/dof_handler.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/trilinos_precondition.h>
#include <deal.II/lac/trilinos_sparse_matrix.h>
#include <deal.II/lac/trilinos_vector.h>

namespace imtsim
{
using namespace dealii;

/**
 * Build the distributed sparsity pattern of @p dof_handler for
 * @p constraints (constrained entries dropped) and size @p matrix with it.
 * Called once per mesh: every Picard step reuses the pattern.
 */
template <int dim>
void
reinit_system_matrix(const DoFHandler<dim>           &dof_handler,
                     const AffineConstraints<double> &constraints,
                     const IndexSet                  &owned,
                     const IndexSet                  &relevant,
                     TrilinosWrappers::SparseMatrix  &matrix);

/**
 * CG preconditioned with Trilinos ML AMG, for the symmetric positive
 * definite matrices of both physics. Between Picard steps only the
 * coefficients of the cells near the interface change, so the AMG
 * hierarchy is kept and reused: a solve with the old hierarchy gets a
 * budget of a few times the iterations measured right after its set-up,
 * and only if that budget is exceeded (or CG breaks down, as a stale
 * Chebyshev smoother can make it) is the hierarchy rebuilt and the solve
 * repeated.
 */
class AMGCGSolver
{
public:
  using VectorType = TrilinosWrappers::MPI::Vector;

  /**
   * @p higher_order: the matrix comes from elements of degree > 1.
   * @p components > 1: a system with that many unknowns per node,
   * numbered consecutively (node k has the unknowns components * k + c).
   * ML then aggregates nodes, with one constant mode per component, and
   * smooths with symmetric block Gauss-Seidel on the nodal blocks, which
   * stays effective when a strong coupling between the components makes
   * them nearly equal (the stiff limit of the two-temperature model).
   */
  explicit AMGCGSolver(const bool         higher_order = true,
                       const unsigned int components   = 1);

  /** Forget the hierarchy (new mesh or new sparsity). */
  void
  invalidate();

  /**
   * Solve A x = b to relative residual @p tolerance, starting from @p x.
   * Returns the CG iterations of the successful solve.
   */
  unsigned int
  solve(const TrilinosWrappers::SparseMatrix &A,
        VectorType                           &x,
        const VectorType                     &b,
        const double                          tolerance);

  /** How many times the hierarchy was built. */
  unsigned int
  n_setups() const
  {
    return setups;
  }

private:
  void
  setup(const TrilinosWrappers::SparseMatrix &A);

  bool                              higher_order;
  unsigned int                      components;
  TrilinosWrappers::PreconditionAMG amg;
  bool                              ready                  = false;
  unsigned int                      iterations_after_setup = 0;
  unsigned int                      setups                 = 0;
};
} // namespace imtsim

#endif
