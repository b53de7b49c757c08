#ifndef imtsim_materials_phase_law_h
#define imtsim_materials_phase_law_h

#include <imtsim/parameters/parameters.h>

namespace imtsim
{
/** The two phases of a first-order insulator-metal transition. */
enum class Phase
{
  insulator,
  metal
};

/**
 * Where a material property is evaluated. Under the sharp law the cells cut
 * by the interface T = T_MIT are split into their metal and insulator parts
 * and integrated over each part separately: there the phase is known
 * (Region::metal, Region::insulator) and the value does not depend on the
 * local T. Under the smooth law every point is Region::from_temperature.
 */
enum class Region
{
  insulator,
  metal,
  from_temperature
};

/**
 * The material law of MODEL.md section 2: electrical conductivity sigma,
 * Seebeck coefficient S, thermal conductivity kappa, and the Peltier flux
 * potential H(T) = T S(T) - G(T), G(T) = int S dT, as functions of the
 * temperature. H is normalised to vanish in the insulator, so that under
 * the sharp law H = -T_MIT (S_I - S_M) in the metal.
 *
 * The smooth law blends the two phases with the C1 step
 * s(u) = 3u^2 - 2u^3, u = (T - T_MIT + w/2)/w clipped to [0, 1]:
 * log(sigma), S and kappa are interpolated with s. H is then integrated in
 * closed form, so the divergence of H j reproduces T j . grad S exactly.
 */
class PhaseLaw
{
public:
  explicit PhaseLaw(const MaterialParameters &parameters);

  /** Metal fraction s(T) in [0, 1]; a step at T_MIT for the sharp law. */
  double
  metal_fraction(const double T) const;

  /** d s / dT [1/K]; zero for the sharp law (a delta at T_MIT). */
  double
  metal_fraction_derivative(const double T) const;

  /** Electrical conductivity [S/m]. */
  double
  sigma(const double T, const Region region) const;

  /** Seebeck coefficient [V/K]. */
  double
  seebeck(const double T, const Region region) const;

  /** Thermal conductivity [W/(m K)]. */
  double
  kappa(const double T, const Region region) const;

  /**
   * Lattice thermal conductivity kappa_l [W/(m K)] of the two-temperature
   * model; kappa() is then the total, kappa - kappa_l the electrons' part.
   */
  double
  kappa_lattice(const double T, const Region region) const;

  /** Volumetric heat capacity C [J/(m^3 K)] (time-dependent runs). */
  double
  heat_capacity(const double T, const Region region) const;

  /** Peltier flux potential H(T) [V], zero in the insulator. */
  double
  peltier_potential(const double T, const Region region) const;

  /** G(T) = int_{T_MIT}^T S dT' [V]: Phi = psi - G(T). */
  double
  seebeck_integral(const double T, const Region region) const;

  /** The phase a point at temperature T is in (metal iff T > T_MIT). */
  Phase
  phase(const double T) const
  {
    return T > T_mit ? Phase::metal : Phase::insulator;
  }

  double
  transition_temperature() const
  {
    return T_mit;
  }

  /**
   * T_up - T_down [K] (0: no hysteresis). The transition temperature of a
   * point is then T_up = transition_temperature() where its phase memory
   * is insulating and T_down where it is metal (PhaseQuadrature).
   */
  double
  hysteresis_width() const
  {
    return hysteresis;
  }

  /** S_I - S_M [V/K]. */
  double
  delta_seebeck() const
  {
    return S_I - S_M;
  }

  bool
  is_sharp() const
  {
    return sharp;
  }

  /** w_T [K] of the smooth law; 0 for the sharp law. */
  double
  transition_width() const
  {
    return sharp ? 0. : width;
  }

  /**
   * Switch the law, for continuation in the transition width: @p w > 0
   * the smooth law of width @p w [K], @p w = 0 the sharp law.
   */
  void
  set_transition_width(const double w);

  /** Metal weight (0 insulator, 1 metal) of a point of @p region at T. */
  double
  metal_weight(const double T, const Region region) const;

private:
  /** int_{-inf}^T s(T') dT' [K]. */
  double
  integrated_fraction(const double T) const;

  const double sigma_I, sigma_M, S_I, S_M, kappa_I, kappa_M, kappa_l_I,
      kappa_l_M, C_I, C_M, T_mit, hysteresis;
  double width;
  bool   sharp;
};
} // namespace imtsim

#endif
