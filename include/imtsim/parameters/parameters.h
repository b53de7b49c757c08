#ifndef imtsim_parameters_parameters_h
#define imtsim_parameters_parameters_h

#include <deal.II/base/parameter_handler.h>

#include <array>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace imtsim
{
using namespace dealii;

/**
 * An error in the user's input. It names the parameter entry (as
 * "Subsection/Entry") so that the message tells the user what to change.
 */
class InputError : public std::runtime_error
{
public:
  InputError(const std::string &entry, const std::string &message)
      : std::runtime_error("Input error in entry '" + entry + "': " + message)
  {
  }
};

/** How current enters and leaves the sample. */
enum class ElectrodeType
{
  /** The whole end faces x = 0 (drain) and x = L (source). */
  end_faces,
  /** Rectangular patches on the top face z = h. */
  top_patches
};

/** A rectangular electrode patch on the top face, in metres. */
struct ElectrodePatch
{
  double x_min, x_max; ///< extent along the length [m]
  double y_min, y_max; ///< extent along the width (3D only) [m]
};

/** Subsection "Geometry". */
struct GeometryParameters
{
  double         length;    ///< L, along x [m]
  double         width;     ///< W, along y; out-of-plane width in 2D [m]
  double         thickness; ///< h, along z (y in 2D) [m]
  ElectrodeType  electrode_type;
  ElectrodePatch drain;           ///< negative electrode (psi = 0)
  ElectrodePatch source;          ///< positive electrode, where I > 0 enters
  bool           swap_electrodes; ///< reverse the polarity by swapping

  static void
  declare_parameters(ParameterHandler &prm);
  void
  parse_parameters(ParameterHandler &prm);
};

/** How the mesh is refined from one refinement cycle to the next. */
enum class CycleRefinementType
{
  global, ///< every cell once
  kelly   ///< the cells with the largest Kelly indicators of T and psi
};

/** Subsection "Mesh". */
struct MeshParameters
{
  unsigned int        cells_across_thickness; ///< coarse cells along h
  unsigned int        initial_global_refinement;
  unsigned int        electrode_refinement; ///< extra levels at the electrodes
  unsigned int        number_of_cycles;     ///< refinement cycles
  CycleRefinementType cycle_refinement;
  double              kelly_fraction; ///< of the cells, refined per cycle
  /** Levels added to the cells at the interface; 0: no adaptation. */
  unsigned int interface_refinement;
  unsigned int interface_band;       ///< layers of neighbours refined with them
  double       adaptation_tolerance; ///< max|dT|/T0 at which to adapt
  unsigned int adaptation_interval;  ///< also adapt every k steps (0: no)
  unsigned int max_adaptations;      ///< per continuation stage
  /** Relax in time on every newly adapted mesh (steady runs). */
  bool relax_after_adaptation = false;
  /** Gmsh .msh file (resolved against the prm's directory); "" = box. */
  std::string mesh_file;
  /** Physical tags of the mesh file's boundary groups. */
  std::vector<unsigned int> drain_tags, source_tags, substrate_tags, top_tags;

  static void
  declare_parameters(ParameterHandler &prm);
  void
  parse_parameters(ParameterHandler &prm);
};

/** How the phase depends on temperature. */
enum class PhaseLawType
{
  /** Metal above T_MIT, insulator below; integrated exactly on cut cells. */
  sharp,
  /** Smooth step of width w_T; log(sigma) interpolated. */
  smooth
};

/** Subsection "Material". */
struct MaterialParameters
{
  double resistivity_insulator; ///< rho_I [Ohm m]
  double resistivity_metal;     ///< rho_M [Ohm m]
  double seebeck_insulator;     ///< S_I [V/K]
  double seebeck_metal;         ///< S_M [V/K]
  double kappa_insulator;       ///< [W/(m K)]
  double kappa_metal;           ///< [W/(m K)]
  /** Two temperatures: the lattice parts kappa_l [W/(m K)]; the values
   *  above are then the totals kappa_e + kappa_l. */
  double       kappa_lattice_insulator = 0, kappa_lattice_metal = 0;
  double       transition_temperature; ///< T_MIT [K]
  PhaseLawType phase_law;
  double       transition_width; ///< w_T [K], smooth law only
  /** T_up - T_down >= 0 [K]: T_up = T_MIT (insulator to metal on heating),
   *  T_down = T_MIT - width (metal to insulator on cooling). */
  double hysteresis_width = 0;
  /** Volumetric heat capacities C [J/(m^3 K)] (time-dependent runs). */
  double heat_capacity_insulator = 0, heat_capacity_metal = 0;

  static void
  declare_parameters(ParameterHandler &prm);
  void
  parse_parameters(ParameterHandler &prm);
};

/** Drive: by current or by voltage. */
enum class ControlType
{
  current,
  voltage
};

/** Subsection "Electric". */
struct ElectricParameters
{
  ControlType  control;
  double       current;         ///< I [A], total (in 2D: through the width W)
  double       voltage;         ///< source voltage V_s = V + I R_L [V]
  double       load_resistance; ///< R_L in series with the sample [Ohm]
  unsigned int ramp_steps;      ///< continuation in the drive (1: none)

  static void
  declare_parameters(ParameterHandler &prm);
  void
  parse_parameters(ParameterHandler &prm);
};

/** Subsection "Thermal". */
struct ThermalParameters
{
  double                   substrate_temperature; ///< T0 [K]
  std::vector<std::string> fixed_temperature_boundaries;
  /** kappa_C [W/(m^2 K)] per boundary name: -kappa dT/dn = kappa_C (T -
   *  T_env). */
  std::map<std::string, double> contact_conductance;
  /** Emissivity per boundary name: -kappa dT/dn = eps sigma_SB (T^4 -
   *  T_env^4). */
  std::map<std::string, double> emissivity;
  double                        environment_temperature; ///< T_env [K]
  bool                          joule_heating;
  bool                          peltier_heating;
  /** The electrode term -<H j.n, v> with the consistent nodal current
   *  (sigma grad psi, grad v_i) instead of the face integral of
   *  -sigma grad psi . n ('Electrode Peltier flux'). */
  bool        consistent_electrode_flux = false;
  std::string initial_temperature; ///< expression in x,y,z [K]
  /** 'Model = two temperatures': electron T and lattice T_l. */
  bool   two_temperature = false;
  double coupling        = 0; ///< gamma_el [W/(m^3 K)]
  /** The phase follows T_l (else the electron T). */
  bool phase_from_lattice = true;
  /** Two temperatures: where the electron T is held at T0. */
  std::vector<std::string> electron_fixed_temperature_boundaries;

  static void
  declare_parameters(ParameterHandler &prm);
  void
  parse_parameters(ParameterHandler &prm);
};

/** How the staggered iteration is accelerated. */
enum class AccelerationType
{
  none,     ///< fixed under-relaxation
  aitken,   ///< Aitken's dynamic relaxation (Irons-Tuck)
  anderson, ///< Anderson mixing of the last iterates
  newton    ///< Jacobian-free Newton-Krylov on G(T) - T
};

/** Subsection "Solver". */
struct SolverParameters
{
  AccelerationType acceleration;
  unsigned int     polynomial_degree;
  unsigned int     max_picard_iterations;
  double           picard_tolerance; ///< on max|T_k+1 - T_k| / T0
  double           relaxation;       ///< initial under-relaxation factor
  unsigned int     anderson_depth;   ///< 0 switches Anderson acceleration off
  double           newton_forcing;   ///< relative accuracy of the GMRES solve
  double           newton_start;     ///< max|dT|/T0 below which Newton starts
  unsigned int     max_krylov_iterations; ///< per Newton step
  double           linear_tolerance; ///< relative residual of Krylov solvers
  /** Transition widths [K] solved before the material's law (cycle 0). */
  std::vector<double> width_continuation;
  double continuation_tolerance; ///< Picard tolerance of intermediate stages
  /** Relaxation factors of the retries of a failed iteration. */
  std::vector<double> retry_relaxations;
  /** Steps with phase cells flipping back and forth before the
   *  iteration is declared oscillating; 0: never. */
  unsigned int oscillation_steps;
  /** Newton steps in a row without a new smallest update before the
   *  iteration is stopped as stagnating; 0: never. */
  unsigned int stagnation_steps;
  /** Solve the Peltier-only sharp-law steady state as a free-boundary
   *  problem (doc/peltier_only.md): an active set of nodes held at T_MIT. */
  bool free_boundary = false;
  /** Largest violation a kept set may leave, relative to T_MIT - T0. */
  double free_boundary_tolerance = 0.1;
  /** The free boundary as a level set with a sub-cell position (true) or
   *  midway between metal and insulating nodes (false). */
  bool free_boundary_level_set = false;
  /** Relaxation of the level set's update, in (0, 1]. */
  double free_boundary_relaxation = 0.5;
  /** 'Free boundary method = newton' (doc/free_boundary_newton.md). */
  bool free_boundary_newton = false;
  /** Its first pseudo time step [-] (units of the conduction diagonal). */
  double free_boundary_pseudo_time_step = 1e3;

  static void
  declare_parameters(ParameterHandler &prm);
  void
  parse_parameters(ParameterHandler &prm);
};

/** How a sweep passes from one control value to the next. */
enum class SweepMethod
{
  natural,  ///< set the next value, solve from the previous state
  arclength ///< pseudo-arclength continuation in the control value
};

/** Subsection "Sweep": I-V curves. */
struct SweepParameters
{
  /** The control values in order [A or V]; empty: no sweep. */
  std::vector<double> values;
  bool                return_sweep;    ///< then back to the first value
  bool                both_polarities; ///< also the negated values
  SweepMethod         method;
  unsigned int        max_halvings;   ///< natural: step halvings on failure
  double              arclength_step; ///< initial ds (scaled norm) [-]
  double              min_arclength_step, max_arclength_step;
  unsigned int        max_arclength_steps;
  unsigned int        max_corrector_steps; ///< Newton steps per arclength step
  double              stop_current; ///< arclength ends above this |I| [A]
  /** Natural sweeps: find the state after a fold by relaxation in time. */
  bool   jump_by_relaxation;
  double relaxation_rate;     ///< relaxed once max|dT/dt| is below [K/s]
  double max_relaxation_time; ///< [s]
  /** Record an unsettled relaxation as a time-dependent step, go on. */
  bool continue_time_dependent;

  bool
  enabled() const
  {
    return !values.empty();
  }

  static void
  declare_parameters(ParameterHandler &prm);
  void
  parse_parameters(ParameterHandler &prm);
};

/** Implicit time integrators of the time-dependent mode. */
enum class TimeScheme
{
  bdf2,          ///< second order, variable step; the first step is Euler
  implicit_euler ///< first order
};

/** Subsection "Time": steady or time-dependent runs. */
struct TimeParameters
{
  bool       transient       = false; ///< 'Mode = transient'
  double     end_time        = 0;     ///< [s]
  double     time_step       = 0;     ///< first (or fixed) step [s]
  TimeScheme scheme          = TimeScheme::bdf2;
  bool       adaptive        = false;
  double     error_tolerance = 0; ///< local error per step, max norm [K]
  double     min_time_step = 0, max_time_step = 0; ///< [s]
  /** I [A] or V_s [V] as a function of t (muParser); "": constant. */
  std::string  drive;
  unsigned int adaptation_interval = 0; ///< adapt the mesh every N steps
  unsigned int output_interval     = 1; ///< fields every N steps
  double       steady_rate         = 0; ///< stop below max|dT/dt| [K/s]
  /** Adaptive steps: the staggered iteration's tolerance in a step as a
   *  fraction of error_tolerance; 0: 'Solver/Picard tolerance'. */
  double nonlinear_tolerance_factor = 0;
  /** Adaptive steps: accept a step whose Newton iteration stagnates within
   *  the nonlinear allowance (Simulator::attempt_time_step()). */
  bool accept_stagnated_steps = true;

  static void
  declare_parameters(ParameterHandler &prm);
  void
  parse_parameters(ParameterHandler &prm);
};

/** Subsection "Output". */
struct OutputParameters
{
  std::string  directory;
  bool         write_fields;
  unsigned int centre_line_samples;

  static void
  declare_parameters(ParameterHandler &prm);
  void
  parse_parameters(ParameterHandler &prm);
};

/** Subsection "Checkpoint": runs that survive being stopped. */
struct CheckpointParameters
{
  /** A checkpoint every N cycles, sweep steps or time steps (and at the
   *  end); 0: only when the run is stopped by SIGTERM or SIGINT. */
  unsigned int interval = 0;
  bool         restart  = false; ///< resume from restart_directory
  /** The checkpoint to resume from; "": <Output/Directory>/checkpoint. */
  std::string restart_directory;

  static void
  declare_parameters(ParameterHandler &prm);
  void
  parse_parameters(ParameterHandler &prm);
};

/** Analytic benchmarks a run can be compared against. */
enum class BenchmarkType
{
  none,
  insulating_slab,
  parallel_slab,
  wire ///< Joule heating with heat loss, (A-19)-(A-22)
};

/** Subsection "Verification". */
struct VerificationParameters
{
  BenchmarkType benchmark;

  static void
  declare_parameters(ParameterHandler &prm);
  void
  parse_parameters(ParameterHandler &prm);
};

/**
 * All run parameters. The top-level entry "Dimension" selects 2D or 3D.
 */
struct Parameters
{
  unsigned int           dimension;
  GeometryParameters     geometry;
  MeshParameters         mesh;
  MaterialParameters     material;
  ElectricParameters     electric;
  ThermalParameters      thermal;
  SolverParameters       solver;
  SweepParameters        sweep;
  TimeParameters         time;
  OutputParameters       output;
  CheckpointParameters   checkpoint;
  VerificationParameters verification;

  static void
  declare_parameters(ParameterHandler &prm);
  void
  parse_parameters(ParameterHandler &prm);

  /**
   * Cross-parameter checks that patterns cannot express (positive
   * conductivities, electrodes inside the top face and apart, ...). Throws
   * InputError naming the offending entry.
   */
  void
  check() const;

  /** The checkpoint a restart reads ('Checkpoint/Restart directory'). */
  std::string
  checkpoint_directory() const;

private:
  void
  check_sweep() const;
  void
  check_hysteresis() const;
  void
  check_thermal_boundaries() const;
  void
  check_time() const;
  /** The step control of subsection Time and the heat capacities. */
  void
  check_time_stepping() const;

  /** The checks of a relaxation in time requested by @p entry. */
  void
  check_relaxation(const std::string &entry) const;
  void
  check_two_temperature() const;
  void
  check_free_boundary() const;
};

/**
 * Read a parameter file (with optional "Subsection/Entry=value" overrides
 * applied after it) into @p prm and @p parameters. Unknown entries and
 * malformed values throw with the line and entry named.
 */
void
read_parameters(const std::string              &filename,
                const std::vector<std::string> &overrides,
                ParameterHandler               &prm,
                Parameters                     &parameters);
} // namespace imtsim

#endif
