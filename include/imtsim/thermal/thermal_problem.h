#ifndef imtsim_thermal_thermal_problem_h
#define imtsim_thermal_thermal_problem_h

#include <deal.II/base/timer.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/trilinos_sparse_matrix.h>

#include <imtsim/materials/phase_quadrature.h>
#include <imtsim/mesh/geometry.h>
#include <imtsim/solvers/amg_cg_solver.h>

#include <memory>
#include <tuple>

namespace imtsim
{
/** Heat sources and the heat leaving the sample [W] (whole sample). */
/** sigma_SB [W/(m^2 K^4)] (CODATA 2018, exact in SI). */
constexpr double stefan_boltzmann = 5.670374419e-8;

struct HeatBalance
{
  double joule = 0; ///< (rho |j|^2, 1)
  /** -<H j.n, 1> over the electrodes (the face flux, or with 'Electrode
   *  Peltier flux = consistent' the sum of the nodal electrode terms);
   *  with hysteresis or two temperatures also the volume corrections,
   *  ((S_M - S_I) j . grad(T_c,h + D), 1) over the metal, or
   *  -(D S'(T_l) j . grad T_l, 1) under the smooth law. */
  double peltier    = 0;
  double out        = 0; ///< consistent (residual) flux through T0 boundaries
  double out_direct = 0; ///< face integral of -kappa dT/dn there
  double contact    = 0; ///< (kappa_C (T - T_env), 1) over those boundaries
  double radiation  = 0; ///< (eps sigma_SB (T^4 - T_env^4), 1) over those
  /** Time-dependent runs: the rate of heat stored, (C dT/dt, 1) with the
   *  scheme's dT/dt. */
  double stored = 0;
  /** Two temperatures: the heat the electrons pass to the lattice,
   *  (gamma_el (T - T_l), 1) [W]. */
  double exchange = 0;
  /** Heat leaving through each boundary id [W]: the direct flux through a
   *  fixed-temperature boundary, the law's flux through the others. */
  std::map<types::boundary_id, double> by_boundary;

  /** All heat leaving: through T0 (consistent) and by the loss laws. */
  double
  total_out() const
  {
    return out + contact + radiation;
  }

