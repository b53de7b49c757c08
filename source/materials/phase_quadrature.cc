#include <deal.II/base/function.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/non_matching/quadrature_generator.h>

#include <imtsim/materials/phase_quadrature.h>

namespace imtsim
{
namespace
{
const UpdateFlags cell_flags = update_values | update_gradients |
                               update_JxW_values | update_quadrature_points;
const UpdateFlags face_flags = cell_flags | update_normal_vectors;

/**
 * True if the union of @p parts integrates x^a y^b z^c, a, b, c < 2n,
 * over the unit cell exactly (to round-off): what the metal and insulator
 * parts of a correct cut quadrature with n points per direction do.
 */
template <int d>
bool
integrates_exactly(const std::vector<const Quadrature<d> *> &parts,
                   const unsigned int                        n)
{
  const unsigned int n_powers  = 2 * n;
  unsigned int       n_moments = 1;
  for (int k = 0; k < d; ++k)
    n_moments *= n_powers;
  std::vector<double> moments(n_moments, 0.);
  std::vector<double> powers(d * n_powers);
  for (const Quadrature<d> *part : parts)
    for (unsigned int q = 0; q < part->size(); ++q)
    {
      const Point<d> &x = part->point(q);
      for (int k = 0; k < d; ++k)
      {
        powers[k * n_powers] = 1;
        for (unsigned int a = 1; a < n_powers; ++a)
          powers[k * n_powers + a] = powers[k * n_powers + a - 1] * x[k];
      }
      for (unsigned int m = 0; m < n_moments; ++m)
      {
        double       value = part->weight(q);
        unsigned int rest  = m;
        for (int k = 0; k < d; ++k, rest /= n_powers)
          value *= powers[k * n_powers + rest % n_powers];
        moments[m] += value;
      }
    }
  for (unsigned int m = 0; m < n_moments; ++m)
  {
    double       exact = 1;
    unsigned int rest  = m;
    for (int k = 0; k < d; ++k, rest /= n_powers)
      exact /= (rest % n_powers) + 1.;
    if (std::abs(moments[m] - exact) > 1e-10)
      return false;
  }
  return true;
}

/** A quadrature being assembled from pieces. */
template <int d> struct PointsAndWeights
{
  std::vector<Point<d>> points;
  std::vector<double>   weights;

  void
  add(const Point<d> &point, const double weight)
  {
    points.push_back(point);
    weights.push_back(weight);
  }

  void
  append(const Quadrature<d> &quadrature)
  {
    for (unsigned int q = 0; q < quadrature.size(); ++q)
      add(quadrature.point(q), quadrature.weight(q));
  }

  Quadrature<d>
  quadrature() const
  {
    return Quadrature<d>(points, weights);
  }
};

/** The level set of one cell as a function of reference coordinates. */
template <int dim> class ReferenceLevelSet : public Function<dim>
{
public:
  ReferenceLevelSet(const FiniteElement<dim> &fe, const Vector<double> &values)
      : fe(fe), values(values)
  {
  }

  double
  value(const Point<dim> &p, const unsigned int = 0) const override
  {
    double v = 0;
    for (unsigned int i = 0; i < values.size(); ++i)
      v += values(i) * fe.shape_value(i, p);
    return v;
  }

  Tensor<1, dim>
  gradient(const Point<dim> &p, const unsigned int = 0) const override
  {
    Tensor<1, dim> g;
    for (unsigned int i = 0; i < values.size(); ++i)
      g += values(i) * fe.shape_grad(i, p);
    return g;
  }

  SymmetricTensor<2, dim>
  hessian(const Point<dim> &p, const unsigned int = 0) const override
  {
    Tensor<2, dim> h;
    for (unsigned int i = 0; i < values.size(); ++i)
      h += values(i) * fe.shape_grad_grad(i, p);
    return symmetrize(h);
  }

private:
  const FiniteElement<dim> &fe;
  const Vector<double>     &values;
};
} // namespace

template <int dim>
PhaseQuadrature<dim>::PhaseQuadrature(const PhaseLaw           &law,
                                      const FiniteElement<dim> &fe,
                                      const DoFHandler<dim>    &dof_handler,
                                      const unsigned int        n_q_points_1d)
    : law(law), fe(fe), dof_handler(dof_handler), fe_collection(fe),
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
  // level_set = T_c - T (T_c = T_MIT without hysteresis), computed on the
  // owned entries and then copied into the ghosted vector the classifier
  // reads.
  VectorType owned(temperature.locally_owned_elements(),
                   temperature.get_mpi_communicator());
  if (hysteretic())
  {
    // level_set = -phi; shift = T - phi - T_up.
    const VectorType phi = metal_level_field(temperature);
    owned                = phi;
    owned *= -1.;
    VectorType owned_shift(phi);
    owned_shift = temperature;
    owned_shift -= phi;
    owned_shift.add(-law.transition_temperature());
    shift.reinit(temperature);
    shift = owned_shift;
  }
  else
  {
    owned = phase_field ? *phase_field : temperature;
    owned.add(-law.transition_temperature());
    owned *= -1.;
  }
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
  checked_cells.clear();
  checked_faces.clear();
}

