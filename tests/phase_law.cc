// Unit test of the material law: the identities the weak form relies on.
// - H(T) = T S(T) - G(T) with dH/dT = T dS/dT (checked by finite
//   differences for the smooth law), G' = S;
// - sharp law: H = 0 in the insulator, -T_MIT (S_I - S_M) in the metal;
// - smooth law: the same limits outside the transition, log(sigma) linear in
//   the metal fraction, sigma continuous at the step's ends.
#include <imtsim/materials/phase_law.h>

#include <cmath>
#include <cstdlib>
#include <iostream>

using namespace imtsim;

int failures = 0;

void
expect(const char *what, const bool ok)
{
  std::cout << what << ": " << (ok ? "ok" : "FAILED") << std::endl;
  if (!ok)
    ++failures;
}

bool
close(const double a, const double b, const double tol)
{
  return std::abs(a - b) <=
         tol * std::max(1., std::max(std::abs(a), std::abs(b)));
}

int
main()
{
  MaterialParameters p;
  p.resistivity_insulator  = 0.1;
  p.resistivity_metal      = 0.01;
  p.seebeck_insulator      = 1e-3;
  p.seebeck_metal          = 2e-4;
  p.kappa_insulator        = 0.1;
  p.kappa_metal            = 0.3;
  p.transition_temperature = 360;
  p.transition_width       = 4;

  p.phase_law = PhaseLawType::sharp;
  const PhaseLaw sharp(p);
  const double   dS = p.seebeck_insulator - p.seebeck_metal;
  expect("sharp: H = 0 in the insulator",
         sharp.peltier_potential(350, Region::from_temperature) == 0);
  expect(
      "sharp: H = -T_MIT dS in the metal",
      close(sharp.peltier_potential(370, Region::from_temperature),
            -360 * dS,
            1e-14) &&
          close(sharp.peltier_potential(0, Region::metal), -360 * dS, 1e-14));
  expect("sharp: sigma of each phase",
         close(sharp.sigma(300, Region::from_temperature), 10, 1e-14) &&
             close(sharp.sigma(400, Region::from_temperature), 100, 1e-14));
  expect("sharp: phase and fraction",
         sharp.phase(360.5) == Phase::metal &&
             sharp.phase(359.5) == Phase::insulator &&
             sharp.metal_fraction(361) == 1 && sharp.metal_fraction(359) == 0);

  p.phase_law = PhaseLawType::smooth;
  const PhaseLaw smooth(p);
  const Region   r        = Region::from_temperature;
  bool           identity = true, g_prime = true;
  for (double T = 350; T <= 370; T += 0.37)
  {
    const double e  = 1e-4;
    const double dH = (smooth.peltier_potential(T + e, r) -
                       smooth.peltier_potential(T - e, r)) /
                      (2 * e);
    const double dSd =
        (smooth.seebeck(T + e, r) - smooth.seebeck(T - e, r)) / (2 * e);
    identity        = identity && std::abs(dH - T * dSd) < 1e-8;
    const double dG = (smooth.seebeck_integral(T + e, r) -
                       smooth.seebeck_integral(T - e, r)) /
                      (2 * e);
    g_prime = g_prime && std::abs(dG - smooth.seebeck(T, r)) < 1e-10;
    // H = T S - G up to a constant (the one that makes H vanish in the
    // insulator): the difference must not depend on T.
    const auto offset = [&](const double t)
    {
      return smooth.peltier_potential(t, r) -
             (t * smooth.seebeck(t, r) - smooth.seebeck_integral(t, r));
    };
    identity = identity && std::abs(offset(T) - offset(350)) < 1e-12;
  }
  expect("smooth: dH/dT = T dS/dT and H = T S - G + const", identity);
  expect("smooth: dG/dT = S", g_prime);
  expect("smooth: limits equal the sharp law's outside the step",
         smooth.peltier_potential(357.9, r) == 0 &&
             close(smooth.peltier_potential(362.1, r), -360 * dS, 1e-12) &&
             close(smooth.sigma(362.1, r), 100, 1e-12) &&
             close(smooth.sigma(357.9, r), 10, 1e-12));
  expect("smooth: log sigma at the midpoint is the mean of the logs",
         close(smooth.sigma(360, r), std::sqrt(10. * 100.), 1e-12));
  expect("smooth: kappa interpolated with the metal fraction",
         close(smooth.kappa(360, r), 0.2, 1e-12));
  return failures == 0 ? 0 : 1;
}
