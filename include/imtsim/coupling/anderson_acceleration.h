#ifndef imtsim_coupling_anderson_acceleration_h
#define imtsim_coupling_anderson_acceleration_h

#include <deal.II/lac/trilinos_vector.h>

#include <deque>

namespace imtsim
{
using namespace dealii;

/**
 * Anderson acceleration (type II, Walker & Ni 2011) of a fixed-point
 * iteration x = G(x) on distributed vectors: the next iterate combines the
 * last m+1 evaluations of G so as to minimise the linearised residual.
 * With depth 0 it is the relaxed iteration x + beta (G(x) - x).
 */
class AndersonAcceleration
{
public:
  using VectorType = TrilinosWrappers::MPI::Vector;

  explicit AndersonAcceleration(const unsigned int depth);

  /** Forget the history (after a mesh change or a failed step). */
  void
  reset();

  /**
   * Given x_k (owned) and g = G(x_k) (owned), return x_{k+1} in @p next
   * with relaxation @p beta in (0, 1].
   */
  void
  step(const VectorType &x,
       const VectorType &g,
       const double      beta,
       VectorType       &next);

private:
  const unsigned int     depth;
  std::deque<VectorType> delta_f, delta_g;
  VectorType             last_f, last_g;
  bool                   has_last = false;
};
} // namespace imtsim

#endif
