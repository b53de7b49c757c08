#include <deal.II/base/bounding_box.h>
#include <deal.II/grid/grid_generator.h>
#include <deal.II/grid/grid_in.h>
#include <deal.II/grid/grid_tools.h>
#include <deal.II/grid/tria_accessor.h>
#include <deal.II/grid/tria_iterator.h>

#include <imtsim/mesh/geometry.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace imtsim
{
namespace
{
/**
 * Refine @p n times the locally owned active cells for which @p touches
 * (the cell touches an electrode) holds.
 */
template <int dim, typename Predicate>
void
refine_at_electrodes(parallel::distributed::Triangulation<dim> &tria,
                     const unsigned int                         n,
                     const Predicate                           &touches)
{
  for (unsigned int r = 0; r < n; ++r)
  {
    for (const auto &cell : tria.active_cell_iterators())
      if (cell->is_locally_owned() && touches(cell))
        cell->set_refine_flag();
    tria.execute_coarsening_and_refinement();
  }
}
} // namespace

template <int dim>
SampleGeometry<dim>::SampleGeometry(const Parameters &parameters)
    : length(parameters.geometry.length), width(parameters.geometry.width),
      thickness(parameters.geometry.thickness), parameters(parameters),
      drain_patch(parameters.geometry.drain),
      source_patch(parameters.geometry.source)
{
  if (parameters.geometry.swap_electrodes)
    std::swap(drain_patch, source_patch);
}

template <int dim>
std::vector<double>
SampleGeometry<dim>::step_sizes(const double        extent,
                                std::vector<double> breakpoints,
                                const double        target) const
{
  breakpoints.push_back(0);
  breakpoints.push_back(extent);
  std::sort(breakpoints.begin(), breakpoints.end());
  // Grid lines closer than a twentieth of a cell are merged.
  std::vector<double> lines;
  for (const double b : breakpoints)
    if (lines.empty() || b - lines.back() > 0.05 * target)
      lines.push_back(b);
  lines.back() = extent;

  std::vector<double> steps;
  for (unsigned int i = 0; i + 1 < lines.size(); ++i)
  {
    const double       interval = lines[i + 1] - lines[i];
    const unsigned int n =
        std::max(1, static_cast<int>(std::round(interval / target)));
    for (unsigned int k = 0; k < n; ++k)
      steps.push_back(interval / n);
  }
  return steps;
}

template <int dim>
bool
SampleGeometry<dim>::in_patch(const Point<dim>     &p,
                              const ElectrodePatch &patch,
                              const double          tolerance) const
{
  bool inside =
      p[0] >= patch.x_min - tolerance && p[0] <= patch.x_max + tolerance;
  if (dim == 3)
    inside = inside && p[1] >= patch.y_min - tolerance &&
             p[1] <= patch.y_max + tolerance;
  return inside;
}

template <int dim>
void
SampleGeometry<dim>::create_mesh(
    parallel::distributed::Triangulation<dim> &tria, const bool refine)
{
  if (parameters.mesh.mesh_file.empty())
    create_box(tria, refine);
  else
    read_mesh_file(tria, refine);
}

template <int dim>
void
SampleGeometry<dim>::read_mesh_file(
    parallel::distributed::Triangulation<dim> &tria, const bool refine)
{
  const std::string &file  = parameters.mesh.mesh_file;
  const std::string  entry = "Mesh/Mesh file";
  {
    std::ifstream in(file);
    if (!in)
      throw InputError(entry, "cannot open the mesh file '" + file + "'.");
    GridIn<dim> grid_in;
    grid_in.attach_triangulation(tria);
    try
    {
      grid_in.read_msh(in);
    }
    catch (const std::exception &e)
    {
      std::string what = e.what();
      if (const auto *d = dynamic_cast<const ExceptionBase *>(&e))
      {
        std::ostringstream info;
        d->print_info(info);
        what = info.str();
      }
      throw InputError(entry,
                       "cannot read '" + file + "' as a " +
                           std::to_string(dim) + "D Gmsh mesh of " +
                           (dim == 3 ? "hexahedra" : "quadrilaterals") + ": " +
                           what);
    }
  }
  if (tria.n_global_active_cells() == 0)
    throw InputError(entry, "'" + file + "' holds no cells.");

  // The bounding box gives L, W, h; the sample must start at the origin
  // (the centre lines and the initial temperature refer to it).
  const BoundingBox<dim> box =
      GridTools::compute_bounding_box(static_cast<Triangulation<dim> &>(tria));
  const Point<dim> lo = box.get_boundary_points().first;
  const Point<dim> hi = box.get_boundary_points().second;
  for (unsigned int d = 0; d < dim; ++d)
    if (std::abs(lo[d]) > 1e-9 * (hi[d] - lo[d]))
      throw InputError(entry,
                       "the mesh's bounding box must start at the origin, "
                       "but its minimum " +
                           std::string(1, "xyz"[d == dim - 1 ? 2 : d]) +
                           " is " + Utilities::to_string(lo[d]) +
                           " m; shift the mesh.");
  length = hi[0];
  if (dim == 3)
    width = hi[1];
  thickness = hi[dim - 1];

  // Map the physical tags to the boundary ids, in one pass over the
  // boundary faces of the coarse mesh (every rank holds all of it).
  const auto &m    = parameters.mesh;
  const bool  swap = parameters.geometry.swap_electrodes;
  const auto  in =
      [](const std::vector<unsigned int> &list, const types::boundary_id id)
  { return std::find(list.begin(), list.end(), id) != list.end(); };
  double area[2] = {0, 0}, x_area[2] = {0, 0};
  for (const auto &cell : tria.cell_iterators_on_level(0))
    for (const auto &face : cell->face_iterators())
      if (face->at_boundary())
      {
        const types::boundary_id tag = face->boundary_id();
        types::boundary_id       id  = BoundaryIds::other;
        if (in(m.drain_tags, tag) || in(m.source_tags, tag))
        {
          const bool drain = in(m.drain_tags, tag) != swap;
          id               = drain ? BoundaryIds::drain : BoundaryIds::source;
          area[drain ? 0 : 1] += face->measure();
          x_area[drain ? 0 : 1] += face->measure() * face->center()[0];
        }
        else if (in(m.substrate_tags, tag))
          id = BoundaryIds::substrate<dim>();
        else if (in(m.top_tags, tag))
          id = BoundaryIds::top<dim>();
        face->set_boundary_id(id);
      }
  for (unsigned int e = 0; e < 2; ++e)
    if (area[e] == 0)
      throw InputError(
          (e == 0) != swap ? "Mesh/Drain tags" : "Mesh/Source tags",
          "no boundary face of '" + file + "' carries these physical tags.");
  mesh_drain_end_x = x_area[0] / area[0] <= x_area[1] / area[1] ? 0. : length;
  mesh_volume      = GridTools::volume(tria);

  if (!refine)
    return;
  tria.refine_global(parameters.mesh.initial_global_refinement);
  refine_at_electrodes(tria,
                       parameters.mesh.electrode_refinement,
                       [](const auto &cell)
                       {
                         for (const auto &face : cell->face_iterators())
                           if (face->at_boundary() &&
                               (face->boundary_id() == BoundaryIds::drain ||
                                face->boundary_id() == BoundaryIds::source))
                             return true;
                         return false;
                       });
}

template <int dim>
void
SampleGeometry<dim>::create_box(parallel::distributed::Triangulation<dim> &tria,
                                const bool refine) const
{
  const double target = thickness / parameters.mesh.cells_across_thickness;
  const bool   patches =
      parameters.geometry.electrode_type == ElectrodeType::top_patches;

  std::vector<std::vector<double>> steps(dim);
  std::vector<double>              xb, yb;
  if (patches)
  {
    xb = {drain_patch.x_min,
          drain_patch.x_max,
          source_patch.x_min,
          source_patch.x_max};
    yb = {drain_patch.y_min,
          drain_patch.y_max,
          source_patch.y_min,
          source_patch.y_max};
  }
  steps[0] = step_sizes(length, xb, target);
  if (dim == 3)
    steps[1] = step_sizes(width, yb, target);
  steps[dim - 1] = step_sizes(thickness, {}, target);

  Point<dim> p2;
  p2[0] = length;
  if (dim == 3)
    p2[1] = width;
  p2[dim - 1] = thickness;
  GridGenerator::subdivided_hyper_rectangle(
      tria, steps, Point<dim>(), p2, /*colorize=*/true);

  // Tag the electrodes on the coarse mesh, so that p4est's refinement and
  // repartitioning pass the ids on to every descendant face.
  const double tol     = 1e-6 * target;
  double       area[2] = {0, 0};
  const bool   swapped = parameters.geometry.swap_electrodes;
  for (const auto &cell : tria.cell_iterators_on_level(0))
    for (const auto &face : cell->face_iterators())
    {
      if (!face->at_boundary())
        continue;
      if (!patches)
      {
        if (face->boundary_id() == BoundaryIds::x_min)
          face->set_boundary_id(swapped ? BoundaryIds::source
                                        : BoundaryIds::drain);
        else if (face->boundary_id() == BoundaryIds::x_max)
          face->set_boundary_id(swapped ? BoundaryIds::drain
                                        : BoundaryIds::source);
        continue;
      }
      if (face->boundary_id() != BoundaryIds::top<dim>())
        continue;
      if (in_patch(face->center(), drain_patch, tol))
      {
        face->set_boundary_id(BoundaryIds::drain);
        area[0] += face->measure();
      }
      else if (in_patch(face->center(), source_patch, tol))
      {
        face->set_boundary_id(BoundaryIds::source);
        area[1] += face->measure();
      }
    }
  if (patches)
    for (unsigned int e = 0; e < 2; ++e)
      if (area[e] == 0)
        throw InputError(
            std::string("Geometry/") +
                ((e == 0) != swapped ? "Drain" : "Source") + "/x max",
            "the electrode patch covers no face of the coarse mesh; make it "
            "larger or increase 'Mesh/Coarse cells across thickness'.");

  if (!refine)
    return;
  tria.refine_global(parameters.mesh.initial_global_refinement);

  // Refine where the current density is singular: around the pad edges,
  // i.e. on every cell touching a patch (including its rim).
  if (patches)
    refine_at_electrodes(tria,
                         parameters.mesh.electrode_refinement,
                         [&](const auto &cell)
                         {
                           for (const unsigned int v : cell->vertex_indices())
                           {
                             const Point<dim> &p = cell->vertex(v);
                             if (std::abs(p[dim - 1] - thickness) < tol &&
                                 (in_patch(p, drain_patch, tol) ||
                                  in_patch(p, source_patch, tol)))
                               return true;
                           }
                           return false;
                         });
}

template <int dim>
types::boundary_id
SampleGeometry<dim>::boundary_id(const std::string &name)
{
  if (name == "substrate")
    return BoundaryIds::substrate<dim>();
  if (name == "top")
    return BoundaryIds::top<dim>();
  if (name == "x_min")
    return BoundaryIds::x_min;
  if (name == "x_max")
    return BoundaryIds::x_max;
  if (name == "y_min")
    return BoundaryIds::y_min;
  if (name == "y_max")
    return BoundaryIds::y_max;
  if (name == "drain")
    return BoundaryIds::drain;
  AssertThrow(name == "source",
              ExcMessage("unknown boundary name '" + name + "'"));
  return BoundaryIds::source;
}

template <int dim>
std::map<types::boundary_id, double>
SampleGeometry<dim>::by_boundary_id(const std::map<std::string, double> &values)
{
  std::map<types::boundary_id, double> ids;
  for (const auto &[name, value] : values)
    ids[boundary_id(name)] = value;
  return ids;
}

template <int dim>
std::vector<types::boundary_id>
SampleGeometry<dim>::fixed_temperature_ids() const
{
  std::vector<types::boundary_id> ids;
  for (const auto &name : parameters.thermal.fixed_temperature_boundaries)
    ids.push_back(boundary_id(name));
  return ids;
}

template <int dim>
double
SampleGeometry<dim>::drain_end_x() const
{
  if (!parameters.mesh.mesh_file.empty())
    return mesh_drain_end_x;
  if (parameters.geometry.electrode_type == ElectrodeType::end_faces)
    return parameters.geometry.swap_electrodes ? length : 0.;
  const double cd = 0.5 * (drain_patch.x_min + drain_patch.x_max);
  const double cs = 0.5 * (source_patch.x_min + source_patch.x_max);
  return cd <= cs ? 0. : length;
}

template <int dim>
Point<dim>
SampleGeometry<dim>::centre_point(const double x, const double z) const
{
  Point<dim> p;
  p[0] = x;
  if (dim == 3)
    p[1] = 0.5 * width;
  p[dim - 1] = z;
  return p;
}

template <int dim>
Point<dim>
SampleGeometry<dim>::top_centre_point(const double x) const
{
  return centre_point(x, thickness);
}

template <int dim>
double
SampleGeometry<dim>::volume() const
{
  if (!parameters.mesh.mesh_file.empty())
    return dim == 2 ? mesh_volume * width : mesh_volume;
  return length * width * thickness;
}

template class SampleGeometry<2>;
template class SampleGeometry<3>;
} // namespace imtsim
