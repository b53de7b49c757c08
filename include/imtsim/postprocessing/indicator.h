#ifndef imtsim_postprocessing_indicator_h
#define imtsim_postprocessing_indicator_h

#include <deal.II/dofs/dof_handler.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/trilinos_vector.h>

#include <vector>

namespace imtsim
{
using namespace dealii;

/**
 * The finite element function that is 1 at every degree of freedom on the
 * given boundaries and 0 elsewhere (made conforming with the hanging node
 * constraints), returned ghosted. Testing the discrete residual with it
 * gives the consistent flux through those boundaries: the current through
 * an electrode, the heat through the substrate.
 */
template <int dim>
TrilinosWrappers::MPI::Vector
boundary_indicator(const DoFHandler<dim>                 &dof_handler,
                   const std::vector<types::boundary_id> &ids,
                   const AffineConstraints<double>       &hanging,
                   const IndexSet                        &owned,
                   const IndexSet                        &relevant);
} // namespace imtsim

#endif
