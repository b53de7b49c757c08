#ifndef imtsim_postprocessing_field_output_h
#define imtsim_postprocessing_field_output_h

#include <deal.II/distributed/tria.h>
#include <deal.II/dofs/dof_handler.h>

#include <imtsim/materials/phase_quadrature.h>

#include <string>
#include <utility>
#include <vector>

namespace imtsim
{
/**
 * Writes the fields of one cycle as VTU pieces with a PVTU record, and
 * keeps the .pvd collection of all cycles up to date. Point fields: T,
 * psi, Phi = psi - G(T), the current density j, sigma and the Joule power
 * density (evaluated at the output points from the local T). Cell fields:
 * the exact metal fraction of each cell, the interface Peltier heat per
 * cell volume (the integral of -[H] j.n over the interface in the cell),
 * and the MPI partition.
 */
template <int dim> class FieldOutput
{
public:
  FieldOutput(const Parameters &parameters, const std::string &directory);

  /**
   * Write entry @p cycle of the series; the .pvd lists it at @p time (a
   * time-dependent run's t [s]), or at @p cycle if @p time < 0. The
   * @p extra point fields (name, ghosted vector) are written too.
   */
  void
  write(const DoFHandler<dim> &dof_handler,
        PhaseQuadrature<dim>  &quadrature,
        const VectorType      &temperature,
        const VectorType      &potential,
        const unsigned int     cycle,
        const double           time = -1,
        const std::vector<std::pair<std::string, const VectorType *>> &extra =
            {});

  /**
   * Start a new series: the following writes go to @p name_NNN.pvtu and
   * @p name.pvd ("solution" until this is called).
   */
  void
  start_series(const std::string &name)
  {
    basename = name;
    records.clear();
  }

  /** The series name and its entries (time, file), for a checkpoint. */
  const std::string &
  series() const
  {
    return basename;
  }
  const std::vector<std::pair<double, std::string>> &
  entries() const
  {
    return records;
  }

  /** Continue a checkpointed series. */
  void
  restore(const std::string                                 &name,
          const std::vector<std::pair<double, std::string>> &entries)
  {
    basename = name;
    records  = entries;
  }

private:
  const Parameters                           &parameters;
  const std::string                           directory;
  std::string                                 basename = "solution";
  std::vector<std::pair<double, std::string>> records;
};
} // namespace imtsim

#endif
