#ifndef imtsim_electric_electric_problem_h
#define imtsim_electric_electric_problem_h

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/timer.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/trilinos_sparse_matrix.h>

#include <imtsim/materials/phase_quadrature.h>
#include <imtsim/mesh/geometry.h>
#include <imtsim/solvers/amg_cg_solver.h>

namespace imtsim
{
/**
 * The electric problem div(sigma(T) grad psi) = 0, psi = 0 on the drain,
 * psi = V on the source, no current through the rest of the boundary.
 * Under current control it is solved for V = 1 and scaled exactly (the
 * problem is linear in psi for fixed sigma). CG with Trilinos ML AMG; the
 * sparsity pattern lives as long as the mesh, the AMG hierarchy as long as
 * it keeps the iteration count low.
 */
template <int dim> class ElectricProblem
{
public:
  ElectricProblem(const Parameters      &parameters,
                  const DoFHandler<dim> &dof_handler,
                  PhaseQuadrature<dim>  &quadrature,
                  TimerOutput           &timer);

  /** Distribute constraints and build the matrix for the current mesh. */
  void
  setup(const IndexSet                  &owned,
        const IndexSet                  &relevant,
        const AffineConstraints<double> &hanging_node_constraints);

  /**
   * Solve with the phases currently set in the quadrature (and, for the
   * smooth law, the ghosted temperature @p temperature), then scale to the
   * drive. Returns the number of CG iterations.
   */
  unsigned int
  solve(const VectorType &temperature);

  /** The effective potential psi [V], ghosted, scaled to the drive. */
  const VectorType &
  potential() const
  {
    return psi;
  }

  /** Set psi (a checkpoint's, for the refinement indicator). */
  void
  set_potential(const VectorType &potential)
  {
    psi = potential;
  }

  /** Total current through the source [A] (consistent, residual-based). */
  double
  current() const
  {
    return total_current;
  }

  /**
   * The control value of the following solves: the total current I [A]
   * under current control, the source voltage V_s [V] under voltage
   * control (V_s = V + I R_L with the load resistance R_L).
   */
  void
  set_drive(const double value)
  {
    drive = value;
  }

  double
  get_drive() const
  {
    return drive;
  }

  /** Metal volume fraction of the phases used in the last solve [-]. */
  double
  metal_volume_fraction() const
  {
    return metal_fraction;
  }

  /** psi(source) - psi(drain) [V]. */
  double
  voltage() const
  {
    return applied_voltage;
  }

  /** V + I R_L under voltage control, V under current control [V]. */
  double
  source_voltage() const
  {
    return applied_voltage + load_resistance * total_current;
  }

private:
  const Parameters      &parameters;
  const DoFHandler<dim> &dof_handler;
  PhaseQuadrature<dim>  &quadrature;
  TimerOutput           &timer;
  const PhaseLaw        &law;
  const double           extrusion; ///< W in 2D, 1 in 3D

  IndexSet                       owned_dofs, relevant_dofs;
  AffineConstraints<double>      constraints;
  TrilinosWrappers::SparseMatrix matrix;
  VectorType                     rhs, psi, source_indicator;
  AMGCGSolver                    linear_solver;
  /** R_L under voltage control, 0 under current control [Ohm]. */
  const double load_resistance;
  double total_current = 0, applied_voltage = 0, metal_fraction = 0, drive = 0;
};
} // namespace imtsim

#endif
