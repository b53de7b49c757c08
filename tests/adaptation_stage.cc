// Unit test of the interface adaptation's rule within a stage (one steady
// solve): a cell refined again after a coarsening in the same stage is
// locked (not coarsened again in the stage), so the adaptation cannot cycle
// between two meshes for more than one period; the next stage starts
// afresh. The marks must survive
// refinement, repartitioning (2 ranks) and a checkpoint (save and load of
// the triangulation).
//
// A 2D unit square of 8 x 8 cells, the sharp law at T_MIT = 345 K, one level
// of interface refinement and no band. The temperature is linear in x:
// T1 puts the interface at x = 0.45 (in the cell column [0.375, 0.5]), T2 at
// x = 0.52 (column [0.5, 0.625]). The plain rule, after refining column 3
// for T1, would coarsen it back for T2 while refining column 4, and for T1
// again the other way round, forever.
#include <deal.II/base/function.h>
#include <deal.II/base/mpi.h>
#include <deal.II/base/utilities.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/grid/grid_generator.h>
#include <deal.II/numerics/vector_tools.h>

#include "unit_check.h"

#include <imtsim/mesh/mesh_adaptation.h>

#include <filesystem>
#include <iostream>

using namespace imtsim;
using unit_check::expect;
using unit_check::failures;

namespace
{
constexpr int dim = 2;

/** T = T_MIT + 100 (x - x_interface), ghosted. */
VectorType
temperature(const DoFHandler<dim> &dof_handler, const double x_interface)
{
  const IndexSet owned = dof_handler.locally_owned_dofs();
  IndexSet       relevant;
  DoFTools::extract_locally_relevant_dofs(dof_handler, relevant);
  VectorType owned_values(owned, MPI_COMM_WORLD);
  const ScalarFunctionFromFunctionObject<dim> T(
      [x_interface](const Point<dim> &p)
      { return 345 + 100 * (p[0] - x_interface); });
  VectorTools::interpolate(dof_handler, T, owned_values);
  VectorType ghosted(owned, relevant, MPI_COMM_WORLD);
  ghosted = owned_values;
  return ghosted;
}

/**
 * Flag for the interface at @p x_interface and, if anything is flagged,
 * adapt the mesh; print the counts.
 */
unsigned long long
adapt(const std::string                         &what,
      parallel::distributed::Triangulation<dim> &tria,
      MeshAdaptation<dim>                       &adaptation,
      const double                               x_interface)
{
  const FE_Q<dim> fe(2);
  DoFHandler<dim> dof_handler(tria);
  dof_handler.distribute_dofs(fe);
  const unsigned long long flagged = adaptation.flag_interface(
      dof_handler, temperature(dof_handler, x_interface));
  if (flagged > 0)
  {
    adaptation.prepare_for_coarsening_and_refinement();
    tria.execute_coarsening_and_refinement();
    adaptation.unpack();
  }
  if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
    std::cout << what << ": " << adaptation.n_band_cells() << " band cells, "
              << adaptation.n_kept_cells() << " kept, " << flagged
              << " flagged, " << tria.n_global_active_cells() << " cells"
              << std::endl;
  return flagged;
}

MaterialParameters
material()
{
  MaterialParameters p;
  p.resistivity_insulator  = 0.1;
  p.resistivity_metal      = 0.01;
  p.seebeck_insulator      = 0;
  p.seebeck_metal          = 0;
  p.kappa_insulator        = 1;
  p.kappa_metal            = 1;
  p.transition_temperature = 345;
  p.transition_width       = 1;
  p.phase_law              = PhaseLawType::sharp;
  return p;
}
} // namespace

int
main(int argc, char **argv)
{
  Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  const PhaseLaw                   law(material());
  MeshParameters                   mesh{};
  mesh.interface_refinement = 1;
  mesh.interface_band       = 0;

  parallel::distributed::Triangulation<dim> tria(MPI_COMM_WORLD);
  GridGenerator::subdivided_hyper_cube(tria, 8);
  MeshAdaptation<dim> adaptation(mesh, law, tria);
  adaptation.initialize();

  // Stage 1: the interface alternates between 0.45 and 0.52, as it would
  // if each refinement moved it across the column boundary.
  adaptation.begin_stage();
  adapt("stage 1, x = 0.45", tria, adaptation, 0.45);
  expect("column 3 refined", tria.n_global_active_cells() == 64 - 8 + 32);
  adapt("stage 1, x = 0.52", tria, adaptation, 0.52);
  expect("column 4 refined, column 3 coarsened (the plain rule)",
         tria.n_global_active_cells() == 64 - 8 + 32 &&
             adaptation.n_kept_cells() == 0);
  adapt("stage 1, x = 0.45 again", tria, adaptation, 0.45);
  expect("column 3 refined again (locked), column 4 coarsened",
         tria.n_global_active_cells() == 64 - 8 + 32 &&
             adaptation.n_kept_cells() == 0);
  adapt("stage 1, x = 0.52 again", tria, adaptation, 0.52);
  expect("column 4 refined again (locked), column 3 kept",
         tria.n_global_active_cells() == 64 - 16 + 64 &&
             adaptation.n_kept_cells() == 32);
  expect("fixed point for x = 0.45",
         adapt("stage 1, x = 0.45, both locked", tria, adaptation, 0.45) == 0);
  expect("fixed point for x = 0.52",
         adapt("stage 1, x = 0.52, both locked", tria, adaptation, 0.52) == 0);

  // A checkpoint: the marks travel with the saved mesh.
  const std::string file = "adaptation_stage_mesh";
  adaptation.prepare_for_serialization();
  tria.save(file);
  adaptation.finish_serialization();
  parallel::distributed::Triangulation<dim> loaded(MPI_COMM_WORLD);
  GridGenerator::subdivided_hyper_cube(loaded, 8);
  loaded.load(file);
  MeshAdaptation<dim> restored(mesh, law, loaded);
  restored.deserialize();
  expect("after loading, still a fixed point for x = 0.45",
         adapt("loaded, x = 0.45", loaded, restored, 0.45) == 0 &&
             restored.n_kept_cells() == 16 + 32);

  // Stage 2: column 3, which the interface has left, is coarsened; the
  // outer halves of column 4 stay (their siblings are at the interface).
  restored.begin_stage();
  adapt("stage 2, x = 0.52", loaded, restored, 0.52);
  expect("column 3 coarsened in the next stage",
         loaded.n_global_active_cells() == 64 - 8 + 32 &&
             restored.n_kept_cells() == 0);

  if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
    for (const auto &entry : std::filesystem::directory_iterator("."))
      if (entry.path().filename().string().rfind(file, 0) == 0)
        std::filesystem::remove(entry.path());
  return failures == 0 ? 0 : 1;
}
