// I-V sweeps: natural continuation in the control value with step
// halving, and pseudo-arclength continuation through folds. Members of
// Simulator (declared in simulator.h); the single-state machinery they
// call is in simulator.cc.
#include <deal.II/lac/trilinos_parallel_block_vector.h>

#include <imtsim/coupling/newton_krylov.h>
#include <imtsim/coupling/simulator.h>

#include <cmath>
#include <filesystem>
#include <iomanip>
#include <limits>
#include <sstream>

namespace imtsim
{
namespace
{
std::string
drive_text(const double value, const bool current)
{
  std::ostringstream s;
  s << (current ? "I = " : "V_s = ") << std::scientific << std::setprecision(6)
    << value << (current ? " A" : " V");
  return s.str();
}
} // namespace

template <int dim>
std::vector<Summary>
Simulator<dim>::run_sweep(const RunState *resume)
{
  const SweepParameters &sweep = parameters.sweep;
  std::vector<Summary>   steps;
  std::vector<int>       polarities = {1};
  if (sweep.both_polarities)
    polarities.push_back(-1);
  unsigned int first = 0;
  if (resume)
  {
    steps = resume->summaries;
    first = resume->polarity_index;
  }
  bool all_converged = true;
  for (const Summary &s : steps)
    all_converged = all_converged && (s.converged || s.sweep.time_dependent());
  if (!resume && Utilities::MPI::this_mpi_process(comm) == 0)
    std::filesystem::remove(parameters.output.directory + "/relaxation.csv");
  for (unsigned int p = first; p < polarities.size(); ++p)
  {
    const int polarity = polarities[p];
    // Within the polarity (else its start: initial temperature, series).
    const bool resuming =
        resume && p == first && (resume->unit > 0 || resume->in_progress);
    if (!resuming && (polarity < 0 || resume))
    {
      // The reversed sweep starts from the same initial temperature (on
      // the mesh the first one left); so does a polarity started over
      // after a restart.
      set_initial_temperature();
    }
    if (!resuming)
      field_output.start_series(polarity > 0 ? "sweep" : "sweep_reversed");
    const RunState *from      = resuming ? resume : nullptr;
    const bool      converged = sweep.method == SweepMethod::natural
                                    ? sweep_natural(p, steps, from)
                                    : sweep_arclength(p, steps, from);
    all_converged             = all_converged && converged;
  }
  timer.print_wall_time_statistics(comm);
  pcout << "Sweep table written to " << parameters.output.directory
        << "/sweep.csv" << std::endl;
  unsigned int n_time_dependent = 0;
  for (const Summary &s : steps)
    n_time_dependent += s.sweep.time_dependent() ? 1 : 0;
  if (n_time_dependent > 0)
    pcout << n_time_dependent
          << " step(s) reached no steady state within 'Sweep/Maximum "
             "relaxation time' (stability oscillating or drifting in "
             "sweep.csv; their V and I over time in relaxation.csv)"
          << std::endl;
  if (!all_converged)
    throw ConvergenceError(
        "the sweep did not reach its last value on every branch (see the "
        "'converged' column of " +
        parameters.output.directory +
        "/sweep.csv and the log); the last state of each failed branch is "
        "written.");
  return steps;
}

template <int dim>
void
Simulator<dim>::record_step(Summary &summary, std::vector<Summary> &steps)
{
  summary.sweep.step = steps.size();
  summary.cycle      = 0;
  postprocess(summary, summary.sweep.step);
  steps.push_back(summary);
  write_summary_file(
      parameters.output.directory + "/summary.json", steps, "steps");
  write_sweep_table(parameters.output.directory + "/sweep.csv", steps);
  report(summary);
}

template <int dim>
typename Simulator<dim>::StepOutcome
Simulator<dim>::natural_step(const double from,
                             const double to,
                             Summary     &summary,
                             const bool   from_time_dependent)
{
  const SweepParameters &sweep = parameters.sweep;
  const bool   current = parameters.electric.control == ControlType::current;
  const double width   = continuation_stages(1, to)[0].width;
  double       at = from, delta = to - from;
  unsigned int halvings = 0, iterations = 0;
  // A relaxation starts from each converged state at most once.
  double     relaxed_from = std::numeric_limits<double>::quiet_NaN();
  const auto attempt      = [&](const double value)
  {
    bool converged = false;
    try
    {
      converged = solve_stages({{value, width}}, summary);
    }
    catch (const ConvergenceError &e)
    {
      // A non-finite temperature: a failed attempt like any other.
      pcout << "  " << e.what() << std::endl;
    }
    iterations += summary.picard_iterations;
    return converged;
  };
  const auto ended = [&](const StepOutcome outcome)
  {
    summary.picard_iterations = iterations;
    if (outcome == StepOutcome::steady)
    {
      // At the step's value; a time-dependent stretch on the way (at an
      // intermediate value, or drifting) ended in a steady state.
      summary.sweep.control = to;
      summary.sweep.clear_time_dependent();
    }
    return outcome;
  };
  // Follow the sample in time at @p value from temperature: a steady
  // state if it settles (converged from there), else time-dependent
  // ('Sweep/Time-dependent states') or failed.
  const auto follow_in_time = [&](const double value)
  {
    const Relaxation relaxation = relax_in_time(value, summary, iterations);
    if (relaxation == Relaxation::settled)
    {
      // The relaxation's time steps were solved to, and accepted at
      // stagnations within, 'Time/Nonlinear tolerance factor' x 'Error
      // tolerance': the settled state is known no better. The steady
      // iteration from it may end at a Newton floor within the same
      // allowance (with no phase change), recorded as the step's
      // stagnation_error_K.
      const double T0      = parameters.thermal.substrate_temperature;
      stagnation_allowance = time_stagnation_allowance();
      const bool steady    = attempt(value);
      stagnation_allowance = 0;
      summary.sweep.stagnation_error_K = steady ? stagnation_update * T0 : 0;
      return steady ? StepOutcome::steady : StepOutcome::failed;
    }
    summary.sweep.control = value; // the state written is that of value
    if (relaxation == Relaxation::failed)
      return StepOutcome::failed;
    const VectorType   instant(temperature);
    const unsigned int generation = mesh_generation;
    if (summary.sweep.stability == "drifting")
    {
      // A slow approach (or a short window): the steady state may be near.
      // If the steady iteration does not find it, the step stays
      // time-dependent.
      pcout << "  Drifting: the steady iteration from the last instant"
            << std::endl;
      if (attempt(value))
        return StepOutcome::steady;
    }
    // The recorded state: the last instant with its phases and potential.
    if (generation == mesh_generation)
    {
      solve_electric_at(instant);
      temperature_new = instant;
    }
    else
      pcout << "  (the mesh changed in the attempt: its last iterate "
               "stands for the last instant)"
            << std::endl;
    if (sweep.continue_time_dependent)
      return StepOutcome::time_dependent;
    pcout << "  The sweep stops ('Sweep/Time-dependent states' = fail)"
          << std::endl;
    return StepOutcome::failed;
  };

  if (from_time_dependent)
    // No steady state to continue from: the sample is followed in time
    // at the new value, as in an experiment.
    return ended(follow_in_time(to));
  while (at != to)
  {
    const double next =
        std::abs(to - at) <= std::abs(delta) * (1 + 1e-12) ? to : at + delta;
    const VectorType   saved(temperature);
    const unsigned int generation = mesh_generation;
    if (next != to)
      pcout << " Intermediate step: " << drive_text(next, current) << std::endl;
    bool converged = attempt(next);
    if (!converged && halvings == sweep.max_halvings &&
        sweep.jump_by_relaxation && at != relaxed_from)
    {
      // The branch ends between at and next: relax in time at next from
      // the state at at, as the sample would, then converge from there.
      pcout << "  No convergence at " << drive_text(next, current) << " after "
            << halvings << " step halvings: the branch ends after the state at "
            << drive_text(at, current) << std::endl;
      relaxed_from = at;
      if (!std::isfinite(summary.sweep.jump_at))
      {
        summary.sweep.jump_from = at;
        summary.sweep.jump_at   = next;
      }
      if (generation == mesh_generation)
        temperature = saved;
      StepOutcome outcome = follow_in_time(next);
      if (outcome == StepOutcome::time_dependent && next != to)
      {
        // No steady state at next: on in time at the step's value.
        pcout << "  On in time at " << drive_text(to, current) << std::endl;
        return ended(follow_in_time(to));
      }
      if (outcome != StepOutcome::steady)
        return ended(outcome);
      // On the new branch: head for the target again.
      converged = true;
      halvings  = 0;
      delta     = to - next;
    }
    if (converged)
    {
      at = next;
      if (at != to)
        temperature = temperature_new;
      continue;
    }
    if (halvings == sweep.max_halvings)
    {
      pcout << "  No convergence at " << drive_text(next, current) << " after "
            << halvings
            << " step halvings ('Sweep/Maximum step halvings'): no state "
               "was found near the last converged one at "
            << drive_text(at, current)
            << " (a fold of the curve, or a jump to another branch that "
               "the iteration did not reach)"
            << std::endl;
      summary.sweep.control = next; // the state written is that of next
      return ended(StepOutcome::failed);
    }
    ++halvings;
    delta /= 2;
    pcout << "  No convergence at " << drive_text(next, current)
          << ": the step is halved to " << std::scientific
          << std::setprecision(3) << delta;
    if (generation == mesh_generation)
      temperature = saved;
    else
      pcout << " (the mesh changed during the failed attempt: continuing "
               "from its last iterate)";
    pcout << std::endl;
  }
  return ended(StepOutcome::steady);
}

template <int dim>
bool
Simulator<dim>::sweep_natural(const unsigned int    polarity_index,
                              std::vector<Summary> &steps,
                              const RunState       *resume)
{
  const SweepParameters &sweep    = parameters.sweep;
  const int              polarity = polarity_index == 0 ? 1 : -1;
  const bool current = parameters.electric.control == ControlType::current;
  std::vector<double> controls;
  for (const double v : sweep.values)
    controls.push_back(polarity * v);
  if (sweep.return_sweep)
    for (int i = int(sweep.values.size()) - 2; i >= 0; --i)
      controls.push_back(polarity * sweep.values[i]);
  // Each step's direction is that of |control| from the step before (a
  // list in descending order is a ramp down); the first step takes the
  // second's, and a repeated value keeps the direction it came with.
  std::vector<std::pair<double, std::string>> path;
  for (std::size_t k = 0; k < controls.size(); ++k)
  {
    const std::size_t to        = std::max<std::size_t>(k, 1);
    std::string       direction = path.empty() ? "up" : path.back().second;
    if (to < controls.size() &&
        std::abs(controls[to]) != std::abs(controls[to - 1]))
      direction =
          std::abs(controls[to]) > std::abs(controls[to - 1]) ? "up" : "down";
    path.emplace_back(controls[k], direction);
  }
  const unsigned int n_units = path.size() * (sweep.both_polarities ? 2 : 1);

  for (unsigned int k = resume ? resume->unit : 0; k < path.size(); ++k)
  {
    const bool continuing = resume && k == resume->unit && resume->in_progress;
    Summary    summary;
    summary.sweep.polarity  = polarity;
    summary.sweep.direction = path[k].second;
    summary.sweep.control   = path[k].first;
    n_adaptations           = continuing ? resume->n_adaptations : 0;
    pcout << "Sweep step " << steps.size() << ": "
          << drive_text(path[k].first, current) << " (" << path[k].second
          << ", polarity " << (polarity > 0 ? "+" : "-") << "), "
          << triangulation.n_global_active_cells() << " cells, "
          << dof_handler.n_dofs() << " DoFs per field"
          << (continuing ? ", continuing from the interrupted run's iterate"
                         : "")
          << std::endl;
    bool converged, time_dependent = false;
    try
    {
      if (k == 0)
      {
        summary.initial_condition =
            initial_condition + continuation_description();
        converged = solve_stages(continuation_stages(0, path[0].first),
                                 summary,
                                 continuing ? resume->stage : 0,
                                 continuing ? resume->iterations : 0);
        if (!converged && sweep.jump_by_relaxation)
        {
          // No steady state reached from the initial temperature (the
          // drive's continuation ends at a fold, or stalls): switch the
          // drive on in the sample at its initial temperature and follow
          // it in time, as an experiment would.
          pcout << "  No steady state reached from the initial temperature: "
                   "the drive is switched on at it and the sample followed "
                   "in time"
                << std::endl;
          set_initial_temperature();
          summary.initial_condition =
              initial_condition + ", followed in time at the first value";
          summary.sweep.jump_at = path[0].first;
          summary.sweep.step    = steps.size(); // relaxation.csv's rows
          const StepOutcome outcome =
              natural_step(path[0].first, path[0].first, summary, true);
          converged      = outcome == StepOutcome::steady;
          time_dependent = outcome == StepOutcome::time_dependent;
        }
      }
      else
      {
        summary.initial_condition = "the previous step's state";
        summary.sweep.step        = steps.size(); // relaxation.csv's rows
        const bool from_time_dependent =
            !steps.empty() && steps.back().sweep.time_dependent();
        if (from_time_dependent)
          pcout << "  From the previous step's time-dependent state"
                << std::endl;
        const StepOutcome outcome = natural_step(
            path[k - 1].first, path[k].first, summary, from_time_dependent);
        converged = outcome == StepOutcome::steady;
        if (outcome == StepOutcome::time_dependent)
          summary.initial_condition =
              "the previous step's state, followed in time";
        time_dependent = outcome == StepOutcome::time_dependent;
      }
    }
    catch (const Interrupted &e)
    {
      // The step is resumed from its last iterate.
      RunState state       = checkpoint_state("sweep");
      state.polarity_index = polarity_index;
      state.unit           = k;
      state.in_progress    = true;
      state.stage          = k == 0 ? interrupted_stage : 0;
      state.iterations     = k == 0 ? interrupted_iterations : 0;
      state.summaries      = steps;
      stop_with_checkpoint(
          state, e.signal(), "in sweep step " + std::to_string(steps.size()));
    }
    summary.converged = converged;
    record_step(summary, steps);
    if (!converged && !time_dependent)
    {
      pcout << "The sweep of polarity " << (polarity > 0 ? "+" : "-")
            << " stops at step " << summary.sweep.step
            << " (not converged; its last iterate is written)" << std::endl;
      return false;
    }
    temperature = temperature_new;
    // The next unit: the following step, or the other polarity's first.
    RunState state       = checkpoint_state("sweep");
    state.polarity_index = polarity_index;
    state.unit           = k + 1;
    state.summaries      = steps;
    if (k + 1 == path.size())
    {
      state.polarity_index = polarity_index + 1;
      state.unit           = 0;
    }
    checkpoint_point(state,
                     steps.size(),
                     steps.size() == n_units,
                     "after sweep step " + std::to_string(steps.size() - 1));
  }
  return true;
}

template <int dim>
bool
Simulator<dim>::sweep_arclength(const unsigned int    polarity_index,
                                std::vector<Summary> &steps,
                                const RunState       *resume)
{
  const int polarity           = polarity_index == 0 ? 1 : -1;
  using BlockVector            = TrilinosWrappers::MPI::BlockVector;
  const SweepParameters &sweep = parameters.sweep;
  const bool   current = parameters.electric.control == ControlType::current;
  const double T0      = parameters.thermal.substrate_temperature;
  const double first   = polarity * sweep.values.front();
  const double last    = polarity * sweep.values.back();
  const double sense   = last > first ? 1. : -1.;
  double       lambda_scale = 0;
  for (const double v : sweep.values)
    lambda_scale = std::max(lambda_scale, std::abs(v));
  // The unknowns are (T, mu) with mu = lambda / lambda_scale * dT_ref in
  // kelvin, so that every entry is a temperature (one finite-difference
  // step fits all). The arclength is measured in the scaled norm
  // |(dT, dmu)|^2 = |dT|_2^2 / (n dT_ref^2) + dmu^2 / dT_ref^2.
  const double dT_ref =
      std::max(std::abs(law.transition_temperature() - T0), 1.);
  const auto to_mu = [&](const double lambda)
  { return lambda / lambda_scale * dT_ref; };
  const auto to_lambda = [&](const double mu)
  { return mu / dT_ref * lambda_scale; };

  auto new_summary = [&](const double lambda)
  {
    Summary s;
    s.sweep.polarity  = polarity;
    s.sweep.direction = "arclength";
    s.sweep.control   = lambda;
    return s;
  };

  std::vector<IndexSet> partitioning = {owned_dofs, IndexSet(1)};
  if (Utilities::MPI::this_mpi_process(comm) == 0)
    partitioning[1].add_index(0);
  BlockVector  x_prev(partitioning, comm), x_cur(partitioning, comm);
  double       ds    = 0;
  unsigned int folds = 0, first_n = 2;
  // The checkpoint of the continuation at step n: the last two points
  // (their temperatures as fields), ds and the folds passed.
  const auto state_at = [&](const unsigned int n)
  {
    RunState state       = checkpoint_state("sweep");
    state.polarity_index = polarity_index;
    state.unit           = n;
    state.in_progress    = true;
    state.arclength_step = ds;
    state.folds          = folds;
    state.mu_previous    = x_prev.block(1).mean_value();
    state.mu_current     = x_cur.block(1).mean_value();
    state.summaries      = steps;
    return state;
  };
  const auto arclength_fields = [&]()
  {
    std::vector<VectorType> fields(2);
    fields[0].reinit(owned_dofs, relevant_dofs, comm);
    fields[0] = x_prev.block(0);
    fields[1].reinit(owned_dofs, relevant_dofs, comm);
    fields[1] = x_cur.block(0);
    return fields;
  };
  if (resume)
  {
    x_prev.block(0) = checkpoint_fields.at(0);
    x_prev.block(1) = resume->mu_previous;
    x_cur.block(0)  = checkpoint_fields.at(1);
    x_cur.block(1)  = resume->mu_current;
    ds              = resume->arclength_step;
    folds           = resume->folds;
    first_n         = resume->unit;
    checkpoint_fields.clear();
  }
  else
  {
    // Stopped before the continuation proper: the polarity starts over.
    const std::size_t steps_before = steps.size();
    try
    {
      // Point 0: the first value, reached as a single run would be.
      n_adaptations = 0;
      pcout << "Sweep step " << steps.size() << ": "
            << drive_text(first, current)
            << " (arclength continuation, polarity "
            << (polarity > 0 ? "+" : "-") << "), "
            << triangulation.n_global_active_cells() << " cells, "
            << dof_handler.n_dofs() << " DoFs per field" << std::endl;
      Summary s0           = new_summary(first);
      s0.initial_condition = initial_condition + continuation_description();
      s0.converged         = solve_stages(continuation_stages(0, first), s0);
      // The branch starts from the state the drive continuation reached from
      // the initial temperature: taken as stable; every fold in the control
      // value passed since then flips the label (a saddle-node bifurcation
      // moves one eigenvalue across zero).
      s0.sweep.stability = "stable";
      record_step(s0, steps);
      if (!s0.converged)
        return false;
      temperature = temperature_new;

      x_prev.block(0) = temperature_new;
      x_prev.block(1) = to_mu(first);

      // Point 1: a natural step, for the first secant.
      // The first natural step stays inside the interval of the values.
      ds = std::min(sweep.arclength_step,
                    0.5 * std::abs(last - first) / lambda_scale);
      {
        const double lambda = first + sense * ds * lambda_scale;
        pcout << "Sweep step " << steps.size() << ": "
              << drive_text(lambda, current) << " (natural step for the first "
              << "secant)" << std::endl;
        Summary s1           = new_summary(lambda);
        s1.initial_condition = "the previous step's state";
        s1.converged =
            natural_step(first, lambda, s1, false) == StepOutcome::steady;
        s1.sweep.stability = "stable";
        record_step(s1, steps);
        if (!s1.converged)
          return false;
        x_cur.block(0) = temperature_new;
        x_cur.block(1) = to_mu(lambda);
      }
    }
    catch (const Interrupted &e)
    {
      steps.resize(steps_before);
      RunState state       = checkpoint_state("sweep");
      state.polarity_index = polarity_index;
      state.unit           = 0;
      state.summaries      = steps;
      stop_with_checkpoint(
          state, e.signal(), "at the start of the arclength continuation");
    }
  }

  const double n_dofs = dof_handler.n_dofs();
  const double w_T    = 1. / (dT_ref * std::sqrt(n_dofs));
  const double w_mu   = 1. / dT_ref;
  // The constraint's residual enters |F| with the weight of a temperature
  // residual spread over all nodes.
  const double                    c = dT_ref * std::sqrt(n_dofs);
  const NewtonKrylov<BlockVector> newton(
      parameters.solver.newton_forcing,
      parameters.solver.max_krylov_iterations);
  BlockVector tangent(partitioning, comm), y(partitioning, comm),
      gy(partitioning, comm), next(partitioning, comm),
      g_next(partitioning, comm), f(partitioning, comm),
      predictor(partitioning, comm);

  for (unsigned int n = first_n; n < sweep.max_arclength_steps; ++n)
  {
    const auto stop = [&](const int signal)
    {
      RunState state = state_at(n);
      stop_with_checkpoint(state,
                           signal,
                           "in sweep step " + std::to_string(steps.size()),
                           arclength_fields());
    };
    if (const int signal = stop_signal(comm))
      stop(signal);
    const double mu_prev = x_prev.block(1).mean_value();
    const double mu_cur  = x_cur.block(1).mean_value();
    // Secant tangent in scaled coordinates, unit length.
    tangent = x_cur;
    tangent -= x_prev;
    tangent.block(0) *= w_T;
    tangent.block(1) *= w_mu;
    tangent /= tangent.l2_norm();
    const double tau_mu    = tangent.block(1).mean_value();
    const double tau_x_cur = x_cur.block(0) * tangent.block(0);

    // The augmented map: the staggered map at the drive mu, and the
    // arclength constraint N = <(T, mu) - x_cur, tangent> - ds = 0 as
    // mu - c N, so that F = G - x holds both residuals.
    const auto augmented = [&](const BlockVector &x, BlockVector &g)
    {
      const double mu = x.block(1).mean_value();
      electric.set_drive(to_lambda(mu));
      apply_staggered_map(x.block(0));
      g.block(0)     = temperature_new;
      const double N = w_T * (x.block(0) * tangent.block(0) - tau_x_cur) +
                       w_mu * (mu - mu_cur) * tau_mu - ds;
      g.block(1) = mu - c * N;
    };

    bool         converged       = false;
    unsigned int corrector_steps = 0;
    while (true)
    {
      // Predictor along the secant.
      y = x_cur;
      y.block(0).add(ds / w_T, tangent.block(0));
      y.block(1).add(ds / w_mu, tangent.block(1));
      predictor = y;
      pcout << "Sweep step " << steps.size() << ": arclength step "
            << std::scientific << std::setprecision(3) << ds << ", predicted "
            << drive_text(to_lambda(y.block(1).mean_value()), current)
            << std::endl;
      augmented(y, gy);
      std::vector<int> classes, older_classes;
      count_phase_changes(classes, older_classes);
      Timer clock;
      for (corrector_steps = 0;; ++corrector_steps)
      {
        if (const int signal = stop_signal(comm))
          stop(signal);
        f = gy;
        f -= y;
        const double       dT = f.block(0).linfty_norm() / T0;
        const double       N  = std::abs(f.block(1).mean_value()) / c;
        const unsigned int changed =
            corrector_steps == 0
                ? 0
                : count_phase_changes(classes, older_classes).first;
        pcout << "  Corrector " << std::setw(2) << corrector_steps
              << ": |dT|/T0 = " << std::scientific << std::setprecision(3) << dT
              << "  |N| = " << N << "  phase changes = " << changed
              << "  metal = " << electric.metal_volume_fraction() << "  "
              << drive_text(electric.get_drive(), current)
              << "  V = " << std::setprecision(6) << electric.voltage()
              << " V  (" << std::fixed << std::setprecision(1)
              << clock.wall_time() << " s)" << std::endl;
        if (!std::isfinite(dT))
          break;
        if (dT < parameters.solver.picard_tolerance && N < 1e-3 * ds &&
            changed == 0)
        {
          // A corrector that ends far from its predictor has left the
          // branch (the hyperplane also cuts the curve elsewhere): the
          // new secant would turn by more than 45 degrees.
          f = y;
          f -= predictor;
          f.block(0) *= w_T;
          f.block(1) *= w_mu;
          const double distance = f.l2_norm();
          converged             = distance <= ds;
          if (!converged)
            pcout << "  The corrector converged " << std::scientific
                  << std::setprecision(2) << distance / ds
                  << " steps away from its predictor: rejected (it left "
                     "the branch)"
                  << std::endl;
          break;
        }
        if (corrector_steps == sweep.max_corrector_steps)
          break;
        const auto info = newton.step(augmented, y, gy, next, g_next);
        pcout << "    GMRES its = " << info.krylov_iterations
              << (info.krylov_converged ? "" : " (not converged)")
              << "  evaluations = " << info.evaluations
              << "  step = " << std::fixed << std::setprecision(3)
              << info.step_length << std::endl;
        y  = next;
        gy = g_next;
      }
      if (converged || ds / 2 < sweep.min_arclength_step)
        break;
      ds /= 2;
      pcout << "  The corrector did not converge: the arclength step is "
               "halved"
            << std::endl;
    }

    const double mu_new     = y.block(1).mean_value();
    const double lambda_new = to_lambda(mu_new);
    Summary      s          = new_summary(lambda_new);
    s.initial_condition     = "arclength predictor from the previous two steps";
    s.picard_iterations     = corrector_steps;
    s.converged             = converged;
    if (converged && (mu_new - mu_cur) * (mu_cur - mu_prev) < 0)
    {
      ++folds;
      pcout << "  Fold: the control value turned between "
            << drive_text(to_lambda(mu_prev), current) << " and "
            << drive_text(lambda_new, current) << " (fold " << folds << ")"
            << std::endl;
    }
    s.sweep.stability =
        converged ? (folds % 2 == 0 ? "stable" : "unstable") : "unknown";
    record_step(s, steps);
    if (!converged)
    {
      pcout << "The arclength continuation stops: no converged corrector "
               "down to 'Sweep/Minimum arclength step'"
            << std::endl;
      return false;
    }
    if (sense * (lambda_new - last) >= 0)
    {
      pcout << "The control passed the last value: the continuation ends "
               "here"
            << std::endl;
      return true;
    }
    if (sense * (lambda_new - first) < 0)
    {
      pcout << "The branch turned back past the first value without "
               "reaching the last one: the continuation stops here"
            << std::endl;
      return false;
    }
    if (sweep.stop_current > 0 && std::abs(s.current_A) > sweep.stop_current)
    {
      pcout << "|I| passed 'Sweep/Stop current': the continuation ends here"
            << std::endl;
      return true;
    }
    if (corrector_steps <= 2)
      ds = std::min(1.5 * ds, sweep.max_arclength_step);
    else if (corrector_steps > 4)
      ds = std::max(0.7 * ds, sweep.min_arclength_step);
    x_prev         = x_cur;
    x_cur          = y;
    RunState state = state_at(n + 1);
    checkpoint_point(state,
                     steps.size(),
                     false,
                     "after sweep step " + std::to_string(steps.size() - 1),
                     arclength_fields());
  }
  pcout << "'Sweep/Maximum arclength steps' (" << sweep.max_arclength_steps
        << ") reached before the last value" << std::endl;
  return false;
}

// The class itself is instantiated in simulator.cc; these are the members
// defined here.
#define IMTSIM_INSTANTIATE(dim)                                                      \
  template std::vector<Summary> Simulator<dim>::run_sweep(const RunState *);         \
  template void                 Simulator<dim>::record_step(Summary &,               \
                                            std::vector<Summary> &); \
  template Simulator<dim>::StepOutcome Simulator<dim>::natural_step(                 \
      const double, const double, Summary &, const bool);                            \
  template bool Simulator<dim>::sweep_natural(                                       \
      const unsigned int, std::vector<Summary> &, const RunState *);                 \
  template bool Simulator<dim>::sweep_arclength(                                     \
      const unsigned int, std::vector<Summary> &, const RunState *);
IMTSIM_INSTANTIATE(2)
IMTSIM_INSTANTIATE(3)
#undef IMTSIM_INSTANTIATE
} // namespace imtsim
