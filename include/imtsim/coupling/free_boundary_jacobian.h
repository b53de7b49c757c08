#ifndef imtsim_coupling_free_boundary_jacobian_h
#define imtsim_coupling_free_boundary_jacobian_h

#include <deal.II/dofs/dof_handler.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/trilinos_sparse_matrix.h>

#include <imtsim/materials/phase_law.h>
#include <imtsim/materials/phase_quadrature.h>
#include <imtsim/thermal/thermal_problem.h>

#include <vector>

namespace imtsim
{
/**
 * The Peltier-only free boundary as a nonlinear system in a nodal level
 * set phi [K] (doc/free_boundary_newton.md, sections 1 and 2): the metal
 * is {phi_h > 0}, the temperature T(phi) = T_MIT + min(phi, 0) at the
 * nodes (T0 on the fixed-temperature boundaries, hanging nodes
 * interpolated; a hanging node's phi follows hanging_level(), so that it
 * is metal only where its T is T_MIT), and the residual
 *   F_i(phi) = l_i(phi) - a_i(T(phi))
 * is the heat equation's nodal residual (ThermalProblem::nodal_residual
 * with the phases of phi), except on the rows where it is identically 0
 * or not an equation: fixed-temperature nodes, hanging nodes, and
 * interior metal nodes (every cell around them all metal), where F_i = 0
 * and the Jacobian has a unit row. At an insulating node F_i = 0 is the
 * heat balance that gives T; at a metal node of a cut cell it puts the
 * interface (the metal takes no net heat there).
 *
 * The Jacobian J = dF/dphi (the current held fixed, 'frozen'):
 *  (a) -A D: the conduction matrix A (with the contact conductance),
 *      hanging nodes condensed, its columns scaled by D_k = 1 where
 *      phi_k < 0 (T follows phi) and 0 elsewhere (metal: T = T_MIT;
 *      fixed nodes);
 *  (b) the domain derivative of the Peltier term (H j, grad v_i) over
 *      the cut cells: moving the interface by phi_k's shape function N_k
 *      gives int_Gamma (H_M - H_I) (j . grad v_i) N_k / |grad phi_h|;
 *  (c) where sigma_M != sigma_I, the same derivative of the cut cell's
 *      averaged sigma_K (ThermalProblem::peltier_sigma()), through which
 *      j_K = -sigma_K grad psi enters every part of the cell:
 *      d sigma_K/dphi_k = (sigma_M - sigma_I)/|K| int_Gamma N_k/|grad phi_h|.
 * Requires kappa_M = kappa_I (the cut cell's conduction then does not
 * depend on phi), no contact conductance on metal, Q1 elements and the
 * sharp law without hysteresis. The potential's own dependence on phi
 * ((d) of the design) is not included, so J is the derivative with psi
 * held. With a = rho_M/rho_I = 1 that is the derivative. Otherwise the
 * current through a cut cell hardly depends on how sigma is split in it
 * (in one dimension j_K = I/A exactly, (c) and (d) cancel), and (a) + (b)
 * without (c) is the better model: the solver assembles that.
 *
 * Electrode rows of cut cells ('Electrode Peltier flux = consistent'):
 * there F_i holds (H_M - H_I) int_Gamma j.n v_i, whose derivative has,
 * besides (b), terms where the interface meets the faces of the cell
 * (with div j = 0 in the cell: Q1 on rectangles). In 2D they are the
 * points where it crosses the edges, and included; in 3D they are curves
 * on the faces, and left out, so that J is approximate in those rows
 * there.
 */
template <int dim> class FreeBoundaryJacobian
{
public:
  /**
   * @p temperature_scale is T_MIT - T0 [K]: |grad phi_h| is bounded below
   * by 1e-3 times it over the cell's diameter.
   */
  FreeBoundaryJacobian(const DoFHandler<dim> &dof_handler,
                       PhaseQuadrature<dim>  &quadrature,
                       ThermalProblem<dim>   &thermal,
                       const double           temperature_scale);

  /** Size the matrix for a new mesh (after ThermalProblem::setup()). */
  void
  setup(const IndexSet                  &owned,
        const IndexSet                  &relevant,
        const AffineConstraints<double> &hanging_node_constraints);

  /**
   * Set the phases of @p phi (owned values; the metal is phi > 0) in the
   * quadrature and compute T(phi) and the node classes. Call before
   * residual() and assemble(), and again whenever phi changes.
   */
  void
  set_level_set(const VectorType &phi);

  /** T(phi) of the last set_level_set() (ghosted). */
  const VectorType &
  temperature() const
  {
    return T;
  }

  /** T_MIT + phi, at hanging nodes hanging_level() (ghosted): the phase
   *  field. */
  const VectorType &
  phase_field() const
  {
    return theta;
  }

  /** Whether owned DoF @p i is a unit row (F_i = 0 by construction). */
  bool
  is_unit_row(const types::global_dof_index i) const
  {
    return unit_row[owned_dofs.index_within_set(i)];
  }

  /** Whether owned DoF @p i is interior metal. */
  bool
  is_interior_metal(const types::global_dof_index i) const
  {
    return interior[owned_dofs.index_within_set(i)];
  }

  /** F(phi) for the potential @p psi (ghosted); owned entries [W]. */
  void
  residual(const VectorType &psi, VectorType &F);

  /**
   * Assemble J(phi) for the potential @p psi (held fixed). Terms can be
   * left out: @p interface_terms false gives the conduction block alone,
   * @p sigma_term false leaves out (c) (the solver does: see the class
   * documentation), @p edge_terms false the electrode rows' edge terms
   * (for tests).
   */
  void
  assemble(const VectorType &psi,
           const bool        interface_terms = true,
           const bool        sigma_term      = true,
           const bool        edge_terms      = true);

  const TrilinosWrappers::SparseMatrix &
  matrix() const
  {
    return jacobian;
  }

  /** The conduction matrix's diagonal A_ii of the last assemble()
   *  (owned; hanging nodes condensed). */
  const VectorType &
  conduction_diagonal() const
  {
    return diagonal;
  }

private:
  /** The electrode rows' edge terms of a cut cell (2D), for every local
   *  row into @p local. */
  void
  add_electrode_edge_terms(
      const typename DoFHandler<dim>::active_cell_iterator &cell,
      const VectorType                                     &psi,
      const double                                          sigma_j,
      FullMatrix<double>                                   &local);

  /** Constraint entries: (DoF, weight) pairs. */
  using Entries = std::vector<std::pair<types::global_dof_index, double>>;

  /**
   * The level set phi_h at a hanging node with @p parents (their weights),
   * from the parents' entries of the ghosted phase field theta, and its
   * derivative in the parents' phi (as entries):
   *   phi_h = sum_p w_p min(phi_p, 0)
   *         + min(sum_p w_p max(phi_p, 0), K max(min_p phi_p, 0)),
   * K the number of parents. So a hanging node is metal only where all its
   * parents are, as its T = T_MIT + sum_p w_p min(phi_p, 0) says, and an
   * insulating one has phi_h = T_h - T_MIT (doc/free_boundary_newton.md
   * section 7.5).
   */
  std::pair<double, Entries>
  hanging_level(const Entries &parents) const;

  /** Per cell DoF in @p indices, how its phase field depends on the
   *  unknowns: itself, or hanging_level()'s derivative. */
  std::vector<Entries>
  phase_columns(const std::vector<types::global_dof_index> &indices) const;

  /**
   * Add @p local, a derivative in the phase field at the cell's nodes
   * @p indices, to the Jacobian: rows condensed by the hanging-node
   * weights, columns by @p columns (phase_columns()); only the electrode
   * rows if @p electrode_rows_only.
   */
  void
  add_phase_derivative(const FullMatrix<double>                   &local,
                       const std::vector<types::global_dof_index> &indices,
                       const std::vector<Entries>                 &columns,
                       const bool electrode_rows_only);

  const DoFHandler<dim>           &dof_handler;
  PhaseQuadrature<dim>            &quadrature;
  ThermalProblem<dim>             &thermal;
  const PhaseLaw                  &law;
  const double                     temperature_scale;
  IndexSet                         owned_dofs, relevant_dofs;
  const AffineConstraints<double> *hanging = nullptr;
  TrilinosWrappers::SparseMatrix   jacobian;
  /** T(phi), T_MIT + phi (ghosted); D (owned): dT_i/dphi_i. */
  VectorType T, theta, follows, diagonal;
  /** Per owned DoF. */
  std::vector<bool> unit_row, interior;
};
} // namespace imtsim

#endif