template <int dim>
void
PhaseQuadrature<dim>::reset_memory(const VectorType &temperature)
{
  VectorType owned(temperature.locally_owned_elements(),
                   temperature.get_mpi_communicator());
  owned = temperature;
  owned.add(-law.transition_temperature());
  set_memory(owned);
}

template <int dim>
double
PhaseQuadrature<dim>::metal_level(const double T, const double memory) const
{
  const double T_up   = law.transition_temperature();
  const double T_down = T_up - law.hysteresis_width();
  return std::max(T - T_up, std::min(T - T_down, memory));
}

template <int dim>
VectorType
PhaseQuadrature<dim>::metal_level_field(const VectorType &temperature) const
{
  VectorType phi(temperature.locally_owned_elements(),
                 temperature.get_mpi_communicator());
  for (const auto i : temperature.locally_owned_elements())
    phi[i] = metal_level(temperature[i], memory_level_set[i]);
  phi.compress(VectorOperation::insert);
  if (hanging_node_constraints)
    hanging_node_constraints->distribute(phi);
  return phi;
}

template <int dim>
void
PhaseQuadrature<dim>::commit_memory(const VectorType &temperature)
{
  // Through set_memory: assigning the returned (owned) vector to the
  // ghosted one directly would move it in, ghosts lost.
  set_memory(metal_level_field(temperature));
}

template <int dim>
void
PhaseQuadrature<dim>::set_memory(const VectorType &memory)
{
  IndexSet relevant;
  DoFTools::extract_locally_relevant_dofs(dof_handler, relevant);
  const MPI_Comm comm = dof_handler.get_communicator();
  VectorType     owned(memory.locally_owned_elements(), comm);
  owned = memory;
  memory_level_set.reinit(memory.locally_owned_elements(), relevant, comm);
  memory_level_set = owned;
}

template <int dim>
void
PhaseQuadrature<dim>::phase_temperature(const VectorType &temperature,
                                        VectorType       &theta) const
{
  theta.reinit(temperature);
  if (!hysteretic())
  {
    theta = phase_field ? *phase_field : temperature;
    return;
  }
  VectorType owned = metal_level_field(temperature);
  owned.add(law.transition_temperature());
  theta = owned;
}

template <int dim>
types::global_dof_index
PhaseQuadrature<dim>::n_metal_memory_nodes() const
{
  types::global_dof_index n = 0;
  for (const auto i : memory_level_set.locally_owned_elements())
    if (memory_level_set[i] > 0)
      ++n;
  return Utilities::MPI::sum(n, dof_handler.get_communicator());
}

template <int dim>
void
PhaseQuadrature<dim>::reinit()
{
  phase_field = nullptr;
  cut_face_values.reset();
  cut_values.reset();
  classifier.reset();
  checked_cells.clear();
  checked_faces.clear();
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
  const auto &inside  = cut_values->get_inside_fe_values();
  const auto &outside = cut_values->get_outside_fe_values();
  if (is_cut(cell))
  {
    auto it = checked_cells.find(cell->active_cell_index());
    if (it == checked_cells.end())
    {
      std::vector<const Quadrature<dim> *> parts;
      if (inside)
        parts.push_back(&inside->get_quadrature());
      if (outside)
        parts.push_back(&outside->get_quadrature());
      std::unique_ptr<Repaired> r;
      if (!integrates_exactly(parts, quadrature_1d.size()))
      {
        ++repaired;
        r = subdivided(cell, 2);
        std::vector<const Quadrature<dim> *> sub;
        for (const auto *v : {r->inside.get(), r->outside.get()})
          if (v)
            sub.push_back(&v->get_quadrature());
        if (!integrates_exactly(sub, quadrature_1d.size()))
          r = subdivided(cell, 4);
      }
      it = checked_cells.emplace(cell->active_cell_index(), std::move(r)).first;
    }
    if (const Repaired *r = it->second.get())
    {
      if (r->inside)
        f(*r->inside, Region::metal);
      if (r->outside)
        f(*r->outside, Region::insulator);
      return;
    }
  }
  if (inside)
    f(*inside, Region::metal);
  if (outside)
    f(*outside, Region::insulator);
}

