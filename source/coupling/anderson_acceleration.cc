#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/vector.h>

#include <imtsim/coupling/anderson_acceleration.h>

namespace imtsim
{
AndersonAcceleration::AndersonAcceleration(const unsigned int depth)
    : depth(depth)
{
}

void
AndersonAcceleration::reset()
{
  delta_f.clear();
  delta_g.clear();
  has_last = false;
}

void
AndersonAcceleration::step(const VectorType &x,
                           const VectorType &g,
                           const double      beta,
                           VectorType       &next)
{
  VectorType f(g);
  f -= x;
  if (depth > 0 && has_last)
  {
    VectorType df(f), dg(g);
    df -= last_f;
    dg -= last_g;
    delta_f.push_back(df);
    delta_g.push_back(dg);
    if (delta_f.size() > depth)
    {
      delta_f.pop_front();
      delta_g.pop_front();
    }
  }
  if (depth > 0)
  {
    last_f   = f;
    last_g   = g;
    has_last = true;
  }

  const unsigned int m = delta_f.size();
  next                 = x;
  next.add(beta, f);
  if (m == 0)
    return;

  // Least squares min |f - dF gamma| by the (regularised) normal
  // equations; m is small, the dot products are global.
  FullMatrix<double> A(m, m);
  Vector<double>     b(m), gamma(m);
  for (unsigned int i = 0; i < m; ++i)
  {
    b(i) = delta_f[i] * f;
    for (unsigned int j = 0; j <= i; ++j)
      A(i, j) = A(j, i) = delta_f[i] * delta_f[j];
  }
  double trace = 0;
  for (unsigned int i = 0; i < m; ++i)
    trace += A(i, i);
  if (trace == 0)
    return;
  for (unsigned int i = 0; i < m; ++i)
    A(i, i) += 1e-12 * trace;
  A.gauss_jordan();
  A.vmult(gamma, b);

  // x_next = g - dG gamma - (1 - beta) (f - dF gamma)
  next = g;
  VectorType residual(f);
  for (unsigned int i = 0; i < m; ++i)
  {
    next.add(-gamma(i), delta_g[i]);
    residual.add(-gamma(i), delta_f[i]);
  }
  next.add(-(1. - beta), residual);
}
} // namespace imtsim
