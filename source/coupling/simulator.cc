#include <deal.II/base/function_parser.h>
#include <deal.II/base/utilities.h>
#include <deal.II/distributed/solution_transfer.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/mapping_q1.h>
#include <deal.II/lac/solver_control.h>
#include <deal.II/numerics/vector_tools.h>

#include <imtsim/coupling/anderson_acceleration.h>
#include <imtsim/coupling/newton_krylov.h>
#include <imtsim/coupling/simulator.h>
#include <imtsim/postprocessing/atomic_file.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <tuple>
#include <utility>

namespace imtsim
{
template <int dim>
Simulator<dim>::Simulator(const Parameters       &parameters,
                          const ParameterHandler &prm,
                          std::ostream           &log)
    : parameters(parameters), comm(MPI_COMM_WORLD),
      pcout(log, Utilities::MPI::this_mpi_process(comm) == 0),
      timer(comm, pcout, TimerOutput::never, TimerOutput::wall_times),
      geometry(parameters), law(parameters.material),
      triangulation(comm,
                    typename Triangulation<dim>::MeshSmoothing(
                        Triangulation<dim>::smoothing_on_refinement |
                        Triangulation<dim>::smoothing_on_coarsening)),
      fe(parameters.solver.polynomial_degree), dof_handler(triangulation),
      quadrature(law, fe, dof_handler, parameters.solver.polynomial_degree + 1),
      electric(parameters, dof_handler, quadrature, timer),
      thermal(parameters, geometry, dof_handler, quadrature, timer),
      adaptation(parameters.mesh, law, triangulation),
      evaluator(parameters, geometry),
      field_output(parameters, parameters.output.directory)
{
  if (Utilities::MPI::this_mpi_process(comm) == 0)
  {
    std::filesystem::create_directories(parameters.output.directory);
    write_atomically(parameters.output.directory + "/parameters.prm",
                     [&](std::ostream &out)
                     { prm.print_parameters(out, ParameterHandler::Text); });
  }
  MPI_Barrier(comm);
}

template <int dim>
void
Simulator<dim>::setup_dofs()
{
  dof_handler.distribute_dofs(fe);
  owned_dofs = dof_handler.locally_owned_dofs();
  DoFTools::extract_locally_relevant_dofs(dof_handler, relevant_dofs);
  hanging_node_constraints.clear();
  hanging_node_constraints.reinit(relevant_dofs);
  DoFTools::make_hanging_node_constraints(dof_handler,
                                          hanging_node_constraints);
  hanging_node_constraints.close();
  electric.setup(owned_dofs, relevant_dofs, hanging_node_constraints);
  thermal.setup(owned_dofs, relevant_dofs, hanging_node_constraints);
  quadrature.reinit();
  quadrature.set_hanging_node_constraints(hanging_node_constraints);
  temperature.reinit(owned_dofs, relevant_dofs, comm);
  temperature_new.reinit(owned_dofs, relevant_dofs, comm);
}

template <int dim>
void
Simulator<dim>::set_initial_temperature()
{
  std::map<std::string, double> constants = {
      {"T0", parameters.thermal.substrate_temperature},
      {"T_MIT", law.transition_temperature()},
      {"L", geometry.length},
      {"W", geometry.width},
      {"h", geometry.thickness}};
  const std::string   variables = dim == 2 ? "x,z" : "x,y,z";
  FunctionParser<dim> initial(1);
  try
  {
    initial.initialize(
        variables, parameters.thermal.initial_temperature, constants);
    // muParser compiles lazily: evaluate once so that a syntax error is
    // reported here, naming the entry.
    initial.value(Point<dim>());
  }
  catch (...)
  {
    throw InputError("Thermal/Initial temperature",
                     "cannot parse '" + parameters.thermal.initial_temperature +
                         "' as a function of " + variables + ".");
  }
  VectorType owned(owned_dofs, comm);
  VectorTools::interpolate(MappingQ1<dim>(), dof_handler, initial, owned);
  thermal.apply_boundary_values(owned);
  temperature = owned;
  initial_condition =
      "initial temperature " + parameters.thermal.initial_temperature;
  if (quadrature.hysteretic())
  {
    quadrature.reset_memory(temperature);
    memory_pending       = false;
    slab_model_thickness = 0;
  }
}

template <int dim>
void
Simulator<dim>::execute_and_transfer(const VectorType &field)
{
  // The temperature and, with hysteresis, the phase memory (its level set
  // is interpolated; the new nodes take the phase of its sign).
  parallel::distributed::SolutionTransfer<dim, VectorType> transfer(
      dof_handler);
  const bool hysteretic = quadrature.hysteretic();
  // The vectors are read while the mesh changes: the memory stays the old
  // mesh's until set_memory() below.
  std::vector<const VectorType *> fields = {&field};
  if (hysteretic)
    fields.push_back(&quadrature.memory());
  // The free-boundary solver's metal set travels as its phase field.
  const bool free_boundary = free_boundary_phase.size() == dof_handler.n_dofs();
  if (free_boundary)
    fields.push_back(&free_boundary_phase);
  const unsigned int first_level = fields.size();
  for (const VectorType &level : time_levels)
    fields.push_back(&level);
  adaptation.prepare_for_coarsening_and_refinement();
  transfer.prepare_for_coarsening_and_refinement(fields);
  triangulation.execute_coarsening_and_refinement();
  ++mesh_generation;
  adaptation.unpack();
  setup_dofs();
  std::vector<VectorType>   owned(fields.size(), VectorType(owned_dofs, comm));
  std::vector<VectorType *> targets;
  for (auto &v : owned)
    targets.push_back(&v);
  transfer.interpolate(targets);
  hanging_node_constraints.distribute(owned[0]);
  thermal.apply_boundary_values(owned[0]);
  temperature = owned[0];
  if (hysteretic)
  {
    hanging_node_constraints.distribute(owned[1]);
    quadrature.set_memory(owned[1]);
  }
  if (free_boundary)
  {
    VectorType &theta = owned[first_level - 1];
    hanging_node_constraints.distribute(theta);
    free_boundary_phase.reinit(owned_dofs, relevant_dofs, comm);
    free_boundary_phase = theta;
  }
  else
    free_boundary_phase = VectorType();
  for (unsigned int k = 0; k < time_levels.size(); ++k)
  {
    VectorType &level = owned[first_level + k];
    hanging_node_constraints.distribute(level);
    thermal.apply_boundary_values(level);
    time_levels[k].reinit(owned_dofs, relevant_dofs, comm);
    time_levels[k] = level;
  }
}

template <int dim>
void
Simulator<dim>::commit_pending_memory()
{
  if (!memory_pending)
    return;
  quadrature.commit_memory(temperature);
  memory_pending = false;
  pcout << " Phase memory: the last converged state's ("
        << quadrature.n_metal_memory_nodes() << " metal nodes)" << std::endl;
}

template <int dim>
void
Simulator<dim>::refine_and_transfer()
{
  // The converged state's phase is the memory, committed on its own mesh
  // (the interpolant of its phi), before both move to the new mesh.
  commit_pending_memory();
  adaptation.flag_cycle(dof_handler, temperature, electric.potential());
  execute_and_transfer(temperature);
  initial_condition = "previous cycle's solution, interpolated";
}

template <int dim>
bool
Simulator<dim>::adapt_to_interface()
{
  TimerOutput::Scope t(timer, "mesh: adapt to interface");
  VectorType         theta;
  quadrature.phase_temperature(temperature_new, theta);
  const unsigned long long n_flagged =
      adaptation.flag_interface(dof_handler, theta);
  if (n_flagged == 0)
    return false;
  // p4est may undo coarsening that would break its 2:1 balance; compare
  // the forests to see whether anything changed.
  const unsigned int checksum = triangulation.get_checksum();
  execute_and_transfer(temperature_new);
  // p4est's checksum is only valid on rank 0.
  const bool changed = Utilities::MPI::broadcast(
      comm, triangulation.get_checksum() != checksum, 0);
  if (!changed)
    return false;
  ++n_adaptations;
  pcout << "  Mesh adapted to the interface (" << adaptation.n_band_cells()
        << " cells at it or in its band, " << n_flagged
        << " flagged): " << triangulation.n_global_active_cells() << " cells, "
        << dof_handler.n_dofs() << " DoFs per field" << std::endl;
  return true;
}
template <int dim>
std::vector<typename Simulator<dim>::Stage>
Simulator<dim>::continuation_stages(const unsigned int cycle,
                                    const double       target) const
{
  const double final_width =
      parameters.material.phase_law == PhaseLawType::sharp
          ? 0.
          : parameters.material.transition_width;
  if (cycle > 0)
    return {{target, final_width}};
  const std::vector<double> &widths = parameters.solver.width_continuation;
  const unsigned int         n      = parameters.electric.ramp_steps;
  std::vector<Stage>         stages;
  for (unsigned int s = 1; s <= n; ++s)
    stages.push_back(
        {target * s / n, widths.empty() ? final_width : widths[0]});
  for (unsigned int i = 1; i < widths.size(); ++i)
    stages.push_back({target, widths[i]});
  if (!widths.empty())
    stages.push_back({target, final_width});
  return stages;
}

template <int dim>
std::string
Simulator<dim>::continuation_description() const
{
  std::string        text;
  const unsigned int n = parameters.electric.ramp_steps;
  if (n > 1)
    text +=
        ", then continuation in the drive in " + std::to_string(n) + " steps";
  const std::vector<double> &widths = parameters.solver.width_continuation;
  if (!widths.empty())
  {
    text += ", then continuation in the transition width (";
    for (const double w : widths)
      text += Utilities::to_string(w) + " K, ";
    text +=
        parameters.material.phase_law == PhaseLawType::sharp
            ? "then the sharp law)"
            : "then " +
                  Utilities::to_string(parameters.material.transition_width) +
                  " K)";
  }
  return text;
}

template <int dim>
bool
Simulator<dim>::solve_coupled(Summary &summary, const double tolerance)
{
  // The attempt, then the retries with smaller relaxation factors from the
  // same start (from the last iterate if the mesh was adapted meanwhile).
  const VectorType   start(temperature);
  const unsigned int generation = mesh_generation;
  const auto         attempt    = [&]()
  {
    try
    {
      if (parameters.solver.free_boundary)
        return parameters.solver.free_boundary_newton
                   ? solve_free_boundary_newton(summary, tolerance)
                   : solve_free_boundary(summary, tolerance);
      return solve_coupled_once(summary, tolerance);
    }
    catch (const ConvergenceError &e)
    {
      failure_reason = e.what();
      pcout << "  " << failure_reason << std::endl;
      return false;
    }
  };
  failure_reason = "";
  bool converged = attempt();
  for (const double beta : parameters.solver.retry_relaxations)
  {
    if (converged)
      break;
    const bool same_mesh = (generation == mesh_generation);
    pcout << "  Retry ('Solver/Retry relaxations'): relaxation " << beta
          << ", from "
          << (same_mesh ? "the attempt's start"
                        : "the last iterate (the mesh was adapted)")
          << std::endl;
    if (same_mesh)
      temperature = start;
    ++summary.retries;
    retry_relaxation = beta;
    try
    {
      converged = attempt();
    }
    catch (...)
    {
      retry_relaxation = 0;
      throw;
    }
    retry_relaxation = 0;
  }
  return converged;
}

template <int dim>
bool
Simulator<dim>::solve_coupled_once(Summary &summary, const double tolerance)
{
  const MeshParameters &mesh        = parameters.mesh;
  unsigned int          steps       = 0;
  unsigned int          adaptations = 0;
  // Picard steps before the last relaxation in time and in it ('Solver/
  // Maximum Picard iterations' bounds the steady iteration after it).
  unsigned int earlier_steps = 0;
  // A time step runs on a fixed mesh: a time-dependent run adapts between
  // steps, where the whole history moves to the new mesh; a relaxation in
  // time (time levels present) never adapts.
  bool adapting =
      adaptation.enabled() && !parameters.time.transient && time_levels.empty();
  if (adapting && !std::exchange(continue_adaptation_stage, false))
    adaptation.begin_stage();
  const auto count = [&]()
  { summary.picard_iterations = steps + earlier_steps; };
  summary.picard_iterations = 0;
  while (true)
  {
    adapting = adapting && adaptations < mesh.max_adaptations;
    IterationResult result;
    try
    {
      result = adapting
                   ? iterate(std::max(tolerance, mesh.adaptation_tolerance),
                             mesh.adaptation_interval,
                             steps,
                             summary.cycle)
                   : iterate(tolerance, 0, steps, summary.cycle);
    }
    catch (...)
    {
      count();
      throw;
    }
    count();
    if (result == IterationResult::exhausted)
    {
      failure_reason =
          "the staggered iteration did not converge within " +
          std::to_string(parameters.solver.max_picard_iterations) +
          " iterations (Solver/Maximum Picard iterations) in cycle " +
          std::to_string(summary.cycle);
      return false;
    }
    if (result == IterationResult::oscillating ||
        result == IterationResult::stagnated)
      return false;
    // (Time steps never adapt.)
    if (!adapting || result == IterationResult::accepted_stagnation)
      return true;
    if (adapt_to_interface())
    {
      ++adaptations;
      if (mesh.relax_after_adaptation &&
          !relax_on_new_mesh(summary, steps, earlier_steps))
      {
        count();
        return false;
      }
      count();
    }
    else
    {
      // The mesh fits the interface: finish on it.
      pcout << "  The mesh fits the interface (" << adaptation.n_band_cells()
            << " cells at it or in its band";
      if (adaptation.n_kept_cells() > 0)
        pcout << "; " << adaptation.n_kept_cells()
              << " cells outside it locked refined, refined again after a "
                 "coarsening in this stage";
      pcout << ")" << std::endl;
      adapting = false;
      if (result == IterationResult::converged &&
          mesh.adaptation_tolerance <= tolerance)
        return true;
    }
    if (adapting && adaptations == mesh.max_adaptations)
      pcout << "  'Mesh/Maximum adaptations' (" << mesh.max_adaptations
            << ") reached: the iteration finishes on this mesh, which may "
               "not fit the final interface"
            << std::endl;
  }
}

template <int dim>
bool
Simulator<dim>::relax_on_new_mesh(Summary      &summary,
                                  unsigned int &steps,
                                  unsigned int &earlier_steps)
{
  // The converged state interpolated onto the new mesh is not a discrete
  // solution there, least of all at the singular pad edges, where the
  // staggered map's large derivative turns an interpolation error of a
  // kelvin into a Picard update of tens: the iteration from it can
  // stagnate. The sample, followed in time from it, settles instead.
  pcout << "  Relaxation in time on the new mesh ('Mesh/Relax after "
           "adaptation')"
        << std::endl;
  earlier_steps += steps;
  steps = 0;
  const Relaxation relaxation =
      relax_in_time(electric.get_drive(), summary, earlier_steps);
  if (relaxation == Relaxation::settled)
    return true;
  failure_reason =
      relaxation == Relaxation::failed
          ? "the relaxation in time on the adapted mesh failed (a step of "
            "'Time/Minimum time step' was rejected)"
          : "the relaxation in time on the adapted mesh did not settle "
            "within 'Sweep/Maximum relaxation time' (" +
                summary.sweep.stability + ")";
  pcout << "  " << failure_reason << std::endl;
  // The state written is the last accepted instant, with its own phases
  // and potential (not those of a rejected attempt).
  solve_electric_at(temperature);
  temperature_new = temperature;
  return false;
}

template <int dim>
typename Simulator<dim>::IterationResult
Simulator<dim>::iterate(const double   tolerance,
                        const unsigned interval,
                        unsigned int  &steps,
                        const unsigned cycle)
{
  const double                   T0 = parameters.thermal.substrate_temperature;
  AndersonAcceleration           anderson(parameters.solver.anderson_depth);
  const NewtonKrylov<VectorType> newton(
      parameters.solver.newton_forcing,
      parameters.solver.max_krylov_iterations);
  double beta = parameters.solver.relaxation;
  // Set only by the iteration that ends (as accepted_stagnation).
  stagnation_update = 0;
  VectorType x(owned_dofs, comm), g(owned_dofs, comm), next(owned_dofs, comm),
      g_next(owned_dofs, comm), last_f(owned_dofs, comm);
  double       last_dT = std::numeric_limits<double>::max(), best_dT = last_dT;
  unsigned int best_since = 0, newton_since_best = 0;
  // Oscillation: steps in a row with cells flipping back to their class
  // of two steps before and no new smallest update.
  double       min_dT        = last_dT;
  unsigned int stalled_flips = 0;
  x                          = temperature;
  if (retry_relaxation > 0)
    beta = retry_relaxation;
  std::vector<int> previous_class(triangulation.n_active_cells(), 2),
      older_class(triangulation.n_active_cells(), 2);
  Timer clock;

  // The staggered map G: phases from T, the electric solve, the heat
  // solve. It leaves the state (phases, psi, temperature_new) of its
  // argument behind.
  unsigned int its_e = 0, its_t = 0;
  const auto   evaluate = [&](const VectorType &y, VectorType &gy)
  {
    try
    {
      std::tie(its_e, its_t) = apply_staggered_map(y);
    }
    catch (const ConvergenceError &e)
    {
      throw ConvergenceError(std::string(e.what()) + " (Picard step " +
                             std::to_string(steps) + " of cycle " +
                             std::to_string(cycle) + ")");
    }
    gy = temperature_new;
  };
  // Newton's line search evaluates G at the iterate it returns.
  bool evaluated = false, newton_step_taken = false;
  bool aitken_history = false;
  NewtonKrylov<VectorType>::StepInfo newton_step;
  const bool time_step        = thermal.time_derivative_coefficient() > 0;
  bool       aitken_contracts = true;

  for (unsigned int i = 1;; ++i)
  {
    // A stop signal: the iterate is where a restart continues.
    if (const int signal = stop_signal(comm))
    {
      temperature = x;
      throw Interrupted(signal, "");
    }
    if (steps == parameters.solver.max_picard_iterations)
      return IterationResult::exhausted;
    const unsigned int k = ++steps;
    if (!evaluated)
      evaluate(x, g);
    evaluated = false;
    const auto [changed, flipped] =
        count_phase_changes(previous_class, older_class);

    VectorType f(g);
    f -= x;
    const double dT = f.linfty_norm() / T0;

    pcout << (newton_step_taken ? "  Newton " : "  Picard ") << std::setw(3)
          << k << ": |dT|/T0 = " << std::scientific << std::setprecision(3)
          << dT << "  phase changes = " << std::setw(5) << changed
          << "  metal = " << std::setprecision(3)
          << electric.metal_volume_fraction() << std::fixed
          << std::setprecision(1) << "  T = [" << g.min() << ", " << g.max()
          << "] K  V = " << std::scientific << std::setprecision(6)
          << electric.voltage() << " V";
    if (newton_step_taken)
      pcout << "  GMRES its = " << newton_step.krylov_iterations
            << (newton_step.krylov_converged ? "" : " (not converged)")
            << "  evaluations = " << newton_step.evaluations
            << "  step = " << std::fixed << std::setprecision(3)
            << newton_step.step_length;
    else
      pcout << "  its e/T = " << its_e << "/" << its_t
            << "  beta = " << std::fixed << std::setprecision(2) << beta;
    pcout << "  (" << std::fixed << std::setprecision(1) << clock.wall_time()
          << " s)" << std::endl;

    if (!std::isfinite(dT))
      throw ConvergenceError(
          "the temperature became non-finite in Picard step " +
          std::to_string(k) + " of cycle " + std::to_string(cycle) +
          "; try continuation in the drive ('Electric/Ramp steps') or a "
          "smaller 'Solver/Relaxation'");
    if (const double T_min = g.min(); !(T_min > 0))
      throw ConvergenceError(
          "the temperature became negative (min T = " +
          Utilities::to_string(T_min) + " K) in Picard step " +
          std::to_string(k) + " of cycle " + std::to_string(cycle) +
          "; try continuation in the drive ('Electric/Ramp steps') or a "
          "smaller 'Solver/Relaxation'");
    if (dT < tolerance && changed == 0)
      return IterationResult::converged;
    if (dT < min_dT)
    {
      min_dT        = dT;
      stalled_flips = 0;
    }
    else
      stalled_flips = flipped > 0 ? stalled_flips + 1 : 0;
    if (parameters.solver.oscillation_steps > 0 &&
        stalled_flips >= parameters.solver.oscillation_steps)
    {
      failure_reason =
          "the staggered iteration oscillates: for " +
          std::to_string(stalled_flips) +
          " steps ('Solver/Oscillation steps') cells flipped back to the "
          "phase they had two steps before (" +
          std::to_string(flipped) + " in Picard step " + std::to_string(k) +
          " of cycle " + std::to_string(cycle) +
          ") without the update falling below its minimum " +
          Utilities::to_string(min_dT) +
          "; try 'Solver/Acceleration = newton' with the smooth law, a "
          "smaller 'Solver/Relaxation' or 'Solver/Retry relaxations'";
      pcout << "  " << failure_reason << std::endl;
      return IterationResult::oscillating;
    }
    if (interval > 0 && i >= interval)
      return IterationResult::interrupted;
    // 'newton' takes Aitken-relaxed Picard steps until the update is
    // below 'Newton start' (far from the fixed point they are cheaper and
    // more robust than Newton steps, one G evaluation each) or until
    // they stagnate: 10 steps without reducing the smallest update so far
    // by 10%.
    if (dT < 0.9 * best_dT)
    {
      best_dT           = dT;
      best_since        = 0;
      newton_since_best = 0;
    }
    else
    {
      ++best_since;
      if (newton_step_taken)
        ++newton_since_best;
    }
    if (parameters.solver.stagnation_steps > 0 &&
        newton_since_best >= parameters.solver.stagnation_steps)
    {
      // A floor that the step's tolerance fell below: temperature_new
      // is G(x), the state of this update.
      if (dT <= stagnation_allowance && changed == 0)
      {
        stagnation_update = dT;
        pcout << "  The Newton iteration stagnates at |dT|/T0 = "
              << std::scientific << std::setprecision(3) << dT << " (tolerance "
              << tolerance << ") within the allowance " << stagnation_allowance
              << " ('Time/Nonlinear tolerance factor' x 'Error tolerance'), "
                 "with no phase change"
              << std::endl;
        return IterationResult::accepted_stagnation;
      }
      failure_reason =
          "the Newton iteration stagnates: " +
          std::to_string(newton_since_best) +
          " Newton steps in a row ('Solver/Stagnation steps') did not "
          "reduce the smallest update |dT|/T0 = " +
          Utilities::to_string(best_dT) + " by 10% (Picard step " +
          std::to_string(k) + " of cycle " + std::to_string(cycle) +
          "; the tolerance is " + Utilities::to_string(tolerance) +
          "). A tolerance below the finite-difference Jacobian's noise "
          "floor ('Solver/Linear solver tolerance') or a map that is not "
          "differentiable here does this; try a larger 'Solver/Picard "
          "tolerance'";
      pcout << "  " << failure_reason << std::endl;
      return IterationResult::stagnated;
    }
    AccelerationType method = parameters.solver.acceleration;
    if (method == AccelerationType::newton &&
        dT > parameters.solver.newton_start && best_since < 10)
      method = AccelerationType::aitken;
    // In a time step, C/dt makes G a contraction for small enough steps
    // (below h/u, u the advection speed of the linearised Peltier flux,
    // doc/sweeps.md): while the Aitken steps reduce the update by a factor
    // 2 or more each, they are far cheaper than Newton-Krylov steps (one
    // evaluation of G against tens), and, unlike the finite-difference
    // Jacobian, indifferent to kinks of G. Once one contracts less,
    // Newton takes over for the rest of the step.
    if (i > 1 && !(dT < 0.5 * last_dT))
      aitken_contracts = false;
    if (method == AccelerationType::newton && time_step && aitken_contracts)
      method = AccelerationType::aitken;
    if (method != AccelerationType::aitken)
      aitken_history = false;
    newton_step_taken = (method == AccelerationType::newton);
    switch (method)
    {
    case AccelerationType::none:
      next = x;
      next.add(beta, f);
      break;
    case AccelerationType::aitken:
      // omega_k = -omega_{k-1} r_{k-1}.(r_k - r_{k-1}) / |r_k - r_{k-1}|^2
      if (aitken_history)
      {
        VectorType dr(f);
        dr -= last_f;
        const double dr2 = dr * dr;
        if (dr2 > 0)
          beta = std::clamp(-beta * (last_f * dr) / dr2,
                            0.02,
                            retry_relaxation > 0 ? retry_relaxation : 1.);
      }
      last_f         = f;
      aitken_history = true;
      next           = x;
      next.add(beta, f);
      break;
    case AccelerationType::anderson:
      // Safeguard: extrapolating across the non-smooth phase map can
      // throw the iterate far from any physical state. When the
      // update grows by more than a factor 2, drop the history and
      // take a plain damped step instead.
      if (k > 1 && dT > 2 * last_dT)
      {
        anderson.reset();
        next = x;
        next.add(beta, f);
      }
      else
        anderson.step(x, g, beta, next);
      break;
    case AccelerationType::newton:
      newton_step = newton.step(evaluate, x, g, next, g_next);
      g           = g_next;
      evaluated   = true;
      break;
    }
    last_dT = dT;
    x       = next;
  }
}

namespace
{
// A linear solve that fails even with a fresh preconditioner.
ConvergenceError
linear_solve_failed(const std::string                  &problem,
                    const SolverControl::NoConvergence &e)
{
  return ConvergenceError("the CG solve of the " + problem +
                          " problem did not converge: "
                          "residual " +
                          Utilities::to_string(e.last_residual) + " after " +
                          std::to_string(e.last_step) +
                          " iterations ('Solver/Linear solver tolerance')");
}
} // namespace

template <int dim>
unsigned int
Simulator<dim>::solve_electric_at(const VectorType &T)
{
  temperature = T;
  {
    TimerOutput::Scope t(timer, "phases: classify");
    quadrature.set_temperature(temperature);
  }
  try
  {
    return electric.solve(temperature);
  }
  catch (const SolverControl::NoConvergence &e)
  {
    throw linear_solve_failed("electric", e);
  }
}

template <int dim>
std::pair<unsigned int, unsigned int>
Simulator<dim>::apply_staggered_map(const VectorType &T)
{
  const unsigned int its_e = solve_electric_at(T);
  try
  {
    const unsigned int its_t =
        thermal.solve(temperature, electric.potential(), temperature_new);
    return {its_e, its_t};
  }
  catch (const SolverControl::NoConvergence &e)
  {
    throw linear_solve_failed("heat", e);
  }
}

template <int dim>
std::pair<unsigned int, unsigned int>
Simulator<dim>::count_phase_changes(std::vector<int> &previous,
                                    std::vector<int> &older) const
{
  unsigned int changed = 0, flipped = 0;
  previous.resize(triangulation.n_active_cells(), 2);
  older.resize(triangulation.n_active_cells(), 2);
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
    {
      const unsigned int i = cell->active_cell_index();
      const int          c = quadrature.cell_class(cell);
      if (c != previous[i])
      {
        ++changed;
        if (c == older[i])
          ++flipped;
      }
      older[i]    = previous[i];
      previous[i] = c;
    }
  return {Utilities::MPI::sum(changed, comm),
          Utilities::MPI::sum(flipped, comm)};
}

template <int dim>
double
Simulator<dim>::emissivity_weighted_area() const
{
  const double L = geometry.length, W = geometry.width, h = geometry.thickness;
  double       eps_area = 0;
  for (const auto &[name, eps] : parameters.thermal.emissivity)
    eps_area += eps * ((name == "substrate" || name == "top") ? L * W
                       : (name == "y_min" || name == "y_max")
                           ? L * h
                           : W * h); // x_min, x_max, drain, source: the ends
  return eps_area;
}

template <int dim>
void
Simulator<dim>::evaluate_wire_verification(Summary &summary) const
{
  // A conductor without transition (the insulating phase throughout),
  // uniform current density j0 along x: uniform Joule power density Q.
  const auto  &m              = parameters.material;
  const auto  &t              = parameters.thermal;
  const double h              = geometry.thickness;
  const double L              = geometry.length;
  const double W              = geometry.width;
  const double T0             = t.substrate_temperature;
  const double kappa          = m.kappa_insulator;
  const double j0             = std::abs(summary.current_A) / (W * h);
  const double Q              = m.resistivity_insulator * j0 * j0;
  auto        &v              = summary.verification;
  v["joule_density_W_per_m3"] = Q;
  if (t.emissivity.empty())
  {
    // T = T0 + dT_C + Q/(2 kappa) ((L/2)^2 - (x - L/2)^2) with
    // dT_C = Q L/(2 kappa_C); its mean: Q (L/(2 kappa_C) +
    // L^2/(12 kappa)).
    // The input check allows two cases: both ends held at T0, or both
    // through the same contact conductance to T_env.
    const bool   contact = !t.contact_conductance.empty();
    const double dT_C =
        contact ? Q * L / (2 * t.contact_conductance.at("drain")) : 0.;
    const double T_env = contact ? t.environment_temperature : T0;
    std::map<types::global_dof_index, Point<dim>> points;
    DoFTools::map_dofs_to_support_points(MappingQ1<dim>(), dof_handler, points);
    double error = 0;
    for (const auto &[i, p] : points)
      if (owned_dofs.is_element(i))
      {
        const double s = p[0] - 0.5 * L;
        const double exact =
            T_env + dT_C + Q / (2 * kappa) * (L * L / 4 - s * s);
        error = std::max(error, std::abs(temperature_new[i] - exact));
      }
    const double rise      = dT_C + Q * L * L / (12 * kappa);
    v["mean_rise_exact_K"] = rise;
    v["mean_rise_relative_error"] =
        std::abs(summary.temperature_mean_K - T_env - rise) / rise;
    v["profile_error_relative"] =
        Utilities::MPI::max(error, comm) / (dT_C + Q * L * L / (8 * kappa));
    if (!contact)
      v["mean_rise_A21_K"] = std::pow(summary.voltage_V, 2) /
                             (12 * m.resistivity_insulator * kappa);
    return;
  }
  // uniform T with Q V = eps sigma_SB (T^4 - T_env^4) A_rad, A_rad
  // the radiating area (each face with the same emissivity here: the
  // area-weighted mean otherwise), V the volume.
  const double eps_area = emissivity_weighted_area();
  const double T_env    = t.environment_temperature;
  const double power    = Q * L * W * h;
  const double T_exact  = std::pow(
      std::pow(T_env, 4) + power / (stefan_boltzmann * eps_area), 0.25);
  v["uniform_temperature_exact_K"] = T_exact;
  v["uniform_temperature_relative_error"] =
      std::max(std::abs(summary.temperature_max_K - T_exact),
               std::abs(summary.temperature_mean_K - T_exact)) /
      T_exact;
  v["rise_linearised_K"] =
      power / (4 * stefan_boltzmann * eps_area * std::pow(T_env, 3));
}

template <int dim>
void
Simulator<dim>::evaluate_verification(Summary &summary)
{
  if (parameters.verification.benchmark == BenchmarkType::none)
    return;
  if (parameters.verification.benchmark == BenchmarkType::wire)
  {
    if (parameters.time.transient)
      evaluate_transient_wire_verification(summary);
    else
      evaluate_wire_verification(summary);
    return;
  }
  const auto  &m     = parameters.material;
  const double h     = geometry.thickness;
  const double L     = geometry.length;
  const double T0    = parameters.thermal.substrate_temperature;
  const double kappa = m.kappa_insulator;
  const double j0    = std::abs(summary.current_A) / (geometry.width * h);
  const double j_cr  = std::sqrt(2 * (m.transition_temperature - T0) * kappa /
                                (m.resistivity_insulator * h * h));
  auto        &v     = summary.verification;
  v["j0_A_per_m2"]   = j0;
  v["j_cr_A_per_m2"] = j_cr;
  v["j0_over_j_cr"]  = j0 / j_cr;
  // Below j_cr the state is insulating and T - T0 scales exactly with
  // j0^2, so the current at which the hottest point reaches T_MIT, i.e.
  // at which metal first appears, follows from this run.
  if (summary.metal_volume_fraction == 0 && summary.temperature_max_K > T0 &&
      !thermal.two_temperatures())
    v["j_cr_found_A_per_m2"] = j0 * std::sqrt((m.transition_temperature - T0) /
                                              (summary.temperature_max_K - T0));

  if (parameters.verification.benchmark == BenchmarkType::insulating_slab &&
      thermal.two_temperatures())
  {
    // (P-28)-(P-30) with the printed misprint of (P-30) corrected
    // (doc/two_temperature.md), depth from the top z_P = h - z; the
    // single-temperature profile (P-8) with kappa = kappa_e + kappa_l.
    const double kappa_l = m.kappa_lattice_insulator;
    const double kappa_e = kappa - kappa_l;
    const double gamma   = parameters.thermal.coupling;
    const double q       = m.resistivity_insulator * j0 * j0; // rho j^2
    const double alpha   = std::sqrt(gamma * kappa / (kappa_e * kappa_l));
    const double ah      = alpha * h;
    const double rise    = q * h * h / (2 * kappa); // Delta
    // cosh(alpha z_P)/sinh(alpha h), overflow-free.
    const auto ratio = [&](const double zP)
    {
      return (std::exp(alpha * (zP - h)) + std::exp(-alpha * (zP + h))) /
             (1 - std::exp(-2 * ah));
    };
    const auto single = [&](const double zP)
    { return T0 + q / (2 * kappa) * (h * h - zP * zP); };
    const auto lattice = [&](const double zP)
    {
      // cosh(alpha h) - cosh(alpha z_P) over sinh(alpha h).
      const double layer = ratio(h) - ratio(zP);
      return single(zP) + q * h * kappa_e / (kappa * kappa_l * alpha) * layer;
    };
    const auto electron = [&](const double zP)
    {
      return lattice(zP) + kappa_l * q / (gamma * kappa) +
             q * h / (kappa_l * alpha) * ratio(zP);
    };
    std::map<types::global_dof_index, Point<dim>> points;
    DoFTools::map_dofs_to_support_points(MappingQ1<dim>(), dof_handler, points);
    const VectorType &T   = thermal.electron_temperature();
    const VectorType &T_l = thermal.lattice_temperature();
    double            e_l = 0, e_e = 0, d_l = 0, d_e = 0, p_l = 0, p_e = 0;
    for (const auto &[i, p] : points)
      if (owned_dofs.is_element(i))
      {
        const double zP = h - p[dim - 1];
        e_l             = std::max(e_l, std::abs(T_l[i] - lattice(zP)));
        e_e             = std::max(e_e, std::abs(T[i] - electron(zP)));
        d_l             = std::max(d_l, std::abs(T_l[i] - single(zP)));
        d_e             = std::max(d_e, std::abs(T[i] - single(zP)));
        p_l             = std::max(p_l, std::abs(lattice(zP) - single(zP)));
        p_e             = std::max(p_e, std::abs(electron(zP) - single(zP)));
      }
    v["alpha_h"]                        = ah;
    v["lattice_nodal_error_relative"]   = Utilities::MPI::max(e_l, comm) / rise;
    v["electron_nodal_error_relative"]  = Utilities::MPI::max(e_e, comm) / rise;
    v["lattice_minus_single_relative"]  = Utilities::MPI::max(d_l, comm) / rise;
    v["electron_minus_single_relative"] = Utilities::MPI::max(d_e, comm) / rise;
    v["lattice_minus_single_predicted_relative"] =
        Utilities::MPI::max(p_l, comm) / rise;
    v["electron_minus_single_predicted_relative"] =
        Utilities::MPI::max(p_e, comm) / rise;
    v["paper_estimate_kappa_l_over_gamma_h2"] = kappa_l / (gamma * h * h);
    v["voltage_exact_V"] = m.resistivity_insulator * j0 * L;
    v["voltage_relative_error"] =
        std::abs(summary.voltage_V - v["voltage_exact_V"]) /
        v["voltage_exact_V"];
  }
  else if (parameters.verification.benchmark == BenchmarkType::insulating_slab)
  {
    // (P-8), depth from the top z_P = h - z.
    const double rise = m.resistivity_insulator * j0 * j0 / (2 * kappa);
    std::map<types::global_dof_index, Point<dim>> points;
    DoFTools::map_dofs_to_support_points(MappingQ1<dim>(), dof_handler, points);
    double error = 0;
    for (const auto &[i, p] : points)
      if (owned_dofs.is_element(i))
      {
        const double zP    = h - p[dim - 1];
        const double exact = T0 + rise * (h * h - zP * zP);
        error = std::max(error, std::abs(temperature_new[i] - exact));
      }
    error                     = Utilities::MPI::max(error, comm);
    v["nodal_error_relative"] = error / (rise * h * h);
    v["voltage_exact_V"]      = m.resistivity_insulator * j0 * L;
    v["voltage_relative_error"] =
        std::abs(summary.voltage_V - v["voltage_exact_V"]) /
        v["voltage_exact_V"];
  }
  else
  {
    // (P-11) and the parallel-resistor voltage.
    const double r = m.resistivity_metal / m.resistivity_insulator;
    // (P-11): the layer whose lower face is at T_c, for j0 > j_cr(T_c).
    const auto layer = [&](const double j_c)
    {
      if (!(j0 > j_c))
        return 0.;
      const double s = std::sqrt(1 - j_c * j_c / (j0 * j0));
      return h * s * r / (1 - (1 - r) * s);
    };
    double d = layer(j_cr);
    if (law.hysteresis_width() > 0)
    {
      // The slab with hysteresis (doc/hysteresis.md): the memory is the
      // last state's layer d_m. Above d_m the lower face of the layer is at
      // T_down, below it at T_up; T falls with depth, so the layer is
      // d = min(max(d_m, d_up), d_down) with d_up, d_down from (P-11) at
      // T_up and T_down (d_up <= d_down): it grows at T_up, shrinks at
      // T_down and stays at d_m in between.
      // T_down <= T0: metal never turns back (j_cr(T_down) = 0, d_down = h).
      const double j_cr_down =
          j_cr * std::sqrt(std::max(m.transition_temperature -
                                        law.hysteresis_width() - T0,
                                    0.) /
                           (m.transition_temperature - T0));
      v["j_cr_down_A_per_m2"] = j_cr_down;
      v["memory_thickness_m"] = slab_model_thickness;
      d = std::min(std::max(slab_model_thickness, d), layer(j_cr_down));
      v["metal_expected"] = d > 0;
      if (summary.converged)
        slab_model_thickness = d;
    }
    const double V              = d > 0
                                      ? m.resistivity_metal * j0 * h * L / (d + (h - d) * r)
                                      : m.resistivity_insulator * j0 * L;
    v["thickness_exact_m"]      = d;
    v["thickness_error_m"]      = std::abs(summary.metal_thickness_mid_m - d);
    v["thickness_tolerance_m"]  = std::max(0.02 * d, h / 100);
    v["voltage_exact_V"]        = V;
    v["voltage_relative_error"] = std::abs(std::abs(summary.voltage_V) - V) / V;
  }
}

template <int dim>
double
Simulator<dim>::target_drive() const
{
  return parameters.electric.control == ControlType::current
             ? parameters.electric.current
             : parameters.electric.voltage;
}

template <int dim>
bool
Simulator<dim>::solve_stages(const std::vector<Stage> &stages,
                             Summary                  &summary,
                             const unsigned int        first_stage,
                             const unsigned int        iterations_before)
{
  const bool   current = parameters.electric.control == ControlType::current;
  unsigned int total_iterations = iterations_before;
  summary.converged             = true;
  for (unsigned int s = first_stage; s < stages.size() && summary.converged;
       ++s)
  {
    const bool last = (s + 1 == stages.size());
    electric.set_drive(stages[s].drive);
    law.set_transition_width(stages[s].width);
    commit_pending_memory();
    if (stages.size() > 1)
    {
      pcout << " Stage " << s + 1 << "/" << stages.size() << ": "
            << (current ? "I = " : "V_s = ") << std::scientific
            << std::setprecision(4) << stages[s].drive
            << (current ? " A, " : " V, ");
      if (stages[s].width > 0)
        pcout << "smooth law, w_T = " << std::fixed << std::setprecision(2)
              << stages[s].width << " K" << std::endl;
      else
        pcout << "sharp law" << std::endl;
    }
    summary.picard_iterations = 0;
    // A restart within this stage (Picard steps done before the
    // interruption) continues its adaptation where it stopped.
    continue_adaptation_stage = s == first_stage && iterations_before > 0;
    try
    {
      summary.converged =
          solve_coupled(summary,
                        last ? parameters.solver.picard_tolerance
                             : parameters.solver.continuation_tolerance);
    }
    catch (const Interrupted &)
    {
      interrupted_stage      = s;
      interrupted_iterations = total_iterations + summary.picard_iterations;
      throw;
    }
    continue_adaptation_stage = false;
    total_iterations += summary.picard_iterations;
    memory_pending = summary.converged && quadrature.hysteretic();
    if (!last)
      temperature = temperature_new;
  }
  summary.picard_iterations = total_iterations;
  return summary.converged;
}

template <int dim>
void
Simulator<dim>::postprocess(Summary           &summary,
                            const unsigned int output_index,
                            const bool         write_fields,
                            const double       time)
{
  evaluate_summary(summary);
  if (parameters.output.write_fields && write_fields)
  {
    TimerOutput::Scope t(timer, "output: fields");
    std::vector<std::pair<std::string, const VectorType *>> extra;
    if (thermal.two_temperatures())
      extra = {{"T_electron", &thermal.electron_temperature()},
               {"T_lattice", &thermal.lattice_temperature()}};
    field_output.write(dof_handler,
                       quadrature,
                       temperature_new,
                       electric.potential(),
                       output_index,
                       time,
                       extra);
  }
  summary.wall_time_s = wall_clock.wall_time();
}

template <int dim>
void
Simulator<dim>::evaluate_summary(Summary &summary)
{
  TimerOutput::Scope t(timer, "postprocess");
  summary.n_active_cells   = triangulation.n_global_active_cells();
  summary.n_dofs           = dof_handler.n_dofs();
  summary.mesh_adaptations = n_adaptations;
  const HeatBalance balance =
      thermal.heat_balance(temperature, electric.potential(), temperature_new);
  summary.current_A              = electric.current();
  summary.voltage_V              = electric.voltage();
  summary.sweep.source_voltage_V = electric.source_voltage();
  summary.joule_power_W          = balance.joule;
  summary.peltier_power_W        = balance.peltier;
  // All heat leaving: through the fixed-temperature boundaries (consistent
  // flux, or the direct one) plus what the loss laws remove.
  const double lost            = balance.contact + balance.radiation;
  summary.heat_out_W           = balance.total_out();
  summary.heat_out_direct_W    = balance.out_direct + lost;
  summary.heat_out_contact_W   = balance.contact;
  summary.heat_out_radiation_W = balance.radiation;
  summary.time.heat_stored_W   = balance.stored;
  summary.energy_balance_relative_error =
      balance.relative_error(summary.heat_out_W);
  summary.energy_balance_direct_relative_error =
      balance.relative_error(summary.heat_out_direct_W);
  const ThermalParameters &thermal_parameters = parameters.thermal;
  std::vector<std::string> names =
      thermal_parameters.fixed_temperature_boundaries;
  for (const auto *m : {&thermal_parameters.contact_conductance,
                        &thermal_parameters.emissivity})
    for (const auto &[name, value] : *m)
      names.push_back(name);
  summary.heat_out_by_boundary_W.clear();
  for (const auto &name : names)
  {
    const auto it =
        balance.by_boundary.find(SampleGeometry<dim>::boundary_id(name));
    summary.heat_out_by_boundary_W[name] =
        it == balance.by_boundary.end() ? 0. : it->second;
  }
  evaluator.evaluate(dof_handler, quadrature, temperature_new, summary);
  if (thermal.two_temperatures())
  {
    auto &t   = summary.two_temperature;
    t.enabled = true;
    t.phase_temperature =
        parameters.thermal.phase_from_lattice ? "lattice" : "electron";
    const VectorType &T   = thermal.electron_temperature();
    const VectorType &T_l = thermal.lattice_temperature();
    double T_max = -1e300, T_l_max = -1e300, d_max = -1e300, d_min = 1e300;
    for (const auto i : owned_dofs)
    {
      T_max   = std::max(T_max, T[i]);
      T_l_max = std::max(T_l_max, T_l[i]);
      d_max   = std::max(d_max, T[i] - T_l[i]);
      d_min   = std::min(d_min, T[i] - T_l[i]);
    }
    t.electron_max_K   = Utilities::MPI::max(T_max, comm);
    t.lattice_max_K    = Utilities::MPI::max(T_l_max, comm);
    t.difference_max_K = Utilities::MPI::max(d_max, comm);
    t.difference_min_K = Utilities::MPI::min(d_min, comm);
    const QGauss<dim> q(fe.degree + 1);
    t.electron_mean_K = VectorTools::compute_mean_value(dof_handler, q, T, 0);
    t.lattice_mean_K  = VectorTools::compute_mean_value(dof_handler, q, T_l, 0);
    t.exchange_W      = balance.exchange;
    t.electrons_adiabatic =
        parameters.thermal.electron_fixed_temperature_boundaries.empty();
  }
  if (parameters.solver.free_boundary)
  {
    const auto &f                             = free_boundary_state;
    auto       &v                             = summary.verification;
    v["free_boundary_steps"]                  = f.steps;
    v["free_boundary_metal_nodes"]            = f.metal_nodes;
    v["free_boundary_interior_minus_T_MIT_K"] = f.shift_K;
    v["free_boundary_layer_min_K"]            = f.layer_min_K;
    v["free_boundary_free_max_K"]             = f.free_max_K;
    v["free_boundary_undecided_nodes"]        = f.undecided;
    v["free_boundary_largest_violation_K"]    = f.worst_K;
    v["free_boundary_largest_update_K"]       = f.update_K;
    v["free_boundary_cycled"]                 = f.cycled;
    if (parameters.solver.free_boundary_newton)
    {
      v["free_boundary_residual_K"]       = f.residual_K;
      v["free_boundary_net_metal_heat_W"] = f.net_metal_heat_W;
      v["free_boundary_pseudo_time_step"] = f.pseudo_time_step;
      v["free_boundary_rejected_steps"]   = f.rejected_steps;
    }
  }
  evaluate_verification(summary);
}

template <int dim>
void
Simulator<dim>::report(const Summary &summary) const
{
  pcout << std::scientific << std::setprecision(6)
        << "  V = " << summary.voltage_V << " V, I = " << summary.current_A
        << " A, T_max = " << summary.temperature_max_K
        << " K, metal fraction = " << summary.metal_volume_fraction
        << "\n  P_Joule = " << summary.joule_power_W
        << " W, P_Peltier = " << summary.peltier_power_W
        << " W, Q_out = " << summary.heat_out_W << " W (balance error "
        << std::setprecision(2) << summary.energy_balance_relative_error
        << "; direct flux " << std::setprecision(6) << summary.heat_out_direct_W
        << " W, error " << std::setprecision(2)
        << summary.energy_balance_direct_relative_error << ")" << std::endl;
}

template <int dim>
std::vector<Summary>
Simulator<dim>::run()
{
  wall_clock.restart();
  install_stop_handlers();
  const std::string       mode = parameters.sweep.enabled()  ? "sweep"
                                 : parameters.time.transient ? "transient"
                                                             : "cycles";
  std::optional<RunState> resume;
  if (parameters.checkpoint.restart)
    resume = load_checkpoint(mode);
  else
  {
    {
      TimerOutput::Scope t(timer, "mesh: create");
      geometry.create_mesh(triangulation);
    }
    adaptation.initialize();
    setup_dofs();
    set_initial_temperature();
  }

  pcout << "imtsim: " << dim << "D, " << Utilities::MPI::n_mpi_processes(comm)
        << " MPI rank(s), Q" << fe.degree << ", "
        << (law.is_sharp() ? "sharp" : "smooth") << " phase law, "
        << (parameters.electric.control == ControlType::current ? "current"
                                                                : "voltage")
        << " control" << std::endl;
  const RunState *state = resume ? &*resume : nullptr;
  if (parameters.sweep.enabled())
    return run_sweep(state);
  if (parameters.time.transient)
    return run_transient(state);
  return run_cycles(state);
}

template <int dim>
std::vector<Summary>
Simulator<dim>::run_cycles(const RunState *resume)
{
  std::vector<Summary> summaries;
  unsigned int         first = 0;
  if (resume)
  {
    summaries = resume->summaries;
    first     = resume->unit;
  }
  const std::string summary_file =
      parameters.output.directory + "/summary.json";
  const unsigned int n_cycles = parameters.mesh.number_of_cycles;
  if (!resume && Utilities::MPI::this_mpi_process(comm) == 0)
    std::filesystem::remove(parameters.output.directory + "/relaxation.csv");
  for (unsigned int cycle = first; cycle < n_cycles; ++cycle)
  {
    const bool continuing = resume && cycle == first && resume->in_progress;
    if (cycle > 0 && !continuing)
    {
      TimerOutput::Scope t(timer, "mesh: refine and transfer");
      refine_and_transfer();
    }
    Summary summary;
    summary.cycle             = cycle;
    summary.initial_condition = initial_condition;
    n_adaptations             = continuing ? resume->n_adaptations : 0;
    pcout << "Cycle " << cycle << ": " << triangulation.n_global_active_cells()
          << " cells, " << dof_handler.n_dofs() << " DoFs per field ("
          << (continuing ? "continued from the checkpoint's iterate; the "
                           "cycle started from "
                         : "")
          << initial_condition << ")" << std::endl;

    // Continuation (first cycle only): each stage starts from the state
    // of the one before; only the last one is converged to the full
    // tolerance.
    try
    {
      solve_stages(continuation_stages(cycle, target_drive()),
                   summary,
                   continuing ? resume->stage : 0,
                   continuing ? resume->iterations : 0);
    }
    catch (const Interrupted &e)
    {
      // The last iterate of the cycle is where the restart continues.
      RunState state    = checkpoint_state("cycles");
      state.unit        = cycle;
      state.in_progress = true;
      state.stage       = interrupted_stage;
      state.iterations  = interrupted_iterations;
      state.summaries   = summaries;
      stop_with_checkpoint(
          state, e.signal(), "in cycle " + std::to_string(cycle));
    }
    if (!summary.converged)
      // The state to write is the last iterate.
      temperature_new = temperature;
    if (cycle == 0)
      summary.initial_condition += continuation_description();
    if (summary.sweep.relaxation_steps > 0)
    {
      std::ostringstream text;
      text << std::setprecision(3) << "; relaxed in time for "
           << summary.sweep.relaxation_time_s
           << " s in all after the mesh adaptations ('Mesh/Relax after "
              "adaptation')";
      summary.initial_condition += text.str();
    }
    postprocess(summary, cycle);
    summaries.push_back(summary);
    write_summary_file(summary_file, summaries);
    write_convergence_table(
        parameters.output.directory + "/convergence.txt", summaries, dim);
    report(summary);

    if (!summary.converged)
    {
      timer.print_wall_time_statistics(comm);
      throw ConvergenceError(failure_reason +
                             "; the last state is written to " +
                             parameters.output.directory + ".");
    }
    temperature     = temperature_new;
    RunState state  = checkpoint_state("cycles");
    state.unit      = cycle + 1;
    state.summaries = summaries;
    checkpoint_point(state,
                     cycle + 1,
                     cycle + 1 == n_cycles,
                     "after cycle " + std::to_string(cycle));
  }
  timer.print_wall_time_statistics(comm);
  pcout << "Summary written to " << summary_file << std::endl;
  return summaries;
}

template class Simulator<2>;
template class Simulator<3>;
} // namespace imtsim
