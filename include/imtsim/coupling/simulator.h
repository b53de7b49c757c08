#ifndef imtsim_coupling_simulator_h
#define imtsim_coupling_simulator_h

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/function_parser.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/timer.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/lac/affine_constraints.h>

#include <imtsim/coupling/checkpoint.h>
#include <imtsim/coupling/convergence_error.h>
#include <imtsim/coupling/free_boundary_jacobian.h>
#include <imtsim/electric/electric_problem.h>
#include <imtsim/materials/phase_quadrature.h>
#include <imtsim/mesh/geometry.h>
#include <imtsim/mesh/mesh_adaptation.h>
#include <imtsim/postprocessing/field_output.h>
#include <imtsim/postprocessing/summary.h>
#include <imtsim/thermal/thermal_problem.h>

#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <utility>
#include <vector>

namespace imtsim
{
/**
 * The coupled electro-thermal steady state: mesh, degrees of freedom, the
 * staggered (Picard, Anderson-accelerated) iteration between the electric
 * and the thermal problem, refinement cycles, and the output of each
 * cycle. The physics is in ElectricProblem and ThermalProblem; the phases
 * enter both through one PhaseQuadrature.
 */
template <int dim> class Simulator
{
public:
  /**
   * @p log receives the progress report (rank 0 only); @p prm is echoed
   * into the output directory.
   */
  Simulator(const Parameters       &parameters,
            const ParameterHandler &prm,
            std::ostream           &log);

  /**
   * Run all cycles. Returns their summaries; throws ConvergenceError
   * (after writing the last state) if a cycle did not converge.
   */
  std::vector<Summary>
  run();

private:
  void
  setup_dofs();
  void
  set_initial_temperature();
  /** Refine the mesh for the next cycle and transfer the temperature. */
  void
  refine_and_transfer();
  /**
   * Adapt the mesh to the interface of temperature_new and transfer it
   * into temperature. Returns false if the mesh did not change (nothing
   * flagged, or p4est's 2:1 balance undid the flagged changes); only real
   * changes count in the summary's mesh_adaptations.
   */
  bool
  adapt_to_interface();
  /**
   * Execute the flagged refinement and coarsening, transfer @p field (the
   * base levels travel along) and set up the new DoFs; the transferred
   * field, with its boundary values, becomes the temperature. @p field is
   * read while the mesh changes, before the vectors are set up anew, so it
   * may be one of them (temperature, temperature_new). The time levels of
   * a time-dependent run and the phase memory travel along.
   */
  void
  execute_and_transfer(const VectorType &field);
  /** One step of a continuation: drive and transition width. */
  struct Stage
  {
    double drive; ///< I [A] or V_s [V], by the control
    double width; ///< w_T [K] of the smooth law; 0: sharp law
  };

  /**
   * The stages of @p cycle: in cycle 0 the drive ramp ('Electric/Ramp
   * steps') with the first width of 'Solver/Width continuation', then the
   * other widths, then the material's law; later cycles have one stage.
   */
  std::vector<Stage>
  continuation_stages(const unsigned int cycle, const double target) const;

  /** 'Electric/Current' or 'Electric/Voltage', by the control. */
  double
  target_drive() const;

  /**
   * Solve the stages in order from @p first_stage, each from the state the
   * one before left (the first from temperature); true if all converged.
   * Only the last stage is converged to 'Solver/Picard tolerance'.
   * @p iterations_before (of an interrupted run) count in the summary.
   */
  bool
  solve_stages(const std::vector<Stage> &stages,
               Summary                  &summary,
               const unsigned int        first_stage       = 0,
               const unsigned int        iterations_before = 0);

  /** The steady refinement cycles (from @p resume's place, if given). */
  std::vector<Summary>
  run_cycles(const RunState *resume);

  /**
   * The run's state for a checkpoint of @p mode: counters, phase memory
   * flag, output series; the caller sets where it resumes.
   */
  RunState
  checkpoint_state(const std::string &mode) const;

  /**
   * Write a checkpoint (mesh, temperature, psi, phase memory, time levels,
   * the fields @p extra, @p state) to <Output/Directory>/checkpoint,
   * atomically.
   */
  void
  save_checkpoint(RunState &state, const std::vector<VectorType> &extra = {});

  /**
   * Create the mesh and the fields from the checkpoint
   * 'Checkpoint/Restart directory' of a run of @p mode; returns its state.
   * Throws InputError if it is damaged or of another problem.
   */
  RunState
  load_checkpoint(const std::string &mode);

  /**
   * The periodic checkpoint after unit @p n (1, 2, ...) of @p n_units
   * ('Checkpoint/Interval'; always after the last), and the stop on a
   * signal: writes @p state if either asks for it (@p last: the run ends
   * here anyway, no stop), then throws Interrupted on a signal.
   */
  void
  checkpoint_point(RunState                      &state,
                   const unsigned int             n,
                   const bool                     last,
                   const std::string             &where,
                   const std::vector<VectorType> &extra = {});

  /** Write @p state and throw Interrupted(@p signal) for @p where. */
  [[noreturn]] void
  stop_with_checkpoint(RunState                      &state,
                       const int                      signal,
                       const std::string             &where,
                       const std::vector<VectorType> &extra = {});

  /**
   * Fill @p summary from the state the last solve left, write its fields
   * (entry @p output_index of the current .pvd series, at @p time if that
   * is not negative) if 'Output/Write fields' and @p write_fields, and
   * stamp the wall time.
   */
  void
  postprocess(Summary           &summary,
              const unsigned int output_index,
              const bool         write_fields = true,
              const double       time         = -1);

  /** The summary quantities of the state the last solve left. */
  void
  evaluate_summary(Summary &summary);

  /**
   * The staggered map G at @p T: phases from T, the electric solve, the
   * heat solve into temperature_new (temperature becomes T). Returns the
   * CG iterations of the electric and the heat solve.
   */
  std::pair<unsigned int, unsigned int>
  apply_staggered_map(const VectorType &T);

  /**
   * The first half of the staggered map: temperature = @p T, its phases
   * and the electric solve. Returns the CG iterations.
   */
  unsigned int
  solve_electric_at(const VectorType &T);

  /**
   * 'Solver/Free boundary' (free_boundary.cc): the Peltier-only steady
   * state by an active-set iteration on the nodes held at T_MIT; leaves
   * the state in temperature_new and its phases in free_boundary_phase.
   * Returns false (with failure_reason) after 'Solver/Maximum Picard
   * iterations' steps.
   */
  bool
  solve_free_boundary(Summary &summary, const double tolerance);

  /**
   * 'Solver/Free boundary method = newton' (free_boundary_newton.cc,
   * doc/free_boundary_newton.md): the same problem as
   * solve_free_boundary(), in the nodal level set phi with T = T_MIT +
   * min(phi, 0), by pseudo-transient semismooth Newton. Leaves the state
   * as solve_free_boundary() does; returns false (with failure_reason)
   * after 'Solver/Maximum Picard iterations' steps.
   */
  bool
  solve_free_boundary_newton(Summary &summary, const double tolerance);

  /**
   * The free-boundary iteration's first set (free_boundary.cc): the nodes
   * at or above T_MIT and those of the carried phase field, as +-1 for
   * the node set; for the level set (@p level_set) the carried phase
   * field minus T_MIT, or T - T_MIT (at least @p slack on the metal).
   */
  VectorType
  free_boundary_start(const bool level_set, const double slack) const;

  /** The cells of the phase field free_boundary_phase that have metal and
   *  insulating nodes: their metal nodes (the boundary layer) and their
   *  insulating ones (the front), indexed within relevant_dofs, and
   *  whether any rank has metal at all. */
  struct FreeBoundaryLayer
  {
    std::vector<bool> layer, front;
    bool              any_metal = false;
  };
  FreeBoundaryLayer
  free_boundary_layer() const;

  /** Print the main quantities of @p summary. */
  void
  report(const Summary &summary) const;

  /**
   * Cells whose phase class differs from @p previous, and those of them
   * that are back in the class of @p older (two steps before), summed
   * over the ranks; both vectors are updated.
   */
  std::pair<unsigned int, unsigned int>
  count_phase_changes(std::vector<int> &previous,
                      std::vector<int> &older) const;

  /**
   * The I-V sweep of subsection "Sweep" (sweep.cc): every step is a row
   * of sweep.csv and an entry of summary.json's "steps". Throws
   * ConvergenceError after writing everything if a step failed.
   */
  std::vector<Summary>
  run_sweep(const RunState *resume);

  /**
   * The time-dependent run of subsection "Time" (transient.cc): every
   * accepted step is a row of time.csv and an entry of summary.json's
   * "steps". Throws ConvergenceError after writing the last state if a
   * step fails at 'Time/Minimum time step'.
   */
  std::vector<Summary>
  run_transient(const RunState *resume);

  /** The drive I [A] or V_s [V] at time @p t ('Time/Drive'). */
  double
  drive_at(const double t) const;

  /**
   * Set the time derivative of the step from the accepted levels to
   * @p t_new: the order the history allows (BDF2 from the second step),
   * the coefficients for variable steps, the history vector. Returns the
   * order.
   */
  unsigned int
  set_time_derivative(const double t_new);

  /** The order of the next step: BDF2 once there are two levels. */
  unsigned int
  time_order() const;

  /** How an attempted time step ended. */
  struct TimeStepAttempt
  {
    bool         converged = false;
    unsigned int order     = 1;
    /** Local error estimate [K]; NaN if none (fixed steps, first step). */
    double estimate = std::numeric_limits<double>::quiet_NaN();
    /** The smallest max|dT/dt| [K/s] a rate test can tell from the
     *  step's nonlinear error (0: the step was solved to 'Solver/Picard
     *  tolerance', which is taken to resolve any rate). */
    double resolved_rate = 0;
    /** The last update max|T_k+1 - T_k| [K] of a step accepted although
     *  its Newton iteration stagnated ('Time/Accept stagnated steps');
     *  0 for a step solved to its tolerance. */
    double stagnation_error = 0;
  };

  /**
   * The staggered iteration's tolerance (max|dT|/T0) in a time step of
   * size @p dt that must resolve max|dT/dt| down to @p rate [K/s] (0:
   * no rate test): 'Time/Nonlinear tolerance factor' x 'Error
   * tolerance', at most 0.1 @p rate @p dt, at least 'Solver/Picard
   * tolerance' x T0; the Picard tolerance for fixed steps.
   */
  double
  time_step_tolerance(const double dt, const double rate) const;

  /**
   * Solve the time step from the accepted levels to @p t_new at @p drive
   * (the staggered iteration to time_step_tolerance(dt, @p rate)) into
   * temperature_new, and estimate its local error.
   */
  TimeStepAttempt
  attempt_time_step(const double t_new,
                    const double drive,
                    const double rate,
                    Summary     &summary);

  /**
   * Make temperature_new the level at @p t_new (the phase memory follows);
   * returns max|dT/dt| of the scheme over the nodes [K/s].
   */
  double
  accept_time_step(const double t_new);

  /**
   * The next step after one of size @p step with @p estimate and
   * @p order was @p accepted (grow or keep it) or rejected by its
   * estimate (shrink it).
   */
  double
  next_time_step(const double       step,
                 const double       estimate,
                 const unsigned int order,
                 const bool         accepted) const;

  /** How a relaxation in time ended. */
  enum class Relaxation
  {
    settled,    ///< max|dT/dt| < 'Sweep/Relaxation rate'
    time_limit, ///< at 'Sweep/Maximum relaxation time', unsettled
    failed      ///< a step of 'Time/Minimum time step' was rejected
  };

  /**
   * 'Sweep/Jump by relaxation': integrate in time at the fixed @p drive
   * from temperature until max|dT/dt| < 'Sweep/Relaxation rate'; leaves
   * the relaxed (or last accepted) state in temperature and adds its
   * Picard steps to @p iterations. Every accepted step is a row of
   * relaxation.csv. At the time limit, @p summary gets the time mean and
   * range of V and I over the relaxation's second half and the stability
   * "oscillating" or "drifting".
   */
  Relaxation
  relax_in_time(const double drive, Summary &summary, unsigned int &iterations);

  /**
   * 'Mesh/Relax after adaptation': relax_in_time() at the present drive
   * from the state just transferred to a new mesh; @p steps (the steady
   * iteration's so far) move to @p earlier_steps, which also gets the
   * relaxation's. False (with failure_reason) if it did not settle.
   */
  bool
  relax_on_new_mesh(Summary      &summary,
                    unsigned int &steps,
                    unsigned int &earlier_steps);

  /**
   * The local error estimate [K] of the step just solved to @p t_new of
   * order @p order (Milne's device with the polynomial extrapolation of
   * the accepted levels), or NaN if there are too few levels.
   */
  double
  time_error_estimate(const double t_new, const unsigned int order) const;

  /**
   * Milne's device for the step to @p t_new of order @p order: the factor
   * c_L/(E_P - c_L) that turns max|T_h - P| into the local error, and the
   * Lagrange weights of the levels at @p t_new that form P.
   */
  std::pair<double, std::vector<double>>
  time_error_coefficients(const double t_new, const unsigned int order) const;

  /** sum over radiating faces of eps x area [m^2] (the wire benchmarks'
   *  box; 'Thermal/Emissivity'). */
  double
  emissivity_weighted_area() const;

  /** The transient wire benchmarks (isolated, radiating). */
  void
  evaluate_transient_wire_verification(Summary &summary) const;

  /**
   * One polarity (index @p polarity_index) of a natural sweep, appending
   * to @p steps; from @p resume's step if given.
   */
  bool
  sweep_natural(const unsigned int    polarity_index,
                std::vector<Summary> &steps,
                const RunState       *resume);

  /**
   * One polarity (index @p polarity_index) of a pseudo-arclength sweep,
   * appending to @p steps; from @p resume's step if given.
   */
  bool
  sweep_arclength(const unsigned int    polarity_index,
                  std::vector<Summary> &steps,
                  const RunState       *resume);

  /** How a natural sweep step ended. */
  enum class StepOutcome
  {
    steady,         ///< a steady state at the step's value
    time_dependent, ///< no steady state within the relaxation time
    failed
  };

  /**
   * From the state at drive @p from, reach @p to, halving the step on
   * failure ('Sweep/Maximum step halvings'). From a time-dependent state
   * (@p from_time_dependent), the step is followed in time at once; so is
   * a first step from the initial temperature (@p from = @p to) that the
   * drive's continuation did not converge.
   */
  StepOutcome
  natural_step(const double from,
               const double to,
               Summary     &summary,
               const bool   from_time_dependent);

  /** Postprocess (fields included), append, write the sweep files. */
  void
  record_step(Summary &summary, std::vector<Summary> &steps);

  /** How cycle 0 continued from its initial state, for the summary. */
  std::string
  continuation_description() const;

  /**
   * The staggered iteration, until max|dT|/T0 < @p tolerance with no
   * phase change; returns true if converged. With interface refinement,
   * the mesh is adapted to the interface whenever the iteration reaches
   * 'Mesh/Adaptation tolerance' (or every 'Adaptation interval' steps)
   * until it no longer changes.
   */
  bool
  solve_coupled(Summary &summary, const double tolerance);

  /**
   * One attempt of solve_coupled(); throws ConvergenceError on a
   * non-finite or negative temperature or a failed linear solve.
   */
  bool
  solve_coupled_once(Summary &summary, const double tolerance);

  /** How a run of iterate() ended. */
  enum class IterationResult
  {
    converged,   ///< below the tolerance, no phase change
    interrupted, ///< after @p interval steps, for an adaptation
    exhausted,   ///< 'Solver/Maximum Picard iterations' reached
    oscillating, ///< phase cells flipping back and forth, no progress
    stagnated,   ///< Newton steps without progress ('Stagnation steps')
    /** Stagnated, but within stagnation_allowance and with no phase
     *  change: in a time step, the step's nonlinear error is small against
     *  its local error tolerance (attempt_time_step() decides); in the
     *  steady iteration from a settled relaxation, the state is known as
     *  well as the relaxation's own steps. */
    accepted_stagnation
  };

  /**
   * The staggered iteration on the current mesh, from temperature, until
   * max|dT|/T0 < @p tolerance with no phase change, or for at most
   * @p interval steps (0: no limit). @p steps counts the outer steps of the
   * continuation stage across meshes.
   */
  IterationResult
  iterate(const double   tolerance,
          const unsigned interval,
          unsigned int  &steps,
          const unsigned cycle);
  /** With hysteresis: the last converged state becomes the memory. */
  void
  commit_pending_memory();

  /** Fills summary.verification; advances the slab model's memory. */
  void
  evaluate_verification(Summary &summary);
  /** The wire benchmark (A-19)-(A-22). */
  void
  evaluate_wire_verification(Summary &summary) const;

  const Parameters                         &parameters;
  const MPI_Comm                            comm;
  ConditionalOStream                        pcout;
  TimerOutput                               timer;
  SampleGeometry<dim>                       geometry;
  PhaseLaw                                  law;
  parallel::distributed::Triangulation<dim> triangulation;
  FE_Q<dim>                                 fe;
  DoFHandler<dim>                           dof_handler;
  IndexSet                                  owned_dofs, relevant_dofs;
  AffineConstraints<double>                 hanging_node_constraints;
  PhaseQuadrature<dim>                      quadrature;
  ElectricProblem<dim>                      electric;
  ThermalProblem<dim>                       thermal;
  MeshAdaptation<dim>                       adaptation;
  SummaryEvaluator<dim>                     evaluator;
  FieldOutput<dim>                          field_output;

  /** Temperature of the last iterate (ghosted) and its successor. */
  VectorType  temperature, temperature_new;
  std::string initial_condition;
  /** Mesh adaptations to the interface in the current cycle. */
  unsigned int n_adaptations = 0;
  /**
   * The next adapting steady solve continues an interrupted stage (a
   * restart): it keeps the adaptation's locks read from the checkpoint
   * instead of beginning a new stage.
   */
  bool continue_adaptation_stage = false;
  /** Counts mesh changes, to tell whether a saved vector still fits. */
  unsigned int mesh_generation = 0;
  Timer        wall_clock;
  /**
   * Hysteresis: the last converged state's phase becomes the memory when
   * the next solve starts (not at once, so that the converged state is
   * post-processed with the memory it was solved with).
   */
  bool memory_pending = false;
  /** Metal thickness of the hysteretic slab model's last state [m]. */
  double slab_model_thickness = 0;
  /**
   * Time-dependent runs: the accepted temperatures T^n, T^(n-1), T^(n-2)
   * (ghosted; they move with the mesh) and their times; the history
   * vector of the scheme the heat problem reads; 'Time/Drive'.
   */
  std::vector<VectorType>            time_levels;
  std::vector<double>                level_times;
  VectorType                         time_history;
  std::unique_ptr<FunctionParser<1>> drive_function;
  /** The uniform initial temperature [K] (NaN if not uniform). */
  double initial_uniform_temperature = 0;
  /** > 0: the relaxation factor of a retry ('Solver/Retry relaxations'). */
  double retry_relaxation = 0;
  /** The free-boundary solver's phase field (ghosted): T_MIT +- 1 K for
   *  the node set, T_MIT + phi for the level set. */
  VectorType free_boundary_phase;
  /** How the last free-boundary solve ended (summary.verification). */
  struct FreeBoundaryState
  {
    unsigned int       steps       = 0;
    unsigned long long metal_nodes = 0; ///< of the solved set
    /** T_M - T_MIT [K], T_M the common temperature of the metal's
     *  interior nodes (no net heat there): zero for the exact free
     *  boundary, off by the discrete one's node spacing. */
    double shift_K = 0;
    /** min(T - T_MIT) over the boundary layer, max(T - T_MIT) over the
     *  insulating nodes [K]: a fixed point has the first >= 0 and the
     *  second <= 0 (up to round-off). */
    double layer_min_K = 0, free_max_K = 0;
    /** Nodes that still violate their condition (by more than the
     *  round-off) in the kept state: nonzero only after a cycle or a
     *  stall. */
    unsigned long long undecided = 0;
    /** The largest violation [K] of the kept state. */
    double worst_K = 0;
    /** For the level set: its largest update [K] (before the relaxation),
     *  zero at a fixed point and at least the largest violation; the
     *  measure of the iteration. */
    double update_K = 0;
    /** 1 if the iteration ended on a repeated set (a cycle), 0 if it
     *  converged or stopped improving. */
    unsigned int cycled = 0;
    /** 'Free boundary method = newton': max_i |F_i|/A_ii [K] at the end,
     *  the heat the metal takes net (sum of its nodes' F_i) [W; W/m in
     *  2D is multiplied by the width], the last pseudo time step and the
     *  number of rejected steps. */
    double       residual_K = 0, net_metal_heat_W = 0, pseudo_time_step = 0;
    unsigned int rejected_steps = 0;
  } free_boundary_state;
  /** The free-boundary Newton method's residual and Jacobian. */
  std::unique_ptr<FreeBoundaryJacobian<dim>> free_boundary_jacobian;
  /** Why the last solve_coupled() failed, for the messages. */
  std::string failure_reason;
  /** In a time step, or in a sweep's steady iteration from a settled
   *  relaxation, with 'Time/Accept stagnated steps': the largest last
   *  update max|T_k+1 - T_k|/T0 at which a stagnating Newton iteration
   *  ends as accepted_stagnation (0, as everywhere else: never); the
   *  update it ended with. */
  double stagnation_allowance = 0, stagnation_update = 0;
  /** The allowance of a time step and of a sweep's steady iteration
   *  from a settled relaxation: 'Time/Nonlinear tolerance factor' x
   *  'Error tolerance' / T0 with adaptive steps and 'Accept stagnated
   *  steps', else 0. */
  double
  time_stagnation_allowance() const;
  /** The extra fields of the checkpoint a restart loaded (ghosted). */
  std::vector<VectorType> checkpoint_fields;
  /** Where an Interrupted left solve_stages(): stage, Picard steps. */
  unsigned int interrupted_stage = 0, interrupted_iterations = 0;
};
} // namespace imtsim

#endif
