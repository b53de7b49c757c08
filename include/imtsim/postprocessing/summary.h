#ifndef imtsim_postprocessing_summary_h
#define imtsim_postprocessing_summary_h

#include <deal.II/base/point.h>
#include <deal.II/dofs/dof_handler.h>

#include <imtsim/materials/phase_quadrature.h>
#include <imtsim/mesh/geometry.h>
#include <imtsim/thermal/thermal_problem.h>

#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>

#include <array>
#include <limits>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace imtsim
{
/**
 * The quantities of interest of one refinement cycle, in SI units: what
 * summary.json holds (see doc/output.md for each key).
 */
struct Summary
{
  unsigned int       cycle          = 0;
  unsigned long long n_active_cells = 0;
  unsigned long long n_dofs         = 0; ///< per field (psi and T each)
  double             current_A = 0, voltage_V = 0;
  double             temperature_mean_K = 0, temperature_top_mean_K = 0,
         temperature_max_K     = 0;
  double metal_volume_fraction = 0;
  /** The part of it in the half of the sample nearer the drain. */
  double metal_volume_fraction_drain_half = 0;
  double metal_extent_drain_m = 0, metal_extent_source_m = 0;
  double metal_thickness_mid_m = 0;
  /**
   * Where the top centre line is metal: "none", "drain" or "source" (a
   * metal run starting in that end's half), "drain+source" (two runs),
   * "channel" (one run from the drain half into the source half).
   */
  std::string metal_pattern = "none";
  double      joule_power_W = 0, peltier_power_W = 0, heat_out_W = 0,
         heat_out_direct_W = 0;
  /** Parts of heat_out_W lost by the contact-conductance and radiation
   *  laws [W]. */
  double heat_out_contact_W = 0, heat_out_radiation_W = 0;
  /** Heat leaving through each named boundary [W] (direct flux through the
   *  fixed-temperature ones). */
  std::map<std::string, double> heat_out_by_boundary_W;
  double                        energy_balance_relative_error        = 0;
  double                        energy_balance_direct_relative_error = 0;
  unsigned int                  picard_iterations                    = 0;
  unsigned int                  mesh_adaptations                     = 0;
  /** Retries of failed iterations ('Solver/Retry relaxations'). */
  unsigned int retries     = 0;
  bool         converged   = false;
  double       wall_time_s = 0;
  std::string  initial_condition;
  /** Sweeps only (sweep_step < 0 otherwise): the step's place on the curve. */
  struct SweepPoint
  {
    int         step     = -1;        ///< 0, 1, ... over the whole sweep
    int         polarity = 1;         ///< +1, or -1 for the negated values
    std::string direction;            ///< "up", "down" or "arclength"
    double      control          = 0; ///< I [A] or V_s [V] prescribed
    double      source_voltage_V = 0; ///< V + I R_L
    /**
     * "stable"/"unstable" where the continuation can tell (arclength:
     * from the folds passed since the first state), "unknown" otherwise.
     */
    std::string stability = "unknown";
    /**
     * Natural sweeps with 'Sweep/Jump by relaxation': the control value of
     * the last converged state before the branch ended, and the value at
     * which the state was found by relaxation in time instead (NaN: no
     * jump in this step); the relaxation's time, accepted steps and
     * max|T_relaxed - T_start| over the nodes (small: the same branch,
     * found where the steady iteration failed; large: a jump).
     */
    double       jump_from           = std::numeric_limits<double>::quiet_NaN();
    double       jump_at             = std::numeric_limits<double>::quiet_NaN();
    double       relaxation_time_s   = 0;
    unsigned int relaxation_steps    = 0;
    double       relaxation_change_K = 0;
    /**
     * A step whose relaxation settled but whose steady iteration from the
     * settled state stagnated within the relaxation's nonlinear allowance
     * ('Time/Accept stagnated steps'): the last update max|dT| [K] it was
     * accepted with (0: 'Solver/Picard tolerance' was met).
     */
    double stagnation_error_K = 0;
    /**
     * Steps whose relaxation reached 'Sweep/Maximum relaxation time'
     * unsettled (stability "oscillating" or "drifting"): the time mean,
     * minimum and maximum of V and I over the second half of that
     * relaxation (NaN otherwise).
     */
    double voltage_mean_V = std::numeric_limits<double>::quiet_NaN();
    double voltage_min_V  = std::numeric_limits<double>::quiet_NaN();
    double voltage_max_V  = std::numeric_limits<double>::quiet_NaN();
    double current_mean_A = std::numeric_limits<double>::quiet_NaN();
    double current_min_A  = std::numeric_limits<double>::quiet_NaN();
    double current_max_A  = std::numeric_limits<double>::quiet_NaN();

    /** A time-dependent step: no steady state within the relaxation. */
    bool
    time_dependent() const
    {
      return stability == "oscillating" || stability == "drifting";
    }

    /** Back to a step that is not time-dependent (a steady state). */
    void
    clear_time_dependent()
    {
      const SweepPoint fresh;
      stability      = fresh.stability;
      voltage_mean_V = voltage_min_V = voltage_max_V = fresh.voltage_mean_V;
      current_mean_A = current_min_A = current_max_A = fresh.current_mean_A;
    }

    template <class Archive>
    void
    serialize(Archive &ar, const unsigned int)
    {
      ar &step &polarity &direction &control &source_voltage_V &stability;
      ar &jump_from &jump_at &relaxation_time_s              &relaxation_steps;
      ar &relaxation_change_K &voltage_mean_V &voltage_min_V &voltage_max_V;
      ar &current_mean_A &current_min_A                      &current_max_A;
      ar &stagnation_error_K;
    }
  } sweep;
  /** Time-dependent runs only (step < 0 otherwise): the accepted step. */
  struct TimePoint
  {
    int    step        = -1; ///< 1, 2, ... (accepted steps)
    double time_s      = 0;  ///< t at the end of the step
    double time_step_s = 0;  ///< the step dt that reached it
    double control     = 0;  ///< I [A] or V_s [V] at t ('Time/Drive')
    /** (C dT/dt, 1) [W], dT/dt of the scheme: the heat stored per second. */
    double heat_stored_W = 0;
    /** max |dT/dt| over the nodes [K/s], by the scheme's difference. */
    double max_rate_K_per_s = 0;
    /** The local error estimate of the step [K] (NaN: none yet). */
    double       error_estimate_K = std::numeric_limits<double>::quiet_NaN();
    unsigned int rejected_steps   = 0; ///< attempts discarded before it
    /** The last update [K] of a step accepted at a stagnation ('Time/
     *  Accept stagnated steps'): its nonlinear error; 0 if converged. */
    double stagnation_error_K = 0;

    template <class Archive>
    void
    serialize(Archive &ar, const unsigned int)
    {
      ar &step &time_s &time_step_s &control &heat_stored_W &max_rate_K_per_s
          &error_estimate_K &rejected_steps &stagnation_error_K;
    }
  } time;
  /** 'Thermal/Model = two temperatures' only (enabled false otherwise). */
  struct TwoTemperatures
  {
    bool        enabled = false;
    std::string phase_temperature; ///< "lattice" or "electron"
    double      electron_max_K = 0, lattice_max_K = 0;
    double      electron_mean_K = 0, lattice_mean_K = 0;
    /** The extremes of T - T_l over the nodes [K]. */
    double difference_max_K = 0, difference_min_K = 0;
    /** (gamma_el (T - T_l), 1): heat passed to the lattice [W]. */
    double exchange_W = 0;
    /** No electron fixed-temperature boundary: then exchange_W equals
     *  P_J + P_P exactly (the electrons pass all their heat on). */
    bool electrons_adiabatic = true;

    template <class Archive>
    void
    serialize(Archive &ar, const unsigned int)
    {
      ar &enabled &phase_temperature &electron_max_K &lattice_max_K
          &electron_mean_K &lattice_mean_K &difference_max_K &difference_min_K
              &exchange_W &electrons_adiabatic;
    }
  } two_temperature;
  /** Benchmark-specific numbers (analytic values and errors). */
  std::map<std::string, double> verification;

  /** Write the object as JSON, indented by @p indent spaces. */
  void
  write_json(std::ostream &out, const unsigned int indent) const;

  /** For checkpoints (Boost.Serialization). */
  template <class Archive>
  void
  serialize(Archive &ar, const unsigned int)
  {
    ar &cycle &n_active_cells &n_dofs &current_A   &voltage_V;
    ar &temperature_mean_K &temperature_top_mean_K &temperature_max_K;
    ar &metal_volume_fraction &metal_volume_fraction_drain_half;
    ar &metal_extent_drain_m &metal_extent_source_m &metal_thickness_mid_m;
    ar                                              &metal_pattern;
    ar &joule_power_W &peltier_power_W &heat_out_W  &heat_out_direct_W;
    ar &heat_out_contact_W &heat_out_radiation_W    &heat_out_by_boundary_W;
    ar &energy_balance_relative_error &energy_balance_direct_relative_error;
    ar &picard_iterations &mesh_adaptations &retries &converged &wall_time_s;
    ar &initial_condition &sweep &time                          &verification;
    ar &two_temperature;
  }
};

/**
 * Evaluates the summary quantities from the converged fields: volume and
 * surface integrals through the phase quadrature, metal extents and
 * thickness from the temperature sampled on the centre lines.
 */
template <int dim> class SummaryEvaluator
{
public:
  SummaryEvaluator(const Parameters          &parameters,
                   const SampleGeometry<dim> &geometry);

  /** Fill the field-derived entries of @p summary. */
  void
  evaluate(const DoFHandler<dim> &dof_handler,
           PhaseQuadrature<dim>  &quadrature,
           const VectorType      &temperature,
           Summary               &summary) const;

  /** T sampled at @p points (on every rank). */
  std::vector<double>
  sample(const DoFHandler<dim>         &dof_handler,
         const VectorType              &temperature,
         const std::vector<Point<dim>> &points) const;

private:
  const Parameters          &parameters;
  const SampleGeometry<dim> &geometry;
};

/**
 * Write the refinement-cycle table to @p filename (rank 0 only): one row
 * of the main quantities per cycle, then, with two or more cycles, each
 * quantity's difference from the finest cycle with the observed rate in
 * the mesh size h ~ n_dofs^(-1/dim) (deal.II's ConvergenceTable).
 */
void
write_convergence_table(const std::string          &filename,
                        const std::vector<Summary> &cycles,
                        const unsigned int          dim);

/**
 * Write {"<list_key>": [...], "final": {...}} to @p filename (rank 0 only):
 * "cycles" for refinement cycles, "steps" for the steps of a sweep.
 */
void
write_summary_file(const std::string          &filename,
                   const std::vector<Summary> &cycles,
                   const std::string          &list_key = "cycles");

/**
 * Write the time table to @p filename (rank 0 only): a CSV with a header
 * line and one row per accepted time step (doc/transient.md lists the
 * columns).
 */
void
write_time_table(const std::string          &filename,
                 const std::vector<Summary> &steps);

/**
 * Write the sweep table to @p filename (rank 0 only): a CSV with a header
 * line and one row per step (doc/output.md lists the columns).
 */
void
write_sweep_table(const std::string          &filename,
                  const std::vector<Summary> &steps);

/**
 * A sweep step with no steady state, from its relaxation's accepted steps
 * (t [s], I [A], V [V]) in @p samples (t increasing): over the second
 * half of the time [t_end/2, t_end], the time means (trapezoidal rule)
 * and the extremes of V and I into @p point, and its stability:
 * "oscillating" if the response (V under current control, I under
 * voltage control; a: its range there) passes from above mean + a/4 to
 * below mean - a/4, or back, at least twice (out on one side, across to
 * the other and back: a period), else "drifting" (a monotone approach).
 * Returns the number of those swings.
 */
unsigned int
time_dependent_statistics(const std::vector<std::array<double, 3>> &samples,
                          const bool           current_control,
                          Summary::SweepPoint &point);
} // namespace imtsim

#endif
