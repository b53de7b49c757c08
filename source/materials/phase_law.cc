#include <imtsim/materials/phase_law.h>

#include <algorithm>
#include <cmath>

namespace imtsim
{
PhaseLaw::PhaseLaw(const MaterialParameters &p)
    : sigma_I(1. / p.resistivity_insulator), sigma_M(1. / p.resistivity_metal),
      S_I(p.seebeck_insulator), S_M(p.seebeck_metal),
      kappa_I(p.kappa_insulator), kappa_M(p.kappa_metal),
      kappa_l_I(p.kappa_lattice_insulator), kappa_l_M(p.kappa_lattice_metal),
      C_I(p.heat_capacity_insulator), C_M(p.heat_capacity_metal),
      T_mit(p.transition_temperature), hysteresis(p.hysteresis_width),
      width(p.transition_width), sharp(p.phase_law == PhaseLawType::sharp)
{
}

void
PhaseLaw::set_transition_width(const double w)
{
  sharp = (w == 0);
  if (!sharp)
    width = w;
}

double
PhaseLaw::metal_fraction(const double T) const
{
  if (sharp)
    return T > T_mit ? 1. : 0.;
  const double u = std::clamp((T - T_mit) / width + 0.5, 0., 1.);
  return u * u * (3. - 2. * u);
}

double
PhaseLaw::metal_fraction_derivative(const double T) const
{
  if (sharp)
    return 0;
  const double u = (T - T_mit) / width + 0.5;
  if (u <= 0 || u >= 1)
    return 0;
  return 6. * u * (1. - u) / width;
}

double
PhaseLaw::integrated_fraction(const double T) const
{
  if (sharp)
    return std::max(T - T_mit, 0.);
  // int_0^u (3v^2 - 2v^3) dv = u^3 - u^4/2, times dT/du = width
  const double u = (T - T_mit) / width + 0.5;
  if (u <= 0)
    return 0;
  if (u >= 1)
    return 0.5 * width + (T - (T_mit + 0.5 * width));
  return width * (u * u * u - 0.5 * u * u * u * u);
}

double
PhaseLaw::metal_weight(const double T, const Region region) const
{
  switch (region)
  {
  case Region::metal:
    return 1;
  case Region::insulator:
    return 0;
  default:
    return metal_fraction(T);
  }
}

double
PhaseLaw::sigma(const double T, const Region region) const
{
  const double s = metal_weight(T, region);
  if (s == 0)
    return sigma_I;
  if (s == 1)
    return sigma_M;
  return std::exp((1 - s) * std::log(sigma_I) + s * std::log(sigma_M));
}

double
PhaseLaw::seebeck(const double T, const Region region) const
{
  const double s = metal_weight(T, region);
  return S_I + s * (S_M - S_I);
}

double
PhaseLaw::kappa(const double T, const Region region) const
{
  const double s = metal_weight(T, region);
  return kappa_I + s * (kappa_M - kappa_I);
}

double
PhaseLaw::kappa_lattice(const double T, const Region region) const
{
  const double s = metal_weight(T, region);
  return kappa_l_I + s * (kappa_l_M - kappa_l_I);
}

double
PhaseLaw::heat_capacity(const double T, const Region region) const
{
  const double s = metal_weight(T, region);
  return C_I + s * (C_M - C_I);
}

double
PhaseLaw::seebeck_integral(const double T, const Region region) const
{
  // G(T) = int_{T_MIT}^T S = S_I (T - T_MIT) + (S_M - S_I) (F(T) - F(T_MIT))
  // with F the integrated metal fraction. In a region of known phase the
  // phase's own Seebeck coefficient is used (the sharp law).
  switch (region)
  {
  case Region::metal:
    return S_M * (T - T_mit);
  case Region::insulator:
    return S_I * (T - T_mit);
  default:
    return S_I * (T - T_mit) +
           (S_M - S_I) * (integrated_fraction(T) - integrated_fraction(T_mit));
  }
}

double
PhaseLaw::peltier_potential(const double T, const Region region) const
{
  switch (region)
  {
  case Region::metal:
    return -T_mit * (S_I - S_M);
  case Region::insulator:
    return 0;
  default:
    // H = T S(T) - S_I T - (S_M - S_I) F(T): zero below the step and
    // -T_MIT (S_I - S_M) above it.
    return T * seebeck(T, region) - S_I * T -
           (S_M - S_I) * integrated_fraction(T);
  }
}
} // namespace imtsim
