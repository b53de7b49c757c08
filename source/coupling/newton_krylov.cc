#include <deal.II/lac/precondition.h>
#include <deal.II/lac/solver_control.h>
#include <deal.II/lac/solver_gmres.h>

#include <imtsim/coupling/newton_krylov.h>

#include <algorithm>

namespace imtsim
{
namespace
{

/**
 * v -> (I - G'(x)) v by the forward difference
 * v - (G(x + eps v) - G(x)) / eps. The step perturbs x by 1e-7 of its
 * largest entry: far above the round-off of the inner solves (relative
 * residual 1e-12), far below any physical temperature scale.
 */
template <typename VectorType> class FixedPointJacobian
{
public:
  using Map = typename NewtonKrylov<VectorType>::Map;

  FixedPointJacobian(const Map        &G,
                     const VectorType &x,
                     const VectorType &g,
                     unsigned int     &evaluations)
      : G(G), x(x), g(g), scale(1e-7 * std::max(1., x.linfty_norm())),
        evaluations(evaluations)
  {
  }

  void
  vmult(VectorType &dst, const VectorType &v) const
  {
    const double norm = v.linfty_norm();
    if (norm == 0)
    {
      dst = 0;
      return;
    }
    const double eps = scale / norm;
    VectorType   shifted(x);
    shifted.add(eps, v);
    G(shifted, dst);
    ++evaluations;
    dst -= g;
    dst *= -1. / eps;
    dst += v;
  }

private:
  const Map        &G;
  const VectorType &x, &g;
  const double      scale;
  unsigned int     &evaluations;
};
} // namespace

template <typename VectorType>
NewtonKrylov<VectorType>::NewtonKrylov(const double       forcing,
                                       const unsigned int max_krylov)
    : forcing(forcing), max_krylov(max_krylov)
{
}

template <typename VectorType>
typename NewtonKrylov<VectorType>::StepInfo
NewtonKrylov<VectorType>::step(const Map        &G,
                               const VectorType &x,
                               const VectorType &g,
                               VectorType       &next,
                               VectorType       &g_next) const
{
  StepInfo   info;
  VectorType f(g);
  f -= x;
  const double f_norm = f.l2_norm();

  VectorType d(f);
  d = 0; // GMRES from zero: its first iterate is a multiple of F
  {
    FixedPointJacobian<VectorType> jacobian(G, x, g, info.evaluations);
    SolverControl           control(max_krylov, forcing * f_norm, false, false);
    SolverGMRES<VectorType> gmres(
        control,
        typename SolverGMRES<VectorType>::AdditionalData(max_krylov + 2));
    try
    {
      gmres.solve(jacobian, d, f, PreconditionIdentity());
      info.krylov_converged = true;
    }
    catch (const SolverControl::NoConvergence &)
    {
      // GMRES returns its best iterate so far: still a descent direction
      // for |F|^2 whenever it reduced the linear residual.
    }
    info.krylov_iterations = control.last_step();
  }

  // Backtracking: accept the first lambda = 1, 1/2, ... that reduces |F|
  // by the Armijo fraction; the smallest one is taken regardless, so the
  // outer iteration (and its limit) stays in charge of failure.
  const double min_step = 1. / 64;
  for (double lambda = 1.;; lambda /= 2)
  {
    next = x;
    next.add(lambda, d);
    G(next, g_next);
    ++info.evaluations;
    info.step_length = lambda;
    VectorType f_next(g_next);
    f_next -= next;
    if (f_next.l2_norm() <= (1 - 1e-4 * lambda) * f_norm || lambda <= min_step)
      break;
  }
  return info;
}

template class NewtonKrylov<TrilinosWrappers::MPI::Vector>;
template class NewtonKrylov<TrilinosWrappers::MPI::BlockVector>;
} // namespace imtsim