template <int dim>
std::unique_ptr<typename PhaseQuadrature<dim>::Repaired>
PhaseQuadrature<dim>::subdivided(const CellIterator &cell,
                                 const unsigned int  m) const
{
  Vector<double> values(fe.n_dofs_per_cell());
  cell->get_dof_values(level_set, values);
  const ReferenceLevelSet<dim>                level_set_function(fe, values);
  const hp::QCollection<1>                    q_collection(quadrature_1d);
  NonMatching::QuadratureGenerator<dim>       generator(q_collection);
  PointsAndWeights<dim>                       in, out;
  NonMatching::ImmersedSurfaceQuadrature<dim> surface;
  unsigned int                                n_boxes = 1;
  for (int k = 0; k < dim; ++k)
    n_boxes *= m;
  for (unsigned int b = 0; b < n_boxes; ++b)
  {
    Point<dim>   lower, upper;
    unsigned int rest = b;
    for (int k = 0; k < dim; ++k, rest /= m)
    {
      lower[k] = double(rest % m) / m;
      upper[k] = double(rest % m + 1) / m;
    }
    generator.generate(level_set_function, BoundingBox<dim>({lower, upper}));
    in.append(generator.get_inside_quadrature());
    out.append(generator.get_outside_quadrature());
    const auto &qs = generator.get_surface_quadrature();
    for (unsigned int q = 0; q < qs.size(); ++q)
      surface.push_back(qs.point(q), qs.weight(q), qs.normal_vector(q));
  }
  auto r = std::make_unique<Repaired>();
  if (!in.points.empty())
  {
    r->inside =
        std::make_unique<FEValues<dim>>(fe, in.quadrature(), cell_flags);
    r->inside->reinit(cell);
  }
  if (!out.points.empty())
  {
    r->outside =
        std::make_unique<FEValues<dim>>(fe, out.quadrature(), cell_flags);
    r->outside->reinit(cell);
  }
  if (surface.size() > 0)
  {
    r->surface = std::make_unique<NonMatching::FEImmersedSurfaceValues<dim>>(
        fe.reference_cell().template get_default_linear_mapping<dim>(),
        fe,
        surface,
        cell_flags | update_normal_vectors);
    r->surface->reinit(cell);
  }
  return r;
}

template <int dim>
std::unique_ptr<typename PhaseQuadrature<dim>::RepairedFace>
PhaseQuadrature<dim>::split_face(const CellIterator &cell,
                                 const unsigned int  face_no) const
{
  const QIterated<dim - 1> fine(QGauss<1>(quadrature_1d.size()), 8);
  FEFaceValues<dim>        values(fe, fine, update_values);
  values.reinit(cell, face_no);
  std::vector<double> level(fine.size());
  values.get_function_values(level_set, level);
  PointsAndWeights<dim - 1> in, out;
  for (unsigned int q = 0; q < fine.size(); ++q)
    (level[q] < 0 ? in : out).add(fine.point(q), fine.weight(q));
  auto r = std::make_unique<RepairedFace>();
  if (!in.points.empty())
  {
    r->inside =
        std::make_unique<FEFaceValues<dim>>(fe, in.quadrature(), face_flags);
    r->inside->reinit(cell, face_no);
  }
  if (!out.points.empty())
  {
    r->outside =
        std::make_unique<FEFaceValues<dim>>(fe, out.quadrature(), face_flags);
    r->outside->reinit(cell, face_no);
  }
  return r;
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
  const auto &inside  = cut_face_values->get_inside_fe_values();
  const auto &outside = cut_face_values->get_outside_fe_values();
  if (classifier->location_to_level_set(cell, face_no) ==
      NonMatching::LocationToLevelSet::intersected)
  {
    const auto key = std::make_pair(cell->active_cell_index(), face_no);
    auto       it  = checked_faces.find(key);
    if (it == checked_faces.end())
    {
      std::vector<const Quadrature<dim - 1> *> parts;
      if (inside)
        parts.push_back(&inside->get_fe_face_values(0).get_quadrature());
      if (outside)
        parts.push_back(&outside->get_fe_face_values(0).get_quadrature());
      std::unique_ptr<RepairedFace> r;
      if (!integrates_exactly(parts, quadrature_1d.size()))
      {
        ++repaired;
        r = split_face(cell, face_no);
      }
      it = checked_faces.emplace(key, std::move(r)).first;
    }
    if (const RepairedFace *r = it->second.get())
    {
      if (r->inside)
        f(*r->inside, Region::metal);
      if (r->outside)
        f(*r->outside, Region::insulator);
      return;
    }
  }
  if (inside)
    f(inside->get_fe_face_values(0), Region::metal);
  if (outside)
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
  // Through for_each_part, so that a repaired cell uses its repaired
  // surface quadrature.
  for_each_part(cell, [](const FEValues<dim> &, Region) {});
  const auto it = checked_cells.find(cell->active_cell_index());
  if (it != checked_cells.end() && it->second)
  {
    if (it->second->surface)
      f(*it->second->surface);
    return;
  }
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
