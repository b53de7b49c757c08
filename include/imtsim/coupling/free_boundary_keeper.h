#ifndef imtsim_coupling_free_boundary_keeper_h
#define imtsim_coupling_free_boundary_keeper_h

#include <deal.II/base/exceptions.h>
#include <deal.II/base/index_set.h>
#include <deal.II/base/mpi.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/trilinos_vector.h>

#include <cstdint>
#include <limits>
#include <set>

namespace imtsim
{
using namespace dealii;

/**
 * A hash of the node set {metal > 0} (the unconstrained nodes of
 * @p owned), the same on every rank: the wrapping sum over the set of a
 * splitmix64 of each global index, so that sums of mixed indices tell sets
 * apart whatever the order or the partition.
 */
std::uint64_t
phase_pattern_hash(const TrilinosWrappers::MPI::Vector &metal,
                   const IndexSet                      &owned,
                   const AffineConstraints<double>     &hanging,
                   const MPI_Comm                       comm);

/**
 * The bookkeeping of an iteration on a free boundary that may not reach a
 * fixed point (doc/peltier_only.md 5.1): the set with the smallest measure
 * so far (its step, measure and values), the sets already solved (as
 * hashes, to detect a cycle), whether the iteration has stopped improving
 * for a given number of steps, and the finishing step that solves the
 * kept set once more.
 */
class FreeBoundaryKeeper
{
public:
  using VectorType = TrilinosWrappers::MPI::Vector;

  explicit FreeBoundaryKeeper(const unsigned int stall_steps)
      : stall_steps(stall_steps)
  {
  }

  /** Step @p step's set @p set has the measure @p measure [K]: kept if it
   *  is the smallest so far. */
  void
  record(const unsigned int step, const double measure, const VectorType &set)
  {
    if (measure < best_measure_)
    {
      best_measure_ = measure;
      best_step_    = step;
      best_set_     = set;
    }
  }

  /** True if a set with this hash was recorded before (and record it). */
  bool
  repeats(const std::uint64_t hash)
  {
    return !history.insert(hash).second;
  }

  /** True if the best set is @p stall_steps or more steps old. */
  bool
  stalled(const unsigned int step) const
  {
    return step >= best_step_ + stall_steps;
  }

  /** Go back to the best set for one more solve: it is returned, and
   *  finishing() is true from now on. */
  const VectorType &
  finish()
  {
    AssertThrow(best_step_ > 0,
                ExcMessage("FreeBoundaryKeeper::finish(): no set recorded"));
    finishing_ = true;
    kept_step_ = best_step_;
    return best_set_;
  }

  bool
  finishing() const
  {
    return finishing_;
  }
  unsigned int
  best_step() const
  {
    return best_step_;
  }
  double
  best_measure() const
  {
    return best_measure_;
  }
  /** The step whose set finish() went back to. */
  unsigned int
  kept_step() const
  {
    return kept_step_;
  }
  const unsigned int stall_steps;

private:
  std::set<std::uint64_t> history;
  VectorType              best_set_;
  double                  best_measure_ = std::numeric_limits<double>::max();
  unsigned int            best_step_ = 0, kept_step_ = 0;
  bool                    finishing_ = false;
};
} // namespace imtsim

#endif
