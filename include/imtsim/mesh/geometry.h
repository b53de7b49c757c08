#ifndef imtsim_mesh_geometry_h
#define imtsim_mesh_geometry_h

#include <deal.II/base/point.h>
#include <deal.II/distributed/tria.h>

#include <imtsim/parameters/parameters.h>

#include <map>
#include <string>
#include <vector>

namespace imtsim
{
/**
 * Boundary ids of the sample box [0,L] x [0,W] x [0,h] (2D: [0,L] x [0,h]).
 * The faces carry deal.II's colorize numbering, the electrode patches on
 * the top face (or the end faces) get their own ids.
 */
namespace BoundaryIds
{
constexpr types::boundary_id x_min = 0;
constexpr types::boundary_id x_max = 1;
constexpr types::boundary_id y_min = 2; ///< 3D only
constexpr types::boundary_id y_max = 3; ///< 3D only
/** z = 0 (y = 0 in 2D), bonded to the substrate. */
template <int dim>
constexpr types::boundary_id
substrate()
{
  return 2 * (dim - 1);
}
/** z = h (y = h in 2D), the free top face. */
template <int dim>
constexpr types::boundary_id
top()
{
  return 2 * (dim - 1) + 1;
}
constexpr types::boundary_id drain  = 10; ///< psi = 0
constexpr types::boundary_id source = 11; ///< psi = V, I > 0 enters here
/** Faces of a mesh file in none of the tag lists: adiabatic, insulated. */
constexpr types::boundary_id other = 20;
} // namespace BoundaryIds

/**
 * The sample geometry: builds the mesh with grid lines on the electrode
 * edges, tags the electrodes, and answers geometric questions (where the
 * drain end is, which ids are held at T0).
 */
template <int dim> class SampleGeometry
{
public:
  explicit SampleGeometry(const Parameters &parameters);

  /**
   * Create the coarse mesh (the box, or the 'Mesh/Mesh file'), tag the
   * boundaries, refine globally and at the electrodes. Throws InputError
   * if an electrode covers no mesh face. For a mesh file, L, W (3D) and h
   * become the extents of its bounding box. With @p refine false: the
   * tagged coarse mesh only (a checkpoint's refinement is loaded onto it).
   */
  void
  create_mesh(parallel::distributed::Triangulation<dim> &tria,
              const bool                                 refine = true);

  /** Boundary ids held at T0. */
  std::vector<types::boundary_id>
  fixed_temperature_ids() const;

  /** The boundary id of a name of the thermal boundary conditions. */
  static types::boundary_id
  boundary_id(const std::string &name);

  /** The same map with boundary ids for its names. */
  static std::map<types::boundary_id, double>
  by_boundary_id(const std::map<std::string, double> &values);

  /** x coordinate of the end of the sample nearer the drain (0 or L). */
  double
  drain_end_x() const;

  /** The point (x, W/2, h) on the top centre line (2D: (x, h)). */
  Point<dim>
  top_centre_point(const double x) const;

  /** The point (x, W/2, z) (2D: (x, z)). */
  Point<dim>
  centre_point(const double x, const double z) const;

  /** Volume of the sample [m^3] (2D: area times width). */
  double
  volume() const;

  double length, width, thickness;

private:
  /** The box with grid lines on the patch edges. */
  void
  create_box(parallel::distributed::Triangulation<dim> &tria,
             const bool                                 refine) const;

  /** Read the mesh file and map its physical tags to boundary ids. */
  void
  read_mesh_file(parallel::distributed::Triangulation<dim> &tria,
                 const bool                                 refine);

  /** Grid line positions along one axis, including the patch edges. */
  std::vector<double>
  step_sizes(const double        extent,
             std::vector<double> breakpoints,
             const double        target) const;

  /** Is the point (on the top face) inside the given patch? */
  bool
  in_patch(const Point<dim>     &p,
           const ElectrodePatch &patch,
           const double          tolerance) const;

  const Parameters &parameters;
  ElectrodePatch    drain_patch, source_patch;
  /** For a mesh file: its volume and the end nearer the drain. */
  double mesh_volume = 0, mesh_drain_end_x = 0;
};
} // namespace imtsim

#endif
