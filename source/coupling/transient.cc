// The time-dependent mode: C dT/dt + div(-kappa grad T) = sources, by BDF2
// (variable steps) or implicit Euler, every step solved by the staggered
// iteration of the steady runs with the time derivative added to the heat
// problem. Members of Simulator (declared in simulator.h).
#include <deal.II/base/quadrature_lib.h>

#include <imtsim/coupling/simulator.h>

#include <boost/math/tools/roots.hpp>

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>
#include <sstream>

namespace imtsim
{
namespace
{
// A time step's nonlinear error may be this fraction of the change
// rate * dt a rate test must resolve (time_step_tolerance).
constexpr double rate_error_fraction = 0.1;
} // namespace

template <int dim>
double
Simulator<dim>::drive_at(const double t) const
{
  return drive_function ? drive_function->value(Point<1>(t)) : target_drive();
}

template <int dim>
unsigned int
Simulator<dim>::set_time_derivative(const double t_new)
{
  // dT/dt ~ a0 T^(n+1) - history. Implicit Euler: a0 = 1/dt, history =
  // T^n/dt. BDF2 with w = dt/dt_old (the exact derivative of the parabola
  // through the last three levels at t_new): a0 = (1 + 2w)/((1 + w) dt),
  // history = ((1 + w) T^n - w^2/(1 + w) T^(n-1))/dt.
  const double       dt    = t_new - level_times[0];
  const unsigned int order = time_order();
  VectorType         history(owned_dofs, comm);
  history = time_levels[0];
  double a0;
  if (order == 1)
  {
    a0 = 1 / dt;
    history *= 1 / dt;
  }
  else
  {
    const double w = dt / (level_times[0] - level_times[1]);
    a0             = (1 + 2 * w) / ((1 + w) * dt);
    VectorType previous(owned_dofs, comm);
    previous = time_levels[1];
    history *= (1 + w) / dt;
    history.add(-w * w / ((1 + w) * dt), previous);
  }
  time_history.reinit(owned_dofs, relevant_dofs, comm);
  time_history = history;
  thermal.set_time_derivative(a0, &time_history);
  return order;
}

template <int dim>
std::pair<double, std::vector<double>>
Simulator<dim>::time_error_coefficients(const double       t_new,
                                        const unsigned int order) const
{
  // Milne's device: the polynomial P of degree 'order' through the last
  // order + 1 levels, extrapolated to t_new, has the error
  //   T(t_new) - P = E_P T^(order+1),  E_P = prod_k (t_new - t_k)/(order+1)!,
  // the step's local error is T_h - T(t_new) = -c_L T^(order+1) with
  //   Euler: c_L = dt^2/2,  BDF2: c_L = dt^3 (1 + w)^2/(6 w (1 + 2 w)),
  // so T_h - P = (E_P - c_L) T^(order+1) and the local error is
  // c_L/(E_P - c_L) |T_h - P| (doc/transient.md derives c_L).
  const double dt  = t_new - level_times[0];
  double       E_P = 1;
  for (unsigned int k = 0; k <= order; ++k)
    E_P *= (t_new - level_times[k]) / (k + 1);
  double c_L;
  if (order == 1)
    c_L = dt * dt / 2;
  else
  {
    const double w = dt / (level_times[0] - level_times[1]);
    c_L = std::pow(dt, 3) * (1 + w) * (1 + w) / (6 * w * (1 + 2 * w));
  }
  // Lagrange weights of the levels at t_new.
  std::vector<double> weight(order + 1, 1.);
  for (unsigned int k = 0; k <= order; ++k)
    for (unsigned int m = 0; m <= order; ++m)
      if (m != k)
        weight[k] *=
            (t_new - level_times[m]) / (level_times[k] - level_times[m]);
  return {c_L / (E_P - c_L), weight};
}

template <int dim>
double
Simulator<dim>::time_error_estimate(const double       t_new,
                                    const unsigned int order) const
{
  if (time_levels.size() < order + 1)
    return std::numeric_limits<double>::quiet_NaN();
  const auto [factor, weight] = time_error_coefficients(t_new, order);
  double difference           = 0;
  for (const auto i : owned_dofs)
  {
    double P = 0;
    for (unsigned int k = 0; k <= order; ++k)
      P += weight[k] * time_levels[k][i];
    difference = std::max(difference, std::abs(temperature_new[i] - P));
  }
  difference = Utilities::MPI::max(difference, comm);
  return factor * difference;
}

template <int dim>
unsigned int
Simulator<dim>::time_order() const
{
  return parameters.time.scheme == TimeScheme::bdf2 && time_levels.size() >= 2
             ? 2
             : 1;
}

template <int dim>
double
Simulator<dim>::time_step_tolerance(const double dt, const double rate) const
{
  // The step's nonlinear error e (about the last update) adds at most e
  // to its local error and about a0 e ~ 1.5 e/dt to its max|dT/dt|: a
  // small fraction of the error the step control allows, and a tenth of
  // the rate a stopping test compares with, are enough. Solving every step
  // to the steady tolerance buys nothing and, near the finite-difference
  // Newton iteration's noise floor, costs most of a run.
  const TimeParameters &tp     = parameters.time;
  const double          picard = parameters.solver.picard_tolerance;
  if (!tp.adaptive || tp.nonlinear_tolerance_factor == 0)
    return picard;
  double kelvin = tp.nonlinear_tolerance_factor * tp.error_tolerance;
  if (rate > 0)
    kelvin = std::min(kelvin, rate_error_fraction * rate * dt);
  return std::max(picard, kelvin / parameters.thermal.substrate_temperature);
}

template <int dim>
double
Simulator<dim>::time_stagnation_allowance() const
{
  const TimeParameters &tp = parameters.time;
  return tp.adaptive && tp.accept_stagnated_steps
             ? tp.nonlinear_tolerance_factor * tp.error_tolerance /
                   parameters.thermal.substrate_temperature
             : 0;
}

template <int dim>
typename Simulator<dim>::TimeStepAttempt
Simulator<dim>::attempt_time_step(const double t_new,
                                  const double drive,
                                  const double rate,
                                  Summary     &summary)
{
  commit_pending_memory();
  temperature = time_levels[0];
  TimeStepAttempt attempt;
  attempt.order = set_time_derivative(t_new);
  electric.set_drive(drive);
  const TimeParameters &tp        = parameters.time;
  const double          T0        = parameters.thermal.substrate_temperature;
  const double          dt        = t_new - level_times[0];
  const double          tolerance = time_step_tolerance(dt, rate);
  // A stagnating iteration may end the step if its last update is within
  // the step control's nonlinear allowance: the tolerance without the
  // rate test's share, which shrinks with dt while a noise floor does not.
  // (A time step inside a sweep's steady iteration, after an adaptation,
  // leaves that iteration's allowance as it found it.)
  const double outer_allowance = stagnation_allowance;
  stagnation_allowance         = time_stagnation_allowance();
  attempt.converged            = solve_coupled(summary, tolerance);
  stagnation_allowance         = outer_allowance;
  const double update          = attempt.converged ? stagnation_update : 0;
  if (std::max(tolerance, update) > parameters.solver.picard_tolerance)
    attempt.resolved_rate =
        std::max(tolerance, update) * T0 / (rate_error_fraction * dt);
  attempt.estimate = attempt.converged && tp.adaptive
                         ? time_error_estimate(t_new, attempt.order)
                         : std::numeric_limits<double>::quiet_NaN();
  if (update > 0)
  {
    // The accepted update enters the estimate through T_h and, from
    // earlier accepted steps, through the levels of P: at most factor x
    // (1 + sum |w_k|) times it if every level carried as much. Beyond a
    // tenth of the tolerance it would steer the step size.
    double gain = 1;
    if (time_levels.size() >= attempt.order + 1)
    {
      const auto [factor, weight] =
          time_error_coefficients(t_new, attempt.order);
      for (const double w : weight)
        gain += std::abs(w);
      gain *= factor;
    }
    const double noise = gain * update * T0;
    if (noise > 0.1 * tp.error_tolerance)
    {
      pcout << "  Not accepted: the stagnated update can add "
            << std::scientific << std::setprecision(3) << noise
            << " K to the local error estimate, more than a tenth of "
               "'Time/Error tolerance' ("
            << tp.error_tolerance << " K)" << std::endl;
      attempt.converged = false;
      attempt.estimate  = std::numeric_limits<double>::quiet_NaN();
    }
    else
      attempt.stagnation_error = update * T0;
  }
  return attempt;
}

template <int dim>
double
Simulator<dim>::accept_time_step(const double t_new)
{
  // The rate dT/dt of the scheme, before the levels move on.
  VectorType owned(owned_dofs, comm), history(owned_dofs, comm);
  owned   = temperature_new;
  history = time_history;
  owned *= thermal.time_derivative_coefficient();
  owned -= history;
  const double rate = owned.linfty_norm();
  time_levels.insert(time_levels.begin(), temperature_new);
  level_times.insert(level_times.begin(), t_new);
  if (time_levels.size() > 3)
  {
    time_levels.pop_back();
    level_times.pop_back();
  }
  memory_pending = quadrature.hysteretic();
  return rate;
}

template <int dim>
double
Simulator<dim>::next_time_step(const double       step,
                               const double       estimate,
                               const unsigned int order,
                               const bool         accepted) const
{
  const TimeParameters &tp = parameters.time;
  // The step's order of accuracy is that of its scheme (the Euler start
  // of BDF2 is one order lower, but only once).
  const double exponent = 1. / (order + 1);
  if (!accepted)
    return std::max(
        tp.min_time_step,
        step *
            std::max(0.2,
                     0.9 * std::pow(tp.error_tolerance / estimate, exponent)));
  if (!tp.adaptive)
    // Back to the prescribed step after halvings, doubling each time.
    return std::min(tp.time_step, 2 * step);
  const double dt =
      std::isfinite(estimate)
          ? step * std::clamp(0.9 * std::pow(tp.error_tolerance /
                                                 std::max(estimate, 1e-300),
                                             exponent),
                              0.2,
                              2.)
          : step;
  return std::min(dt, tp.max_time_step);
}

template <int dim>
typename Simulator<dim>::Relaxation
Simulator<dim>::relax_in_time(const double  drive,
                              Summary      &summary,
                              unsigned int &iterations)
{
  const TimeParameters  &tp    = parameters.time;
  const SweepParameters &sweep = parameters.sweep;
  const bool current = parameters.electric.control == ControlType::current;
  // The time derivative is switched off again however this ends.
  struct SteadyAgain
  {
    Simulator<dim> &simulator;
    ~SteadyAgain()
    {
      simulator.thermal.set_time_derivative(0, nullptr);
      simulator.time_levels.clear();
      simulator.level_times.clear();
    }
  } steady_again{*this};
  time_levels = {temperature};
  level_times = {0.};
  const VectorType start(temperature);
  double           t = 0, dt = tp.time_step, rate = 0;
  unsigned int     accepted = 0, rejected = 0, picard = 0;
  bool             relaxed = false, failed = false, beyond_limit = false;
  Timer            clock;
  // The accepted steps' (t, I, V), rows of relaxation.csv as they come.
  std::vector<std::array<double, 3>> history;
  std::ofstream                      table;
  if (Utilities::MPI::this_mpi_process(comm) == 0)
  {
    const std::string name  = parameters.output.directory + "/relaxation.csv";
    const bool        fresh = !std::filesystem::exists(name);
    table.open(name, std::ios::app);
    if (fresh)
      table << "sweep_step,control,time_s,time_step_s,current_A,voltage_V,"
               "temperature_max_K,metal_volume_fraction,max_rate_K_per_s,"
               "stagnation_error_K\n";
    table << std::setprecision(10);
  }
  pcout << "  Relaxation in time at " << (current ? "I = " : "V_s = ")
        << std::scientific << std::setprecision(6) << drive
        << (current ? " A" : " V")
        << " from the present state (subsection Time's scheme and "
           "step control), until max|dT/dt| < "
        << std::setprecision(3) << sweep.relaxation_rate << " K/s" << std::endl;
  while (true)
  {
    // A last step already below the rate, but solved too loosely to
    // resolve it, gets its resolving step even at the time limit.
    const bool unresolved = accepted > 0 && rate < sweep.relaxation_rate;
    if (t >= sweep.max_relaxation_time && !(unresolved && !beyond_limit))
    {
      pcout << "  Relaxation: max|dT/dt| = " << std::scientific
            << std::setprecision(3) << rate << " K/s at t = " << t
            << " s, the end of 'Sweep/Maximum relaxation time'" << std::endl;
      break;
    }
    const double    t_new = t + dt;
    Summary         step_summary;
    TimeStepAttempt attempt;
    try
    {
      // The first step has no rate to resolve yet.
      attempt = attempt_time_step(
          t_new,
          drive,
          accepted == 0 ? 0 : std::max(sweep.relaxation_rate, rate),
          step_summary);
    }
    catch (const ConvergenceError &e)
    {
      pcout << "  " << e.what() << std::endl;
      attempt.converged = false;
    }
    picard += step_summary.picard_iterations;
    if (!attempt.converged || (std::isfinite(attempt.estimate) &&
                               attempt.estimate > tp.error_tolerance))
    {
      ++rejected;
      if (dt <= tp.min_time_step * (1 + 1e-12))
      {
        pcout << "  Relaxation failed at t = " << std::scientific
              << std::setprecision(3) << t
              << " s: a step of 'Time/Minimum time step' was rejected"
              << std::endl;
        failed = true;
        break;
      }
      dt = attempt.converged
               ? next_time_step(dt, attempt.estimate, attempt.order, false)
               : std::max(tp.min_time_step, dt / 2);
      continue;
    }
    rate = accept_time_step(t_new);
    history.push_back({{t_new, electric.current(), electric.voltage()}});
    const double T_max = time_levels[0].linfty_norm();
    if (table.is_open())
      table << summary.sweep.step << ',' << drive << ',' << t_new << ','
            << t_new - t << ',' << electric.current() << ','
            << electric.voltage() << ',' << T_max << ','
            << electric.metal_volume_fraction() << ',' << rate << ','
            << attempt.stagnation_error << '\n'
            << std::flush;
    // An accepted step that started at the limit was the resolving one.
    beyond_limit = t >= sweep.max_relaxation_time;
    t            = t_new;
    ++accepted;
    // Below the rate, and by more than the step's nonlinear error can
    // fake (else one more step, solved to resolve the rate).
    relaxed = rate < sweep.relaxation_rate &&
              attempt.resolved_rate <= sweep.relaxation_rate;
    if (accepted % 10 == 0 || relaxed)
      pcout << "  Relaxation step " << accepted << ": t = " << std::scientific
            << std::setprecision(4) << t << " s, dt = " << std::setprecision(3)
            << dt << " s, T_max = " << std::fixed << std::setprecision(2)
            << T_max << " K, max|dT/dt| = " << std::scientific
            << std::setprecision(3) << rate << " K/s (" << std::fixed
            << std::setprecision(1) << clock.wall_time() << " s)" << std::endl;
    if (relaxed)
      break;
    dt = next_time_step(dt, attempt.estimate, attempt.order, true);
  }
  double change = 0;
  for (const auto i : owned_dofs)
    change = std::max(change, std::abs(time_levels[0][i] - start[i]));
  // Summed (the change: the largest) over the relaxations of a step.
  summary.sweep.relaxation_time_s += t;
  summary.sweep.relaxation_steps += accepted;
  summary.sweep.relaxation_change_K = std::max(
      summary.sweep.relaxation_change_K, Utilities::MPI::max(change, comm));
  iterations += picard;
  pcout << "  Relaxation: " << accepted << " steps (" << rejected
        << " rejected), " << picard << " Picard steps, t = " << std::scientific
        << std::setprecision(3) << t << " s" << std::endl;
  // The relaxed state (or the last accepted one) starts the steady solve.
  temperature = time_levels[0];
  if (relaxed)
    return Relaxation::settled;
  if (failed)
    return Relaxation::failed;
  auto              &point = summary.sweep;
  const unsigned int swings =
      time_dependent_statistics(history, current, point);
  pcout << "  No steady state within 'Sweep/Maximum relaxation time': "
        << point.stability << " (" << swings
        << " swings across the mean in the second half); V = "
        << std::scientific << std::setprecision(4) << point.voltage_mean_V
        << " V (" << point.voltage_min_V << " to " << point.voltage_max_V
        << "), I = " << point.current_mean_A << " A (" << point.current_min_A
        << " to " << point.current_max_A << ")" << std::endl;
  return Relaxation::time_limit;
}

template <int dim>
std::vector<Summary>
Simulator<dim>::run_transient(const RunState *resume)
{
  const TimeParameters &tp = parameters.time;
  const bool current = parameters.electric.control == ControlType::current;
  if (!tp.drive.empty())
  {
    drive_function = std::make_unique<FunctionParser<1>>(1);
    drive_function->initialize("t",
                               tp.drive,
                               {{"I0", parameters.electric.current},
                                {"V0", parameters.electric.voltage},
                                {"pi", M_PI}});
  }
  std::vector<Summary> steps;
  const std::string    directory = parameters.output.directory;
  double               t = 0, dt = tp.time_step;
  unsigned int         rejected = 0, n_outputs = 0;
  if (resume)
  {
    // The levels, their times, the memory and the series are restored.
    steps     = resume->summaries;
    t         = resume->time;
    dt        = resume->time_step;
    rejected  = resume->rejected;
    n_outputs = resume->n_outputs;
  }
  else
  {
    VectorType owned(owned_dofs, comm);
    owned = temperature;
    initial_uniform_temperature =
        owned.min() == owned.max() ? owned.max()
                                   : std::numeric_limits<double>::quiet_NaN();
    field_output.start_series("transient");
    n_adaptations = 0;
    time_levels   = {temperature};
    level_times   = {0.};
  }
  // The state a checkpoint resumes from: after the accepted step at t,
  // the next attempt with dt.
  const auto state_now = [&]()
  {
    RunState state  = checkpoint_state("transient");
    state.time      = t;
    state.time_step = dt;
    state.rejected  = rejected;
    state.n_outputs = n_outputs;
    state.summaries = steps;
    return state;
  };
  Timer clock;
  pcout << "Time-dependent run to t = " << std::scientific
        << std::setprecision(4) << tp.end_time << " s, "
        << (tp.scheme == TimeScheme::bdf2 ? "BDF2" : "implicit Euler") << ", "
        << (tp.adaptive
                ? "adaptive steps (error tolerance " +
                      Utilities::to_string(tp.error_tolerance) + " K) from "
                : "fixed steps of ")
        << tp.time_step << " s, from " << initial_condition << " at t = 0"
        << std::endl;

  const auto write_tables = [&]()
  {
    write_summary_file(directory + "/summary.json", steps, "steps");
    write_time_table(directory + "/time.csv", steps);
  };
  // Stop with the last state written: the failed attempt's iterate.
  const auto fail = [&](Summary &summary, const std::string &why)
  {
    summary.time.step           = steps.size() + 1;
    summary.time.rejected_steps = rejected;
    summary.converged           = false;
    postprocess(summary, n_outputs++, true, summary.time.time_s);
    steps.push_back(summary);
    write_tables();
    report(summary);
    timer.print_wall_time_statistics(comm);
    throw ConvergenceError(why +
                           " The last state (not converged) is "
                           "written to " +
                           directory + ".");
  };

  // Stop a hair before t_end rather than take a step of round-off size.
  while (t < tp.end_time * (1 - 1e-12))
  {
    const double step  = std::min(dt, tp.end_time - t);
    const double t_new = (step == tp.end_time - t) ? tp.end_time : t + step;
    const unsigned int order = time_order();
    const double       drive = drive_at(t_new);
    Summary            summary;
    summary.initial_condition = initial_condition;
    summary.time.time_s       = t_new;
    summary.time.time_step_s  = step;
    summary.time.control      = drive;
    pcout << "Step " << steps.size() + 1 << ": t = " << std::scientific
          << std::setprecision(6) << t_new
          << " s, dt = " << std::setprecision(3) << step << " s, "
          << (current ? "I = " : "V_s = ") << std::setprecision(6) << drive
          << (current ? " A" : " V") << (order == 1 ? " (Euler)" : "")
          << std::endl;
    TimeStepAttempt attempt;
    try
    {
      // With 'Steady-state rate': the steps resolve the larger of it and
      // the last step's rate (the first step has none yet).
      const double rate =
          tp.steady_rate > 0 && !steps.empty()
              ? std::max(tp.steady_rate, steps.back().time.max_rate_K_per_s)
              : 0;
      attempt = attempt_time_step(t_new, drive, rate, summary);
    }
    catch (const Interrupted &e)
    {
      // The step is repeated from the accepted levels on restart.
      RunState state = state_now();
      stop_with_checkpoint(
          state,
          e.signal(),
          "in the time step to t = " + Utilities::to_string(t_new) + " s");
    }
    if (!attempt.converged)
    {
      ++rejected;
      if (step / 2 < tp.min_time_step)
        fail(summary,
             "the staggered iteration did not converge in the time step "
             "to t = " +
                 Utilities::to_string(t_new) +
                 " s, and halving it would "
                 "go below 'Time/Minimum time step' (" +
                 Utilities::to_string(tp.min_time_step) + " s).");
      dt = step / 2;
      pcout << "  No convergence: the step is repeated with dt = "
            << std::scientific << std::setprecision(3) << dt << " s"
            << std::endl;
      continue;
    }
    const double estimate = attempt.estimate;
    if (std::isfinite(estimate) && estimate > tp.error_tolerance)
    {
      ++rejected;
      if (step <= tp.min_time_step * (1 + 1e-12))
        fail(summary,
             "the local error estimate " + Utilities::to_string(estimate) +
                 " K exceeds 'Time/Error tolerance' (" +
                 Utilities::to_string(tp.error_tolerance) +
                 " K) at 'Time/Minimum time step'.");
      dt = next_time_step(step, estimate, order, false);
      pcout << "  Local error " << std::scientific << std::setprecision(3)
            << estimate << " K > " << tp.error_tolerance
            << " K: the step is repeated with dt = " << dt << " s" << std::endl;
      continue;
    }

    // Accepted.
    const double rate = accept_time_step(t_new);
    t                 = t_new;

    summary.time.step               = steps.size() + 1;
    summary.time.error_estimate_K   = estimate;
    summary.time.rejected_steps     = rejected;
    summary.time.max_rate_K_per_s   = rate;
    summary.time.stagnation_error_K = attempt.stagnation_error;
    summary.converged               = true;
    rejected                        = 0;
    // Below the rate by more than the step's nonlinear error can fake
    // (else one more step, solved to resolve it).
    const bool steady = tp.steady_rate > 0 && rate < tp.steady_rate &&
                        attempt.resolved_rate <= tp.steady_rate;
    const bool last = steady || !(t < tp.end_time * (1 - 1e-12));
    const bool write_fields =
        last || summary.time.step % tp.output_interval == 0;
    postprocess(summary, n_outputs, write_fields, t);
    if (write_fields && parameters.output.write_fields)
      ++n_outputs;
    steps.push_back(summary);
    write_tables();
    pcout << std::scientific << std::setprecision(6) << "  t = " << t
          << " s: V = " << summary.voltage_V << " V, I = " << summary.current_A
          << " A, T_max = " << summary.temperature_max_K
          << " K, metal fraction = " << summary.metal_volume_fraction
          << ", max|dT/dt| = " << std::setprecision(3) << rate << " K/s";
    if (std::isfinite(estimate))
      pcout << ", local error " << estimate << " K";
    if (attempt.stagnation_error > 0)
      pcout << ", accepted at a stagnation with a nonlinear error of "
            << attempt.stagnation_error << " K";
    pcout << ", " << summary.picard_iterations << " Picard steps ("
          << std::fixed << std::setprecision(1) << clock.wall_time() << " s)"
          << std::endl;
    if (steady)
    {
      pcout << "Steady state: max|dT/dt| = " << std::scientific
            << std::setprecision(3) << rate
            << " K/s is below 'Time/Steady-state rate' (" << tp.steady_rate
            << " K/s) at t = " << t << " s" << std::endl;
      RunState state = state_now();
      checkpoint_point(state, summary.time.step, true, "");
      break;
    }

    dt = next_time_step(step, estimate, order, true);

    if (adaptation.enabled() && tp.adaptation_interval > 0 &&
        summary.time.step % tp.adaptation_interval == 0)
    {
      // The interface of the accepted state; T^n, its history and the
      // phase memory move to the new mesh. (n_adaptations counts them
      // over the whole run: the summary's mesh_adaptations.) The
      // interface moves in time: each adaptation is a stage of its own,
      // free to coarsen what the last one refined.
      adaptation.begin_stage();
      if (adapt_to_interface())
        time_levels[0] = temperature;
    }
    RunState state = state_now();
    checkpoint_point(state,
                     summary.time.step,
                     last,
                     "after the time step to t = " + Utilities::to_string(t) +
                         " s");
  }
  timer.print_wall_time_statistics(comm);
  pcout << "Time table written to " << directory << "/time.csv" << std::endl;
  return steps;
}

template <int dim>
void
Simulator<dim>::evaluate_transient_wire_verification(Summary &summary) const
{
  // The wire of the Joule-heating paper with a uniform current (the
  // insulating phase throughout), time-dependent:
  //  - isolated (no heat leaves): C dT/dt = Q(t) = rho j(t)^2 uniformly,
  //    T(t) = T_init + int_0^t Q/C;
  //  - radiating from its lateral faces only, constant drive: the uniform
  //    T solves C dT/dt = Q - k (T^4 - T_env^4), k = eps sigma_SB A/V,
  //    whose solution is known implicitly (below).
  const auto  &m     = parameters.material;
  const auto  &t     = parameters.thermal;
  const double h     = geometry.thickness;
  const double L     = geometry.length;
  const double W     = geometry.width;
  const double C     = m.heat_capacity_insulator;
  const double rho   = m.resistivity_insulator;
  const double R     = rho * L / (W * h);
  const double time  = summary.time.time_s;
  const double T_ini = initial_uniform_temperature;
  auto        &v     = summary.verification;
  // j(s) of the drive: the current, or the sample's share of V_s.
  const auto joule_density = [&](const double s)
  {
    const double d = drive_at(s);
    const double I = parameters.electric.control == ControlType::current
                         ? d
                         : d / (R + parameters.electric.load_resistance);
    const double j = I / (W * h);
    return rho * j * j;
  };
  const double Q              = joule_density(time);
  v["joule_density_W_per_m3"] = Q;
  if (!std::isfinite(T_ini))
    return;
  const double volume = L * W * h;
  if (t.emissivity.empty())
  {
    // Composite Gauss quadrature of Q over [0, t] (exact for polynomial
    // drives up to degree 9 in Q).
    const QIterated<1> rule(QGauss<1>(5), 1000);
    double             integral = 0;
    for (unsigned int q = 0; q < rule.size(); ++q)
      integral += joule_density(rule.point(q)[0] * time) * rule.weight(q);
    integral *= time;
    const double rise = integral / C;
    v["rise_exact_K"] = rise;
    v["rise_relative_error"] =
        std::abs(summary.temperature_mean_K - T_ini - rise) / rise;
    // dT/dt of the scheme, from the heat stored: (C dT/dt, 1)/(C V).
    v["heating_rate_exact_K_per_s"] = Q / C;
    v["heating_rate_relative_error"] =
        std::abs(summary.time.heat_stored_W / (C * volume) - Q / C) / (Q / C);
    return;
  }
  // Radiating: a^4 = T_env^4 + Q/k is the steady temperature, and
  //   int dT/(a^4 - T^4) = F(T)/(4 a^3),
  //   F(T) = ln((a + T)/(a - T)) + 2 atan(T/a),
  // so t = C/(4 k a^3) (F(T(t)) - F(T_init)); T(t) by bisection. Needs a
  // constant drive.
  if (drive_function)
    return;
  const double k = stefan_boltzmann * emissivity_weighted_area() / volume;
  const double a =
      std::pow(std::pow(t.environment_temperature, 4) + Q / k, 0.25);
  if (!(T_ini < a)) // heating only
    return;
  const auto F = [a](const double T)
  { return std::log((a + T) / (a - T)) + 2 * std::atan(T / a); };
  const double c        = C / (4 * k * a * a * a);
  const auto   residual = [&](const double T)
  { return c * (F(T) - F(T_ini)) - time; };
  // T(t) lies between T_init and a; the residual is increasing in T.
  const auto bracket =
      boost::math::tools::bisect(residual,
                                 T_ini,
                                 a * (1 - 1e-15),
                                 boost::math::tools::eps_tolerance<double>(50));
  const double T_exact             = 0.5 * (bracket.first + bracket.second);
  v["uniform_temperature_exact_K"] = T_exact;
  v["uniform_temperature_relative_error"] =
      std::max(std::abs(summary.temperature_max_K - T_exact),
               std::abs(summary.temperature_mean_K - T_exact)) /
      T_exact;
  v["steady_temperature_K"] = a;
}

template class Simulator<2>;
template class Simulator<3>;
} // namespace imtsim
