#ifndef imtsim_coupling_newton_krylov_h
#define imtsim_coupling_newton_krylov_h

#include <deal.II/lac/trilinos_parallel_block_vector.h>
#include <deal.II/lac/trilinos_vector.h>

#include <functional>

namespace imtsim
{
using namespace dealii;

/**
 * Jacobian-free Newton-Krylov for a fixed point x = G(x) on distributed
 * vectors. One step solves the Newton system for the residual
 * F(x) = G(x) - x,
 *   (I - G'(x)) d = F(x),
 * with deal.II's GMRES to the relative accuracy 'forcing', forming each
 * product (I - G'(x)) v by a forward difference of G, i.e. one evaluation
 * of the staggered map per Krylov iteration. A backtracking line search
 * on |F|_2 (Armijo, halving) then chooses the step x + lambda d.
 *
 * Near the fixed point each step reduces |F| by about the forcing term
 * (inexact Newton). That needs G to be differentiable (the smooth phase
 * law, its band resolved by the mesh); under the sharp law G is only
 * continuous and the Newton direction a finite-difference approximation.
 *
 * The vector type is a distributed vector (the temperature) or a block
 * vector (the temperature and the control value of arclength
 * continuation).
 */
template <typename VectorType> class NewtonKrylov
{
public:
  /** G(x) into its second argument; may change the caller's state. */
  using Map = std::function<void(const VectorType &, VectorType &)>;

  NewtonKrylov(const double forcing, const unsigned int max_krylov);

  /** What one step did. */
  struct StepInfo
  {
    unsigned int krylov_iterations = 0;
    bool         krylov_converged  = false;
    double       step_length       = 0; ///< lambda of the accepted step
    unsigned int evaluations       = 0; ///< of G, line search included
  };

  /**
   * Given x and g = G(x), compute the next iterate into @p next and
   * G(next) into @p g_next; G's last evaluation is at @p next, so state
   * that G leaves behind belongs to the returned iterate.
   */
  StepInfo
  step(const Map        &G,
       const VectorType &x,
       const VectorType &g,
       VectorType       &next,
       VectorType       &g_next) const;

private:
  const double       forcing;
  const unsigned int max_krylov;
};
} // namespace imtsim

#endif
