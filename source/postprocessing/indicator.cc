#include <deal.II/dofs/dof_tools.h>

#include <imtsim/postprocessing/indicator.h>

#include <set>

namespace imtsim
{
template <int dim>
TrilinosWrappers::MPI::Vector
boundary_indicator(const DoFHandler<dim>                 &dof_handler,
                   const std::vector<types::boundary_id> &ids,
                   const AffineConstraints<double>       &hanging,
                   const IndexSet                        &owned,
                   const IndexSet                        &relevant)
{
  const MPI_Comm                comm = dof_handler.get_communicator();
  TrilinosWrappers::MPI::Vector w(owned, comm);
  TrilinosWrappers::MPI::Vector ghosted(owned, relevant, comm);
  // (deal.II reads an empty set of ids as every boundary.)
  if (ids.empty())
    return ghosted;
  const IndexSet on_boundary = DoFTools::extract_boundary_dofs(
      dof_handler,
      ComponentMask(),
      std::set<types::boundary_id>(ids.begin(), ids.end()));
  for (const auto i : on_boundary)
    if (owned.is_element(i))
      w[i] = 1.;
  w.compress(VectorOperation::insert);
  hanging.distribute(w);
  ghosted = w;
  return ghosted;
}

template TrilinosWrappers::MPI::Vector
boundary_indicator<2>(const DoFHandler<2> &,
                      const std::vector<types::boundary_id> &,
                      const AffineConstraints<double> &,
                      const IndexSet &,
                      const IndexSet &);
template TrilinosWrappers::MPI::Vector
boundary_indicator<3>(const DoFHandler<3> &,
                      const std::vector<types::boundary_id> &,
                      const AffineConstraints<double> &,
                      const IndexSet &,
                      const IndexSet &);
} // namespace imtsim
