#include <deal.II/base/quadrature_lib.h>

#include <imtsim/materials/phase_quadrature.h>

namespace imtsim
{
namespace
{
const UpdateFlags cell_flags = update_values | update_gradients |
                               update_JxW_values | update_quadrature_points;
const UpdateFlags face_flags = cell_flags | update_normal_vectors;
} // namespace

template <int dim>
PhaseQuadrature<dim>::PhaseQuadrature(const PhaseLaw           &law,
                                      const FiniteElement<dim> &fe,
                                      const DoFHandler<dim>    &dof_handler,
                                      const unsigned int        n_q_points_1d)
    : law(law), dof_handler(dof_handler), fe_collection(fe),
      quadrature_1d(n_q_points_1d),
      plain_values(fe, QGauss<dim>(n_q_points_1d), cell_flags),
      plain_face_values(fe, QGauss<dim - 1>(n_q_points_1d), face_flags)
{
}

template <int dim>
void
PhaseQuadrature<dim>::set_temperature(const VectorType &temperature)
{
  if (!law.is_sharp())
    return;
  // level_set = T_MIT - T, computed on the owned entries and then copied
  // into the ghosted vector the classifier reads.
  VectorType owned(temperature.locally_owned_elements(),
                   temperature.get_mpi_communicator());
  owned = temperature;
  owned.add(-law.transition_temperature());
  owned *= -1.;
  if (!classifier)
    level_set.reinit(temperature);
  level_set = owned;

  if (!classifier)
  {
    classifier = std::make_unique<NonMatching::MeshClassifier<dim>>(dof_handler,
                                                                    level_set);
    NonMatching::RegionUpdateFlags region_flags;
    region_flags.inside  = cell_flags;
    region_flags.outside = cell_flags;
    region_flags.surface = cell_flags | update_normal_vectors;
    cut_values = std::make_unique<NonMatching::FEValues<dim>>(fe_collection,
                                                              quadrature_1d,
                                                              region_flags,
                                                              *classifier,
                                                              dof_handler,
                                                              level_set);
    NonMatching::RegionUpdateFlags face_region_flags;
    face_region_flags.inside  = face_flags;
    face_region_flags.outside = face_flags;
    cut_face_values =
        std::make_unique<NonMatching::FEInterfaceValues<dim>>(fe_collection,
                                                              quadrature_1d,
                                                              face_region_flags,
                                                              *classifier,
                                                              dof_handler,
                                                              level_set);
  }
  classifier->reclassify();
}

template <int dim>
void
PhaseQuadrature<dim>::reinit()
{
  cut_face_values.reset();
  cut_values.reset();
  classifier.reset();
}

template <int dim>
void
PhaseQuadrature<dim>::for_each_part(
    const CellIterator                                       &cell,
    const std::function<void(const FEValues<dim> &, Region)> &f)
{
  if (!law.is_sharp())
  {
    plain_values.reinit(cell);
    f(plain_values, Region::from_temperature);
    return;
  }
  cut_values->reinit(cell);
  if (const auto &inside = cut_values->get_inside_fe_values())
    f(*inside, Region::metal);
  if (const auto &outside = cut_values->get_outside_fe_values())
    f(*outside, Region::insulator);
}

template <int dim>
void
PhaseQuadrature<dim>::for_each_face_part(
    const CellIterator                                               &cell,
    const unsigned int                                                face_no,
    const std::function<void(const FEFaceValuesBase<dim> &, Region)> &f)
{
  if (!law.is_sharp())
  {
    plain_face_values.reinit(cell, face_no);
    f(plain_face_values, Region::from_temperature);
    return;
  }
  cut_face_values->reinit(cell, face_no);
  if (const auto &inside = cut_face_values->get_inside_fe_values())
    f(inside->get_fe_face_values(0), Region::metal);
  if (const auto &outside = cut_face_values->get_outside_fe_values())
    f(outside->get_fe_face_values(0), Region::insulator);
}

template <int dim>
void
PhaseQuadrature<dim>::for_interface(
    const CellIterator &cell,
    const std::function<void(const NonMatching::FEImmersedSurfaceValues<dim> &)>
        &f)
{
  if (!law.is_sharp() || !is_cut(cell))
    return;
  cut_values->reinit(cell);
  if (const auto &surface = cut_values->get_surface_fe_values())
    f(*surface);
}

template <int dim>
bool
PhaseQuadrature<dim>::is_cut(const CellIterator &cell) const
{
  return cell_class(cell) == 0;
}

template <int dim>
int
PhaseQuadrature<dim>::cell_class(const CellIterator &cell) const
{
  if (!law.is_sharp())
    return 2;
  switch (classifier->location_to_level_set(cell))
  {
  case NonMatching::LocationToLevelSet::inside:
    return 1;
  case NonMatching::LocationToLevelSet::outside:
    return -1;
  default:
    return 0;
  }
}

template class PhaseQuadrature<2>;
template class PhaseQuadrature<3>;
} // namespace imtsim
