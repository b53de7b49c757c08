#ifndef imtsim_coupling_checkpoint_h
#define imtsim_coupling_checkpoint_h

#include <deal.II/base/mpi.h>

#include <imtsim/postprocessing/summary.h>

#include <boost/serialization/string.hpp>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace imtsim
{
/**
 * Thrown when the run was stopped by SIGTERM or SIGINT, after its
 * checkpoint is written; the executable exits with 128 + signal().
 */
class Interrupted : public std::runtime_error
{
public:
  Interrupted(const int signal, const std::string &message)
      : std::runtime_error(message), stop_signal(signal)
  {
  }

  int
  signal() const
  {
    return stop_signal;
  }

private:
  int stop_signal;
};

/**
 * Catch SIGTERM and SIGINT: the first one only sets a flag that the run
 * polls (stop_signal()); a second one ends the process at once.
 */
void
install_stop_handlers();

/**
 * The signal received by any rank of @p comm (0: none). Collective: all
 * ranks call it at the same points, so they stop together.
 */
int
stop_signal(const MPI_Comm comm);

/** "SIGTERM", "SIGINT", ... */
std::string
signal_name(const int signal);

/**
 * The state of a run besides its mesh and fields: where it resumes, its
 * counters and the summaries written so far. Saved with Boost.Serialization
 * into state.bin of a checkpoint.
 */
struct RunState
{
  /** "cycles", "sweep" or "transient". */
  std::string        mode;
  unsigned int       dimension = 0, degree = 0;
  unsigned long long coarse_cells = 0;
  bool               hysteretic   = false;
  unsigned int       n_levels     = 0; ///< time levels among the fields

  /** Cycles: the cycle to run; sweeps: the step of the polarity's path. */
  unsigned int unit           = 0;
  unsigned int polarity_index = 0; ///< sweeps: 0 (+), 1 (-)
  /**
   * true: unit was interrupted, and the temperature is its last iterate in
   * continuation stage 'stage' (after 'iterations' Picard steps); false:
   * unit has not started (cycles: refine first if unit > 0).
   */
  bool         in_progress = false;
  unsigned int stage       = 0;
  unsigned int iterations  = 0;

  /** Transient: t and the next step [s], the step's rejected attempts,
   *  the output count, the times of the levels. */
  double              time = 0, time_step = 0;
  unsigned int        rejected = 0, n_outputs = 0;
  std::vector<double> level_times;
  double              initial_uniform_temperature = 0;

  /** Arclength sweeps: ds, folds passed, the drives of the last two
   *  points (their temperatures are the extra fields). */
  double       arclength_step = 0, mu_previous = 0, mu_current = 0;
  unsigned int folds   = 0;
  unsigned int n_extra = 0; ///< extra fields after the time levels

  std::string  initial_condition;
  unsigned int n_adaptations        = 0;
  bool         memory_pending       = false;
  double       slab_model_thickness = 0;
  /** The .pvd series and its entries (time, file). */
  std::string                                 series;
  std::vector<std::pair<double, std::string>> records;
  std::vector<Summary>                        summaries;

  template <class Archive>
  void
  serialize(Archive &ar, const unsigned int)
  {
    ar &mode &dimension &degree &coarse_cells &hysteretic &n_levels;
    ar &unit &polarity_index &in_progress &stage          &iterations;
    ar &time &time_step &rejected &n_outputs &level_times
        &initial_uniform_temperature;
    ar &initial_condition &n_adaptations &memory_pending &slab_model_thickness;
    ar &arclength_step &mu_previous &mu_current &folds   &n_extra;
    ar &series &records                                  &summaries;
  }
};

/**
 * Checkpoint files: a checkpoint is a directory with the p4est mesh and its
 * attached fields (mesh, mesh.info, mesh_fixed.data), state.bin, and a
 * manifest with the size and CRC-32 of each, written last. It is written
 * as <dir>.tmp and renamed; the one before is kept as <dir>.previous.
 */
namespace checkpoint_files
{
/** Write the manifest of the files in @p directory (and sync them). */
void
write_manifest(const std::string &directory);

/** "" if @p directory holds a complete, intact checkpoint; else why not. */
std::string
problem(const std::string &directory);

/**
 * Rename @p tmp to @p directory; the old one becomes <directory>.previous
 * if it is intact (else it is removed, and .previous stays).
 */
void
commit(const std::string &tmp, const std::string &directory);
} // namespace checkpoint_files
} // namespace imtsim

#endif
