#ifndef imtsim_materials_phase_quadrature_h
#define imtsim_materials_phase_quadrature_h

#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/hp/fe_collection.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/trilinos_vector.h>
#include <deal.II/non_matching/fe_immersed_values.h>
#include <deal.II/non_matching/fe_values.h>
#include <deal.II/non_matching/mesh_classifier.h>

#include <imtsim/materials/phase_law.h>

#include <functional>
#include <map>
#include <memory>

namespace imtsim
{
using VectorType = TrilinosWrappers::MPI::Vector;

/**
 * Quadrature that respects the phases. Under the sharp law each cell is
 * split by the discrete interface T_h = T_MIT (the zero level set of
 * T_MIT - T_h) into its metal and insulator parts, each with its own
 * quadrature (deal.II's NonMatching quadrature generator), so that
 * integrals of the phase-dependent coefficients are exact for the
 * discrete interface and depend continuously on T_h. That continuity is
 * what gives the staggered iteration a fixed point (MODEL.md section 7).
 * Under the smooth law it is ordinary Gauss quadrature.
 *
 * Every integral the solver computes (assembly, fluxes, energy balance,
 * post-processing) goes through this class, so that they all agree.
 *
 * Each cut cell's quadrature is checked: the metal and insulator parts
 * together must integrate the polynomials x^a y^b z^c (a, b, c < 2n, n
 * points per direction) over the whole cell exactly, as a correct cut
 * quadrature does whatever the cut. deal.II's generator falls back to a
 * one-point rule on boxes where it finds no height direction, which
 * happens where T_h oscillates around T_MIT inside a cell (next to the pad
 * edges); the resulting stiffness matrices were off by up to 90% and made
 * the iteration diverge. Such a cell gets its quadrature generated anew
 * on 2^dim, then 4^dim sub-boxes, where the level set is simpler; faces
 * that fail the check are integrated with an iterated Gauss rule whose
 * points take the phase of the level set's sign.
 */
template <int dim> class PhaseQuadrature
{
public:
  using CellIterator = typename DoFHandler<dim>::active_cell_iterator;

  PhaseQuadrature(const PhaseLaw           &law,
                  const FiniteElement<dim> &fe,
                  const DoFHandler<dim>    &dof_handler,
                  const unsigned int        n_q_points_1d);

  /** Forget everything tied to the current mesh; call after refinement. */
  void
  reinit();

  /**
   * The hanging-node constraints of the temperature's DoFs (kept by
   * reference). With hysteresis phi is a nonlinear function of nodal
   * values; the constraints make its interpolant conforming, as T is.
   */
  void
  set_hanging_node_constraints(const AffineConstraints<double> &constraints)
  {
    hanging_node_constraints = &constraints;
  }

  /**
   * Take the phases from the (ghosted) temperature @p temperature. Must be
   * called after every change of the temperature or of the mesh.
   */
  void
  set_temperature(const VectorType &temperature);

  /**
   * Take the phases from @p theta (ghosted; its isotherm T_MIT is the
   * interface) instead of the temperature passed to set_temperature(),
   * until reinit() or a call with nullptr; phase_temperature() then
   * returns @p theta too, so that the post-processing sees the same
   * phases. The free-boundary solver ('Solver/Free boundary') sets its
   * active set this way. Sharp law without hysteresis only.
   */
  void
  set_phase_field(const VectorType *theta)
  {
    phase_field = theta;
  }

  /** Calls @p f for each part of @p cell with its quadrature and region. */
  void
  for_each_part(const CellIterator                                       &cell,
                const std::function<void(const FEValues<dim> &, Region)> &f);

  /** Calls @p f for each part of a boundary face of @p cell. */
  void
  for_each_face_part(
      const CellIterator                                               &cell,
      const unsigned int                                                face_no,
      const std::function<void(const FEFaceValuesBase<dim> &, Region)> &f);

  /**
   * Calls @p f with the quadrature on the interface inside @p cell, whose
   * normal points from the metal into the insulator. Sharp law only; does
   * nothing on cells the interface does not cut.
   */
  void
  for_interface(const CellIterator                                      &cell,
                const std::function<void(
                    const NonMatching::FEImmersedSurfaceValues<dim> &)> &f);

  /** True if the law has hysteresis (T_up > T_down). */
  bool
  hysteretic() const
  {
    return law.hysteresis_width() > 0;
  }

  /**
   * @name Phase memory (hysteresis only)
   *
   * A point is metal if T > T_up, or if T > T_down and it was metal in the
   * last converged state. With the memory M, a level set positive where
   * that state was metal, this is phi > 0 for
   *   phi = max(T - T_up, min(T - T_down, M)),
   * a continuous function of T (so the staggered map stays continuous)
   * whose zero set is the exact phase boundary: where the layer grows
   * T = T_up, where it shrinks T = T_down, and where it is held by the
   * memory M = 0. The phases are split by the interpolant of the nodal
   * values of -phi, and the memory of a converged state is its phi. M is
   * an FE field on the temperature's DoFs, interpolated to new meshes.
   * The transition temperature of the metal, for the Peltier heat, is
   * T_c = T - phi: T_up, T_down, or, on a held interface, its T.
   */
  /** @{ */
  /** The memory of a state without history: metal where T > T_up. */
  void
  reset_memory(const VectorType &temperature);

  /** The memory of the converged state @p temperature: its phi. */
  void
  commit_memory(const VectorType &temperature);

  /** The memory field M (ghosted), for transfer to a new mesh. */
  const VectorType &
  memory() const
  {
    return memory_level_set;
  }

  /** Set M, interpolated to a new mesh (after reinit()). */
  void
  set_memory(const VectorType &memory);

  /**
   * T_c,h - T_up (ghosted) with T_c,h the interpolant of T - phi at the
   * temperature last passed to set_temperature().
   */
  const VectorType &
  transition_shift() const
  {
    return shift;
  }

  /**
   * theta = T_up + phi: a point is metal iff theta > T_up, for the
   * isotherm-based post-processing (extents, adaptation, derived fields).
   * Equal to T without hysteresis. Ghosted like @p temperature.
   */
  void
  phase_temperature(const VectorType &temperature, VectorType &theta) const;

  /** Number of nodes whose memory is metal. */
  types::global_dof_index
  n_metal_memory_nodes() const;
  /** @} */

  /** The material law the phases come from (shared with the simulator). */
  const PhaseLaw &
  get_law() const
  {
    return law;
  }

  /**
   * The phase of DoF @p i (locally relevant) as the quadrature sees it:
   * metal or insulator under the sharp law, from_temperature under the
   * smooth law.
   */
  Region
  node_region(const types::global_dof_index i) const
  {
    if (!law.is_sharp())
      return Region::from_temperature;
    return level_set[i] < 0 ? Region::metal : Region::insulator;
  }

  /** True if the interface cuts @p cell (always false for the smooth law). */
  bool
  is_cut(const CellIterator &cell) const;

  /** +1 all metal, -1 all insulator, 0 cut (sharp law). */
  int
  cell_class(const CellIterator &cell) const;

  /** Cells and faces whose generated quadrature failed the check. */
  unsigned int
  n_repaired() const
  {
    return repaired;
  }

private:
  /** Quadratures of a cut cell built by subdivision, on that cell. */
  struct Repaired
  {
    std::unique_ptr<FEValues<dim>>                             inside, outside;
    std::unique_ptr<NonMatching::FEImmersedSurfaceValues<dim>> surface;
  };

  /** Quadratures of a cut boundary face built point by point. */
  struct RepairedFace
  {
    std::unique_ptr<FEFaceValues<dim>> inside, outside;
  };

  /** phi of a node with temperature @p T and memory @p memory. */
  double
  metal_level(const double T, const double memory) const;

  /** phi at every node (owned entries), conforming at hanging nodes. */
  VectorType
  metal_level_field(const VectorType &temperature) const;

  /** Quadratures of @p cell generated on m^dim sub-boxes. */
  std::unique_ptr<Repaired>
  subdivided(const CellIterator &cell, const unsigned int m) const;

  /** Face parts split point by point on an iterated Gauss rule. */
  std::unique_ptr<RepairedFace>
  split_face(const CellIterator &cell, const unsigned int face_no) const;

  const PhaseLaw           &law;
  const FiniteElement<dim> &fe;
  /** Per cut cell: nullptr if its generated quadrature is exact. */
  std::map<unsigned int, std::unique_ptr<Repaired>> checked_cells;
  /** Per cut boundary face: nullptr if its generated quadrature is exact. */
  std::map<std::pair<unsigned int, unsigned int>, std::unique_ptr<RepairedFace>>
                         checked_faces;
  unsigned int           repaired = 0;
  const DoFHandler<dim> &dof_handler;
  hp::FECollection<dim>  fe_collection;
  QGauss<1>              quadrature_1d;
  /** -phi (T_MIT - T_h without hysteresis): negative (inside) in metal. */
  VectorType level_set;
  /** Phase memory M and T_c,h - T_up (hysteresis). */
  VectorType                       memory_level_set, shift;
  const AffineConstraints<double> *hanging_node_constraints = nullptr;
  /** set_phase_field()'s field, or nullptr. */
  const VectorType                                    *phase_field = nullptr;
  std::unique_ptr<NonMatching::MeshClassifier<dim>>    classifier;
  std::unique_ptr<NonMatching::FEValues<dim>>          cut_values;
  std::unique_ptr<NonMatching::FEInterfaceValues<dim>> cut_face_values;
  FEValues<dim>                                        plain_values;
  FEFaceValues<dim>                                    plain_face_values;
};
} // namespace imtsim

#endif
