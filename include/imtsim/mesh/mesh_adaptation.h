#ifndef imtsim_mesh_mesh_adaptation_h
#define imtsim_mesh_mesh_adaptation_h

#include <deal.II/distributed/cell_data_transfer.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/lac/vector.h>

#include <imtsim/materials/phase_law.h>
#include <imtsim/materials/phase_quadrature.h>
#include <imtsim/parameters/parameters.h>

#include <memory>

namespace imtsim
{
/**
 * Decides which cells to refine and coarsen: the interface-following
 * adaptation inside the staggered iteration, and the refinement between
 * cycles.
 *
 * Every active cell carries a base level: the level it would have without
 * the interface (initial mesh, electrode refinement, refinement cycles).
 * The cells at the interface, i.e. those whose nodal temperature range
 * meets [T_MIT - w_T/2, T_MIT + w_T/2], and 'Interface band' layers of
 * neighbours around them are refined to base level + 'Interface
 * refinement'; the other cells finer than their base level, which the
 * interface has left, are coarsened. The base levels travel with the
 * cells through refinement, coarsening and repartitioning
 * (parallel::distributed::CellDataTransfer).
 *
 * Within one steady solve (a continuation stage, begun by begin_stage()),
 * a cell refined again after it was coarsened in the same stage is locked:
 * it is not coarsened again in that stage. The solution on a refined mesh
 * moves the interface a little, and where it leaves the band of the new,
 * finer cells the plain rule coarsens them back, the next adaptation
 * refines them again, and so on (seen on the 3D Fig. 2a case: 6 cells
 * refined and their 48 children coarsened, cycle after cycle). With the
 * lock such a cycle ends after one period, and the adaptation reaches a
 * fixed point: a cell is coarsened at most once per stage and refined at
 * most twice (unless p4est's 2:1 balance, not the criterion, refines it
 * again: such children are not locked). Cells the interface has left for good
 * are coarsened as before, so the final mesh fits the converged interface up to
 * the locked cells; the next stage (sweep step, ramp stage or cycle) starts
 * afresh.
 */
template <int dim> class MeshAdaptation
{
public:
  MeshAdaptation(const MeshParameters                      &parameters,
                 const PhaseLaw                            &law,
                 parallel::distributed::Triangulation<dim> &triangulation);

  /** Take the levels of the current mesh as the base levels. */
  void
  initialize();

  /**
   * A new steady solve begins: the locks of the last one are lifted.
   */
  void
  begin_stage();

  /** Interface adaptation requested at all? */
  bool
  enabled() const
  {
    return parameters.interface_refinement > 0;
  }

  /**
   * Flag the cells for the interface given by the (ghosted) temperature
   * @p temperature and call prepare_coarsening_and_refinement(). Returns
   * the number of flagged cells over all ranks.
   */
  unsigned long long
  flag_interface(const DoFHandler<dim> &dof_handler,
                 const VectorType      &temperature);

  /**
   * Flag the cells for the next refinement cycle ('Refinement between
   * cycles') and raise their base level; @p temperature and @p potential
   * (ghosted) feed the Kelly indicator.
   */
  void
  flag_cycle(const DoFHandler<dim> &dof_handler,
             const VectorType      &temperature,
             const VectorType      &potential);

  /** Call after the triangulation's prepare_coarsening_and_refinement(). */
  void
  prepare_for_coarsening_and_refinement();

  /** Call after the triangulation's execute_coarsening_and_refinement(). */
  void
  unpack();

  /**
   * Checkpoints: attach the base levels before the triangulation's save(),
   * and call finish_serialization() after it; deserialize() reads them
   * back after its load() (in the order the fields were attached).
   */
  void
  prepare_for_serialization();
  void
  finish_serialization();
  void
  deserialize();

  /**
   * Number of cells (over all ranks) at the interface or in its band, as
   * found by the last flag_interface().
   */
  unsigned long long
  n_band_cells() const
  {
    return band_cells;
  }

  /**
   * Number of cells (over all ranks) outside the band that the last
   * flag_interface() kept refined because they are locked (see the class
   * documentation).
   */
  unsigned long long
  n_kept_cells() const
  {
    return kept_cells;
  }

private:
  void
  make_transfer();

  /** base_level and history sized for the current mesh, to receive their
   * values from the transfer. */
  std::vector<Vector<float> *>
  fresh_cell_data();

  /** Per active cell: at the interface or within the band of one. */
  std::vector<bool>
  interface_band(const DoFHandler<dim> &dof_handler,
                 const VectorType      &temperature) const;

  const MeshParameters                      &parameters;
  const PhaseLaw                            &law;
  parallel::distributed::Triangulation<dim> &triangulation;
  /** Base level per active cell (indexed by active_cell_index). */
  Vector<float> base_level;
  /**
   * Per active cell, in the current stage: 0, or 1 if it was coarsened
   * (the mark passes from the children to the parent), or 2 if it is the
   * child of a cell refined again after that (locked; children inherit it).
   */
  Vector<float> history;
  std::unique_ptr<
      parallel::distributed::CellDataTransfer<dim, dim, Vector<float>>>
                     transfer;
  unsigned long long band_cells = 0;
  unsigned long long kept_cells = 0;
};
} // namespace imtsim

#endif