  /** |Q_out + dE/dt - P_J - P_P| / (P_J + |P_P| + |dE/dt|). */
  double
  relative_error(const double q_out) const
  {
    return std::abs(q_out + stored - joule - peltier) /
           (std::abs(joule) + std::abs(peltier) + std::abs(stored));
  }
};

/**
 * The steady heat problem in the flux form of MODEL.md section 3,
 *   (kappa grad T, grad v) = (rho |j|^2, v) + (H j, grad v) - <H j.n, v>_el,
 * T = T0 on the fixed-temperature boundaries. The coefficients (kappa, and
 * the phases of the sources) come from the previous iterate, so the
 * operator is the symmetric conduction matrix: CG with AMG, rebuilt only
 * when the phases change the matrix enough to slow CG down.
 *
 * With 'Thermal/Model = two temperatures' (doc/two_temperature.md) the
 * electron temperature T (sources, kappa_e = kappa - kappa_l) and the
 * lattice temperature T_l (kappa_l, the heat-loss laws) are solved
 * together, coupled by gamma_el (T - T_l): one symmetric positive definite
 * system on the interleaved unknowns (T_0, T_l,0, T_1, T_l,1, ...), CG with
 * AMG for two equations per node. The temperature that solve() takes and
 * returns is then the phase temperature ('Thermal/Phase temperature'); the
 * other one is kept here (electron_temperature(), lattice_temperature()).
 */
template <int dim> class ThermalProblem
{
public:
  ThermalProblem(const Parameters          &parameters,
                 const SampleGeometry<dim> &geometry,
                 const DoFHandler<dim>     &dof_handler,
                 PhaseQuadrature<dim>      &quadrature,
                 TimerOutput               &timer);

  void
  setup(const IndexSet                  &owned,
        const IndexSet                  &relevant,
        const AffineConstraints<double> &hanging_node_constraints);

  /** Apply T = T0 on the fixed-temperature boundaries to @p T (owned). */
  void
  apply_boundary_values(VectorType &T) const;

  /**
   * Assemble with the phases set in the quadrature, the previous
   * temperature @p T_old (ghosted; smooth law coefficients) and the
   * potential @p psi (ghosted), and solve for @p T_new (ghosted).
   * Returns the number of CG iterations.
   */
  unsigned int
  solve(const VectorType &T_old, const VectorType &psi, VectorType &T_new);

  /**
   * Sources, and the heat leaving through the fixed-temperature boundaries
   * for the operator assembled from (@p T_old, @p psi) applied to
   * @p T_new: the consistent flux is the residual tested with the boundary
   * indicator, so Q_out = P_J + P_P holds up to the solver tolerance.
   */
  HeatBalance
  heat_balance(const VectorType &T_old,
               const VectorType &psi,
               const VectorType &T_new);

  /**
   * Time-dependent runs: add C (a0 T - @p history) to the heat equation,
   * the time derivative of the scheme (BDF2: a0 = (1 + 2w)/((1 + w) dt),
   * history = ((1 + w) T^n - w^2/(1 + w) T^(n-1))/dt, w = dt/dt_old).
   * @p history is ghosted and must live as long as it is used; a0 = 0
   * (the default) is the steady problem.
   */
  void
  set_time_derivative(const double a0, const VectorType *history)
  {
    time_a0      = a0;
    time_history = history;
  }

  /**
   * Hold the locally relevant DoFs @p dofs at @p value in the next
   * solves: the free-boundary solver's active set ('Solver/Free
   * boundary'). DoFs already constrained (hanging nodes, fixed
   * temperatures) are removed from @p dofs. An empty list releases them
   * all.
   */
  void
  set_held_dofs(std::vector<types::global_dof_index> &dofs, const double value);

  /** Release the held DoFs of set_held_dofs(). */
  void
  release_held_dofs()
  {
    held_active = false;
  }

  /**
   * The nodal residual r_i = l(v_i) - a(@p T_new, v_i) of the operator
   * assembled from (@p T_old, @p psi), hanging nodes condensed into their
   * parents (owned entries). At a DoF held by set_held_dofs() it is the
   * heat the sources supply there in excess of what conduction takes away
   * (W; W/m in 2D, per unit extrusion width): the reaction of the
   * constraint, with the opposite sign.
   */
  void
  nodal_residual(const VectorType &T_old,
                 const VectorType &psi,
                 const VectorType &T_new,
                 VectorType       &residual);

  /**
   * The local matrix and right-hand side of @p cell for the temperature
   * @p T (ghosted; coefficients and the linearisation point) and the
   * potential @p psi, as solve() assembles them: the free-boundary Newton
   * method's Jacobian takes its conduction block from here.
   */
  void
  assemble_local_system(
      const typename DoFHandler<dim>::active_cell_iterator &cell,
      const VectorType                                     &T,
      const VectorType                                     &psi,
      FullMatrix<double>                                   &cell_matrix,
      Vector<double>                                       &cell_rhs)
  {
    HeatBalance unused;
    assemble_cell(cell, T, psi, T, cell_matrix, cell_rhs, unused);
  }

  /** 'Electrode Peltier flux = consistent': 1 at the electrode DoFs
   *  (ghosted; empty otherwise). */
  const VectorType &
  electrode_nodes() const
  {
    return electrode_indicator;
  }

  /** Whether the locally relevant DoF @p i is a row that holds the
   *  electrode term of electrode_heat() (an unconstrained electrode
   *  node). */
  bool
  is_electrode_row(const types::global_dof_index i) const
  {
    return electrode_indicator[i] == 1 && !hanging->is_constrained(i);
  }

  /** The hanging-node and fixed-temperature constraints (T = T0). */
  const AffineConstraints<double> &
  fixed_constraints() const
  {
    return constraints;
  }

  /**
   * The conductivity of the current that carries the Peltier flux H j in
   * @p cell: the cell's volume average of sigma where sigma varies in the
   * cell (cut by the interface under the sharp law, or holding part of the
   * transition band under the smooth law), 0 where it does not (then the
   * current is sigma grad psi_h point by point). The averaged current
   * approximates what the cell passes (its stiffness weights each part
   * by its own sigma); sigma_M grad psi_h in a cut cell's metal part
   * would overstate the current crossing the interface by up to
   * sigma_M/sigma_I.
   */
  double
  peltier_sigma(const typename DoFHandler<dim>::active_cell_iterator &cell,
                const VectorType                                     &T_old);

  /** a0 of set_time_derivative() (0: steady). */
  double
  time_derivative_coefficient() const
  {
    return time_a0;
  }

  bool
  two_temperatures() const
  {
    return two_temperature;
  }

  /** Two temperatures: T and T_l of the last solve() (ghosted). */
  const VectorType &
  electron_temperature() const
  {
    return electron;
  }
  const VectorType &
  lattice_temperature() const
  {
    return lattice;
  }

private:
  /** The pair T, T_l of one cell: the local matrix (interleaved, the
   *  exchange included) and right-hand side. */
  void
  assemble_pair(const typename DoFHandler<dim>::active_cell_iterator &cell,
                const VectorType                                     &T_old,
                const VectorType                                     &psi,
                const VectorType                                     &T_lin,
                FullMatrix<double> &pair_matrix,
                Vector<double>     &pair_rhs,
                HeatBalance        &sources);

  /** The lattice equation of one cell: kappa_l, the heat-loss laws
   *  (linearised about @p T_lin) and the exchange mass matrix (gamma_el). */
  void
  assemble_lattice_cell(
      const typename DoFHandler<dim>::active_cell_iterator &cell,
      const VectorType                                     &T_old,
      const VectorType                                     &T_lin,
      FullMatrix<double>                                   &cell_matrix,
      FullMatrix<double>                                   &exchange_matrix,
      Vector<double>                                       &cell_rhs,
      HeatBalance                                          &sources);

  /** Contact conductance and radiation of the boundary faces of @p cell,
   *  linearised about @p T_lin. */
  void
  assemble_losses(const typename DoFHandler<dim>::active_cell_iterator &cell,
                  const VectorType                                     &T_lin,
                  FullMatrix<double> &cell_matrix,
                  Vector<double>     &cell_rhs,
                  HeatBalance        &sources);

  /** 'Electrode Peltier flux = consistent' with Peltier heating on. */
  bool
  consistent_flux() const
  {
    return parameters.thermal.peltier_heating &&
           parameters.thermal.consistent_electrode_flux;
  }

  /**
   * 'Electrode Peltier flux = consistent': the electrode term -<H j.n, v_i>
   * at each electrode node i, from the identity <H j.n, v_i> =
   * (H j, grad v_i) + (div(H j), v_i) for a divergence-free current:
   * -(H j, grad v_i) - (j . grad H, v_i), the second term taken in each
   * part of a cell together with the jump of H on the interface,
   * int_Gamma (H_I - H_M) j.n_{M->I} v_i. j is the current of the volume
   * term (peltier_sigma()), so that on a node whose cells hold one phase
   * the two cancel exactly and a metal region that holds a pad gets its
   * Peltier heat only at its interface. Hanging nodes' shares are
   * condensed into their parents; @p T_old and the phases as set in the
   * quadrature, and with two temperatures (phase from T_l) the present
   * D = T - T_l in the metal's H: the term then belongs to the
   * electrons' equation. Owned entries, zero off the electrodes.
   * [W] (per unit extrusion width in 2D)
   */
  void
  electrode_heat(const VectorType &T_old,
                 const VectorType &psi,
                 VectorType       &heat);

  /**
   * The metal's Peltier potential is H = H_M + (S_M - S_I) shift, with the
   * shift T_c,h - T_MIT under hysteresis plus D = T - T_l with two
   * temperatures and the phase from T_l: its values at @p fe's points
   * into @p shift and, if @p gradient is given, its gradients there.
   */
  void
  metal_shift(const FEValuesBase<dim>     &fe,
              std::vector<double>         &shift,
              std::vector<Tensor<1, dim>> *gradient) const;

  /**
   * Adds the electrode term (electrode_heat()) to @p balance: to the
   * Peltier power, and at the nodes held by @p fixed (an indicator) to the
   * heat leaving.
   */
  void
  add_electrode_heat(const VectorType &T_old,
                     const VectorType &psi,
                     const VectorType &fixed,
                     HeatBalance      &balance);

  /** max_i |a_i - b_i| over the owned DoFs of all ranks. */
  double
  max_difference(const VectorType &a, const VectorType &b) const;

  /**
   * Whether the radiation Newton iteration has converged after step
   * @p newton with the new @p T_new and the linearisation point @p T_lin
   * (or reached the round-off floor); throws ConvergenceError on a
   * non-finite update or after 50 steps.
   */
  bool
  radiation_converged(const VectorType  &T_new,
                      const VectorType  &T_lin,
                      const unsigned int newton,
                      double            &last_change) const;

  /** The two-temperature solve() (the pair, then the phase temperature). */
  unsigned int
  solve_pair(const VectorType &T_old, const VectorType &psi, VectorType &T_new);

  /** The two-temperature heat_balance(). */
  HeatBalance
  heat_balance_pair(const VectorType &T_old, const VectorType &psi);

  /** Interleaved index of field @p c (0: T, 1: T_l) at scalar DoF @p i. */
  static types::global_dof_index
  pair_index(const types::global_dof_index i, const unsigned int c)
  {
    return 2 * i + c;
  }

  /** Local matrix and right-hand side of one cell; adds to @p sources. */
  /** The boundary laws are linearised about @p T_lin (radiation). */
  void
  assemble_cell(const typename DoFHandler<dim>::active_cell_iterator &cell,
                const VectorType                                     &T_old,
                const VectorType                                     &psi,
                const VectorType                                     &T_lin,
                FullMatrix<double> &cell_matrix,
                Vector<double>     &cell_rhs,
                HeatBalance        &sources);

  const Parameters               &parameters;
  const SampleGeometry<dim>      &geometry;
  const DoFHandler<dim>          &dof_handler;
  PhaseQuadrature<dim>           &quadrature;
  TimerOutput                    &timer;
  const PhaseLaw                 &law;
  const double                    extrusion;
  std::vector<types::boundary_id> fixed_ids;
  /** kappa_C and eps per boundary id; T_env. */
  const std::map<types::boundary_id, double> conductance, emissivity;
  const double                               T_env;

  IndexSet                  owned_dofs, relevant_dofs;
  AffineConstraints<double> constraints;
  /** constraints plus the held DoFs of set_held_dofs(); the solves use
   *  it while held_active. */
  AffineConstraints<double>        held_constraints;
  bool                             held_active = false;
  const AffineConstraints<double> *hanging     = nullptr;
  TrilinosWrappers::SparseMatrix   matrix;
  VectorType                       rhs, fixed_indicator;
  /** 1 at the electrode DoFs ('Electrode Peltier flux = consistent'). */
  VectorType        electrode_indicator;
  AMGCGSolver       linear_solver;
  double            time_a0      = 0;
  const VectorType *time_history = nullptr;

  // Two temperatures.
  const bool                      two_temperature;
  const bool                      phase_from_lattice;
  const double                    gamma;
  std::vector<types::boundary_id> electron_fixed_ids;
  /** Hanging nodes and the electrons' fixed boundaries ('constraints'
   *  then hold the lattice's), and both interleaved. */
  AffineConstraints<double>      electron_constraints, pair_constraints;
  IndexSet                       owned_pairs, relevant_pairs;
  TrilinosWrappers::SparseMatrix pair_matrix;
  VectorType                     pair_rhs, electron_fixed_indicator;
  AMGCGSolver                    pair_solver;
  /** T and T_l of the last solve, and T - (phase temperature) (ghosted);
   *  false until the first solve on a mesh. */
  VectorType electron, lattice, electron_excess;
  bool       pair_valid = false;
  /** assemble_pair()'s electron, lattice and exchange matrices and the
   *  electron and lattice right-hand sides of one cell. */
  std::tuple<FullMatrix<double>, FullMatrix<double>, FullMatrix<double>>
                                             scratch_matrices;
  std::tuple<Vector<double>, Vector<double>> scratch_vectors;
  /** The lumping rule of the exchange (Gauss-Lobatto on the nodes). */
  std::unique_ptr<FEValues<dim>> lumped_values;
};
} // namespace imtsim

#endif
