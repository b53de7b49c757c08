// Checkpoints and restarts: members of Simulator (declared in simulator.h).
// The mesh and the fields go through p4est's save/load with the fields
// attached (parallel::distributed::SolutionTransfer), so a run may resume
// on another number of ranks; the run's state is a Boost archive.
#include <deal.II/distributed/solution_transfer.h>

#include <imtsim/coupling/simulator.h>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>

#include <filesystem>
#include <fstream>

namespace imtsim
{
template <int dim>
RunState
Simulator<dim>::checkpoint_state(const std::string &mode) const
{
  RunState state;
  state.mode                        = mode;
  state.initial_condition           = initial_condition;
  state.n_adaptations               = n_adaptations;
  state.memory_pending              = memory_pending;
  state.slab_model_thickness        = slab_model_thickness;
  state.series                      = field_output.series();
  state.records                     = field_output.entries();
  state.level_times                 = level_times;
  state.initial_uniform_temperature = initial_uniform_temperature;
  return state;
}

template <int dim>
void
Simulator<dim>::save_checkpoint(RunState                      &state,
                                const std::vector<VectorType> &extra)
{
  TimerOutput::Scope t(timer, "checkpoint: write");
  namespace fs                = std::filesystem;
  const std::string directory = parameters.output.directory + "/checkpoint";
  const std::string tmp       = directory + ".tmp";
  const bool        root      = Utilities::MPI::this_mpi_process(comm) == 0;
  if (root)
  {
    fs::remove_all(tmp);
    fs::create_directories(tmp);
  }
  MPI_Barrier(comm);

  state.dimension    = dim;
  state.degree       = fe.degree;
  state.coarse_cells = triangulation.n_cells(0);
  state.hysteretic   = quadrature.hysteretic();
  state.n_levels     = time_levels.size();
  // The fields, in this order: T, psi, the phase memory, the time levels,
  // the extra fields.
  std::vector<const VectorType *> fields = {&temperature,
                                            &electric.potential()};
  if (state.hysteretic)
    fields.push_back(&quadrature.memory());
  for (const VectorType &level : time_levels)
    fields.push_back(&level);
  state.n_extra = extra.size();
  for (const VectorType &field : extra)
    fields.push_back(&field);
  parallel::distributed::SolutionTransfer<dim, VectorType> transfer(
      dof_handler);
  transfer.prepare_for_serialization(fields);
  adaptation.prepare_for_serialization();
  triangulation.save(tmp + "/mesh");
  adaptation.finish_serialization();

  if (root)
  {
    {
      std::ofstream                   out(tmp + "/state.bin", std::ios::binary);
      boost::archive::binary_oarchive archive(out);
      archive << state;
    }
    checkpoint_files::write_manifest(tmp);
    checkpoint_files::commit(tmp, directory);
  }
  MPI_Barrier(comm);
  pcout << " Checkpoint written to " << directory << std::endl;
}

template <int dim>
RunState
Simulator<dim>::load_checkpoint(const std::string &mode)
{
  TimerOutput::Scope t(timer, "checkpoint: read");
  namespace fs                = std::filesystem;
  const std::string directory = parameters.checkpoint_directory();
  const std::string entry     = "Checkpoint/Restart directory";
  const bool        root      = Utilities::MPI::this_mpi_process(comm) == 0;
  // Check every file against the manifest before p4est sees any of them.
  std::string problem = root ? checkpoint_files::problem(directory) : "";
  problem             = Utilities::MPI::broadcast(comm, problem, 0);
  if (!problem.empty())
  {
    std::string       hint;
    const std::string previous =
        (fs::path(directory).parent_path() / "checkpoint.previous").string();
    if (root && previous != directory &&
        checkpoint_files::problem(previous).empty())
      hint = " The previous checkpoint '" + previous +
             "' is intact: restart from it with --set \"" + entry + "=" +
             previous + "\".";
    hint = Utilities::MPI::broadcast(comm, hint, 0);
    throw InputError(entry,
                     "the checkpoint '" + directory +
                         "' is refused: " + problem + "." + hint);
  }

  RunState state;
  try
  {
    std::ifstream in(directory + "/state.bin", std::ios::binary);
    boost::archive::binary_iarchive archive(in);
    archive >> state;
  }
  catch (const std::exception &e)
  {
    throw InputError(entry,
                     "cannot read the run state of the checkpoint '" +
                         directory + "' (" + e.what() +
                         "); it was written by another version of imtsim?");
  }
  const auto refuse = [&](const std::string &what)
  {
    throw InputError(entry,
                     "the checkpoint '" + directory + "' is of " + what +
                         ": the parameter file must describe the same "
                         "problem.");
  };
  if (state.mode != mode)
    refuse("a run of mode '" + state.mode + "', this one is '" + mode + "'");
  if (state.dimension != dim)
    refuse("a " + std::to_string(state.dimension) + "D run");
  if (state.degree != fe.degree)
    refuse("a run with 'Solver/Polynomial degree' " +
           std::to_string(state.degree));
  if (state.hysteretic != quadrature.hysteretic())
    refuse(std::string("a run ") + (state.hysteretic ? "with" : "without") +
           " hysteresis");

  geometry.create_mesh(triangulation, /*refine=*/false);
  if (triangulation.n_cells(0) != state.coarse_cells)
    refuse("a coarse mesh of " + std::to_string(state.coarse_cells) +
           " cells, this one has " + std::to_string(triangulation.n_cells(0)));
  triangulation.load(directory + "/mesh");
  setup_dofs();
  const unsigned int n_fields =
      2 + (state.hysteretic ? 1 : 0) + state.n_levels + state.n_extra;
  std::vector<VectorType>   owned(n_fields, VectorType(owned_dofs, comm));
  std::vector<VectorType *> targets;
  for (auto &v : owned)
    targets.push_back(&v);
  parallel::distributed::SolutionTransfer<dim, VectorType> transfer(
      dof_handler);
  transfer.deserialize(targets);
  adaptation.deserialize();

  unsigned int k = 0;
  temperature    = owned[k++];
  {
    VectorType psi(owned_dofs, relevant_dofs, comm);
    psi = owned[k++];
    electric.set_potential(psi);
  }
  if (state.hysteretic)
    quadrature.set_memory(owned[k++]);
  time_levels.clear();
  for (unsigned int l = 0; l < state.n_levels; ++l)
  {
    time_levels.emplace_back(owned_dofs, relevant_dofs, comm);
    time_levels.back() = owned[k++];
  }
  checkpoint_fields.clear();
  for (unsigned int l = 0; l < state.n_extra; ++l)
  {
    checkpoint_fields.emplace_back(owned_dofs, relevant_dofs, comm);
    checkpoint_fields.back() = owned[k++];
  }
  level_times                 = state.level_times;
  initial_uniform_temperature = state.initial_uniform_temperature;
  initial_condition           = state.initial_condition;
  n_adaptations               = state.n_adaptations;
  memory_pending              = state.memory_pending;
  slab_model_thickness        = state.slab_model_thickness;
  field_output.restore(state.series, state.records);
  pcout << "Restart from the checkpoint " << directory << ": "
        << triangulation.n_global_active_cells() << " cells, "
        << dof_handler.n_dofs() << " DoFs per field, " << state.summaries.size()
        << " " << (mode == "cycles" ? "cycles" : "steps") << " done"
        << (state.in_progress ? ", continuing an interrupted one" : "")
        << std::endl;
  return state;
}

template <int dim>
void
Simulator<dim>::checkpoint_point(RunState                      &state,
                                 const unsigned int             n,
                                 const bool                     last,
                                 const std::string             &where,
                                 const std::vector<VectorType> &extra)
{
  const unsigned int interval = parameters.checkpoint.interval;
  const bool         periodic = interval > 0 && (last || n % interval == 0);
  if (periodic)
    save_checkpoint(state, extra);
  if (last)
    return;
  if (const int signal = stop_signal(comm))
  {
    if (periodic)
      throw Interrupted(signal,
                        "stopped by " + signal_name(signal) + " " + where +
                            "; the checkpoint is written to " +
                            parameters.output.directory +
                            "/checkpoint: resume with --restart.");
    stop_with_checkpoint(state, signal, where, extra);
  }
}

template <int dim>
void
Simulator<dim>::stop_with_checkpoint(RunState                      &state,
                                     const int                      signal,
                                     const std::string             &where,
                                     const std::vector<VectorType> &extra)
{
  pcout << "Stopped by " << signal_name(signal) << " " << where << std::endl;
  save_checkpoint(state, extra);
  timer.print_wall_time_statistics(comm);
  throw Interrupted(signal,
                    "stopped by " + signal_name(signal) + " " + where +
                        "; the checkpoint is written to " +
                        parameters.output.directory +
                        "/checkpoint: resume with --restart.");
}

template class Simulator<2>;
template class Simulator<3>;
} // namespace imtsim
