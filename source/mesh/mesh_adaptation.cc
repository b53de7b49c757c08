#include <deal.II/base/quadrature_lib.h>
#include <deal.II/distributed/grid_refinement.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/lac/la_parallel_vector.h>
#include <deal.II/numerics/adaptation_strategies.h>
#include <deal.II/numerics/error_estimator.h>

#include <imtsim/mesh/mesh_adaptation.h>

#include <algorithm>

namespace imtsim
{
template <int dim>
MeshAdaptation<dim>::MeshAdaptation(
    const MeshParameters                      &parameters,
    const PhaseLaw                            &law,
    parallel::distributed::Triangulation<dim> &triangulation)
    : parameters(parameters), law(law), triangulation(triangulation)
{
}

template <int dim>
void
MeshAdaptation<dim>::initialize()
{
  base_level.reinit(triangulation.n_active_cells());
  for (const auto &cell : triangulation.active_cell_iterators())
    if (cell->is_locally_owned())
      base_level[cell->active_cell_index()] = cell->level();
  history.reinit(triangulation.n_active_cells());
}

template <int dim>
void
MeshAdaptation<dim>::begin_stage()
{
  history = 0;
}

template <int dim>
std::vector<bool>
MeshAdaptation<dim>::interface_band(const DoFHandler<dim> &dof_handler,
                                    const VectorType      &temperature) const
{
  // The transition interval: T_MIT for the sharp law, the band of the
  // smooth step otherwise.
  const double half   = 0.5 * law.transition_width();
  const double T_low  = law.transition_temperature() - half;
  const double T_high = law.transition_temperature() + half;

  std::vector<bool> in_band(triangulation.n_active_cells(), false);
  Vector<double>    values(dof_handler.get_fe().n_dofs_per_cell());
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
    {
      cell->get_dof_values(temperature, values);
      const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
      in_band[cell->active_cell_index()] = (*hi >= T_low && *lo <= T_high);
    }

  // Grow the band by one layer of cells sharing a vertex per pass: mark the
  // DoFs of the band's cells, exchange the marks across ranks (maximum),
  // and add every cell that has a marked DoF.
  if (parameters.interface_band > 0)
  {
    IndexSet relevant;
    DoFTools::extract_locally_relevant_dofs(dof_handler, relevant);
    LinearAlgebra::distributed::Vector<double> marks(
        dof_handler.locally_owned_dofs(),
        relevant,
        dof_handler.get_communicator());
    std::vector<types::global_dof_index> dofs(
        dof_handler.get_fe().n_dofs_per_cell());
    for (unsigned int layer = 0; layer < parameters.interface_band; ++layer)
    {
      marks = 0;
      for (const auto &cell : dof_handler.active_cell_iterators())
        if (cell->is_locally_owned() && in_band[cell->active_cell_index()])
        {
          cell->get_dof_indices(dofs);
          for (const auto i : dofs)
            marks(i) = 1;
        }
      marks.compress(VectorOperation::max);
      marks.update_ghost_values();
      for (const auto &cell : dof_handler.active_cell_iterators())
        if (cell->is_locally_owned())
        {
          cell->get_dof_indices(dofs);
          if (std::any_of(dofs.begin(),
                          dofs.end(),
                          [&](const auto i) { return marks(i) > 0; }))
            in_band[cell->active_cell_index()] = true;
        }
    }
  }
  return in_band;
}

template <int dim>
unsigned long long
MeshAdaptation<dim>::flag_interface(const DoFHandler<dim> &dof_handler,
                                    const VectorType      &temperature)
{
  const std::vector<bool> in_band = interface_band(dof_handler, temperature);
  unsigned long long      n_band  = 0;
  unsigned long long      n_kept  = 0;
  for (const auto &cell : triangulation.active_cell_iterators())
    if (cell->is_locally_owned())
    {
      const unsigned int i    = cell->active_cell_index();
      const int          base = static_cast<int>(base_level[i]);
      cell->clear_refine_flag();
      cell->clear_coarsen_flag();
      if (in_band[i])
      {
        ++n_band;
        if (cell->level() <
            base + static_cast<int>(parameters.interface_refinement))
          cell->set_refine_flag();
      }
      else if (cell->level() > base)
      {
        // Locked (refined again after a coarsening in this stage): kept.
        if (history[i] == 2)
          ++n_kept;
        else
          cell->set_coarsen_flag();
      }
    }
  band_cells = Utilities::MPI::sum(n_band, triangulation.get_communicator());
  kept_cells = Utilities::MPI::sum(n_kept, triangulation.get_communicator());
  triangulation.prepare_coarsening_and_refinement();
  // A cell to be coarsened passes the mark 'coarsened' on to its parent;
  // a cell to be refined that carries it (including those the smoothing of
  // prepare_coarsening_and_refinement() flags) passes the lock on to its
  // children.
  unsigned long long n_flagged = 0;
  for (const auto &cell : triangulation.active_cell_iterators())
    if (cell->is_locally_owned())
    {
      const unsigned int i = cell->active_cell_index();
      if (cell->refine_flag_set() && history[i] == 1)
        history[i] = 2;
      else if (cell->coarsen_flag_set())
        history[i] = std::max(history[i], 1.f);
      if (cell->refine_flag_set() || cell->coarsen_flag_set())
        ++n_flagged;
    }
  return Utilities::MPI::sum(n_flagged, triangulation.get_communicator());
}

template <int dim>
void
MeshAdaptation<dim>::flag_cycle(const DoFHandler<dim> &dof_handler,
                                const VectorType      &temperature,
                                const VectorType      &potential)
{
  if (parameters.cycle_refinement == CycleRefinementType::global)
    triangulation.set_all_refine_flags();
  else
  {
    // Kelly indicators of T and psi, each normalised by its l2 norm so
    // that both fields count alike whatever their units.
    const QGauss<dim - 1> face_quadrature(dof_handler.get_fe().degree + 1);
    Vector<float>         indicator(triangulation.n_active_cells());
    for (const VectorType *field : {&temperature, &potential})
    {
      Vector<float> estimate(triangulation.n_active_cells());
      KellyErrorEstimator<dim>::estimate(
          dof_handler, face_quadrature, {}, *field, estimate);
      const double norm = std::sqrt(Utilities::MPI::sum(
          estimate.norm_sqr(), triangulation.get_communicator()));
      if (norm > 0)
        indicator.add(1. / norm, estimate);
    }
    parallel::distributed::GridRefinement::refine_and_coarsen_fixed_number(
        triangulation, indicator, parameters.kelly_fraction, 0.);
  }
  triangulation.prepare_coarsening_and_refinement();
  // The refined cells (including those the mesh smoothing added) are one
  // level finer for good: raise their base level.
  for (const auto &cell : triangulation.active_cell_iterators())
    if (cell->is_locally_owned() && cell->refine_flag_set())
      base_level[cell->active_cell_index()] += 1;
}

template <int dim>
void
MeshAdaptation<dim>::make_transfer()
{
  transfer = std::make_unique<
      parallel::distributed::CellDataTransfer<dim, dim, Vector<float>>>(
      triangulation,
      false,
      &AdaptationStrategies::Refinement::preserve<dim, dim, float>,
      &AdaptationStrategies::Coarsening::max<dim, dim, float>);
}

template <int dim>
void
MeshAdaptation<dim>::prepare_for_coarsening_and_refinement()
{
  make_transfer();
  transfer->prepare_for_coarsening_and_refinement(
      std::vector<const Vector<float> *>{&base_level, &history});
}

template <int dim>
void
MeshAdaptation<dim>::prepare_for_serialization()
{
  make_transfer();
  transfer->prepare_for_serialization(
      std::vector<const Vector<float> *>{&base_level, &history});
}

template <int dim>
void
MeshAdaptation<dim>::finish_serialization()
{
  transfer.reset();
}

template <int dim>
std::vector<Vector<float> *>
MeshAdaptation<dim>::fresh_cell_data()
{
  // The transfer packed the old values when the mesh changed; the vectors
  // are sized for the new mesh and receive its values.
  base_level.reinit(triangulation.n_active_cells());
  history.reinit(triangulation.n_active_cells());
  return {&base_level, &history};
}

template <int dim>
void
MeshAdaptation<dim>::deserialize()
{
  std::vector<Vector<float> *> fields = fresh_cell_data();
  make_transfer();
  transfer->deserialize(fields);
  transfer.reset();
}

template <int dim>
void
MeshAdaptation<dim>::unpack()
{
  std::vector<Vector<float> *> fields = fresh_cell_data();
  transfer->unpack(fields);
  transfer.reset();
}

template class MeshAdaptation<2>;
template class MeshAdaptation<3>;
} // namespace imtsim
