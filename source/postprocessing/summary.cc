#include <deal.II/base/convergence_table.h>
#include <deal.II/base/mpi.h>
#include <deal.II/base/table_handler.h>
#include <deal.II/fe/mapping_q1.h>
#include <deal.II/numerics/vector_tools_evaluate.h>

#include <imtsim/postprocessing/atomic_file.h>
#include <imtsim/postprocessing/summary.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <iomanip>
#include <limits>

namespace imtsim
{
void
Summary::write_json(std::ostream &out, const unsigned int indent) const
{
  const std::string pad(indent, ' ');
  out << std::setprecision(12);
  auto num = [&](const std::string &key, const double v, const bool last)
  {
    out << pad << "  \"" << key << "\": ";
    if (std::isfinite(v))
      out << v;
    else
      out << "null";
    out << (last ? "\n" : ",\n");
  };
  out << pad << "{\n";
  num("cycle", cycle, false);
  num("n_active_cells", n_active_cells, false);
  num("n_dofs", n_dofs, false);
  num("current_A", current_A, false);
  num("voltage_V", voltage_V, false);
  num("temperature_mean_K", temperature_mean_K, false);
  num("temperature_top_mean_K", temperature_top_mean_K, false);
  num("temperature_max_K", temperature_max_K, false);
  num("metal_volume_fraction", metal_volume_fraction, false);
  num("metal_volume_fraction_drain_half",
      metal_volume_fraction_drain_half,
      false);
  num("metal_extent_drain_m", metal_extent_drain_m, false);
  num("metal_extent_source_m", metal_extent_source_m, false);
  num("metal_thickness_mid_m", metal_thickness_mid_m, false);
  out << pad << "  \"metal_pattern\": \"" << metal_pattern << "\",\n";
  num("joule_power_W", joule_power_W, false);
  num("peltier_power_W", peltier_power_W, false);
  num("heat_out_W", heat_out_W, false);
  num("heat_out_direct_W", heat_out_direct_W, false);
  num("heat_out_contact_W", heat_out_contact_W, false);
  num("heat_out_radiation_W", heat_out_radiation_W, false);
  out << pad << "  \"heat_out_by_boundary_W\": {";
  for (auto it = heat_out_by_boundary_W.begin();
       it != heat_out_by_boundary_W.end();
       ++it)
    out << (it == heat_out_by_boundary_W.begin() ? "" : ", ") << "\""
        << it->first << "\": " << it->second;
  out << "},\n";
  num("energy_balance_relative_error", energy_balance_relative_error, false);
  num("energy_balance_direct_relative_error",
      energy_balance_direct_relative_error,
      false);
  num("picard_iterations", picard_iterations, false);
  num("mesh_adaptations", mesh_adaptations, false);
  num("retries", retries, false);
  if (sweep.step >= 0)
  {
    num("sweep_step", sweep.step, false);
    num("polarity", sweep.polarity, false);
    out << pad << "  \"direction\": \"" << sweep.direction << "\",\n";
    num("control", sweep.control, false);
    num("source_voltage_V", sweep.source_voltage_V, false);
    out << pad << "  \"stability\": \"" << sweep.stability << "\",\n";
    num("jump_from", sweep.jump_from, false);
    num("jump_at", sweep.jump_at, false);
    num("relaxation_time_s", sweep.relaxation_time_s, false);
    num("relaxation_steps", sweep.relaxation_steps, false);
    num("relaxation_change_K", sweep.relaxation_change_K, false);
    num("stagnation_error_K", sweep.stagnation_error_K, false);
    num("voltage_mean_V", sweep.voltage_mean_V, false);
    num("voltage_min_V", sweep.voltage_min_V, false);
    num("voltage_max_V", sweep.voltage_max_V, false);
    num("current_mean_A", sweep.current_mean_A, false);
    num("current_min_A", sweep.current_min_A, false);
    num("current_max_A", sweep.current_max_A, false);
  }
  else if (sweep.relaxation_steps > 0)
  {
    // A steady run relaxed in time ('Mesh/Relax after adaptation').
    num("relaxation_time_s", sweep.relaxation_time_s, false);
    num("relaxation_steps", sweep.relaxation_steps, false);
    num("relaxation_change_K", sweep.relaxation_change_K, false);
  }
  if (time.step >= 0)
  {
    num("time_step", time.step, false);
    num("time_s", time.time_s, false);
    num("time_step_s", time.time_step_s, false);
    num("control", time.control, false);
    num("heat_stored_W", time.heat_stored_W, false);
    num("max_rate_K_per_s", time.max_rate_K_per_s, false);
    num("error_estimate_K", time.error_estimate_K, false);
    num("rejected_steps", time.rejected_steps, false);
    num("stagnation_error_K", time.stagnation_error_K, false);
  }
  if (two_temperature.enabled)
  {
    const auto &t = two_temperature;
    out << pad << "  \"two_temperature\": {\"phase_temperature\": \""
        << t.phase_temperature << "\", \"electron_max_K\": " << t.electron_max_K
        << ", \"lattice_max_K\": " << t.lattice_max_K
        << ", \"electron_mean_K\": " << t.electron_mean_K
        << ", \"lattice_mean_K\": " << t.lattice_mean_K
        << ", \"electron_minus_lattice_max_K\": " << t.difference_max_K
        << ", \"electron_minus_lattice_min_K\": " << t.difference_min_K
        << ", \"exchange_W\": " << t.exchange_W << "},\n";
  }
  out << pad << "  \"converged\": " << (converged ? "true" : "false") << ",\n";
  out << pad << "  \"initial_condition\": \"" << initial_condition << "\",\n";
  out << pad << "  \"verification\": {";
  bool first = true;
  for (const auto &[key, value] : verification)
  {
    out << (first ? "\n" : ",\n") << pad << "    \"" << key << "\": ";
    if (std::isfinite(value))
      out << value;
    else
      out << "null";
    first = false;
  }
  out << (first ? "},\n" : "\n" + pad + "  },\n");
  num("wall_time_s", wall_time_s, true);
  out << pad << "}";
}

void
write_summary_file(const std::string          &filename,
                   const std::vector<Summary> &cycles,
                   const std::string          &list_key)
{
  if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) != 0 || cycles.empty())
    return;
  write_atomically(filename,
                   [&](std::ostream &out)
                   {
                     out << "{\n  \"" << list_key << "\": [\n";
                     for (unsigned int i = 0; i < cycles.size(); ++i)
                     {
                       cycles[i].write_json(out, 4);
                       out << (i + 1 < cycles.size() ? ",\n" : "\n");
                     }
                     out << "  ],\n  \"final\":\n";
                     cycles.back().write_json(out, 2);
                     out << "\n}\n";
                   });
}

void
write_sweep_table(const std::string          &filename,
                  const std::vector<Summary> &steps)
{
  if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) != 0)
    return;
  // The analytic values of a benchmark, where the run has them.
  const std::vector<std::string> benchmark = {
      "voltage_exact_V", "thickness_exact_m", "j0_over_j_cr"};
  write_atomically(
      filename,
      [&](std::ostream &out)
      {
        out << "step,polarity,direction,control,current_A,voltage_V,"
               "source_voltage_V,temperature_mean_K,temperature_top_mean_K,"
               "temperature_max_K,metal_volume_fraction,"
               "metal_volume_fraction_drain_half,metal_extent_drain_m,"
               "metal_extent_source_m,metal_thickness_mid_m,joule_power_W,"
               "peltier_power_W,heat_out_W,energy_balance_relative_error,"
               "picard_iterations,n_dofs,mesh_adaptations,converged,stability,"
               "metal_pattern,jump_from,jump_at,relaxation_time_s,"
               "relaxation_change_K,stagnation_error_K,voltage_mean_V,"
               "voltage_min_V,"
               "voltage_max_V,current_mean_A,current_min_A,current_max_A";
        for (const auto &key : benchmark)
          out << ',' << key;
        out << '\n' << std::setprecision(10);
        for (const Summary &s : steps)
        {
          out << s.sweep.step << ',' << s.sweep.polarity << ','
              << s.sweep.direction << ',' << s.sweep.control << ','
              << s.current_A << ',' << s.voltage_V << ','
              << s.sweep.source_voltage_V << ',' << s.temperature_mean_K << ','
              << s.temperature_top_mean_K << ',' << s.temperature_max_K << ','
              << s.metal_volume_fraction << ','
              << s.metal_volume_fraction_drain_half << ','
              << s.metal_extent_drain_m << ',' << s.metal_extent_source_m << ','
              << s.metal_thickness_mid_m << ',' << s.joule_power_W << ','
              << s.peltier_power_W << ',' << s.heat_out_W << ','
              << s.energy_balance_relative_error << ',' << s.picard_iterations
              << ',' << s.n_dofs << ',' << s.mesh_adaptations << ','
              << (s.converged ? 1 : 0) << ',' << s.sweep.stability << ','
              << s.metal_pattern << ',';
          // Empty where the step had no jump, no relaxation, or a
          // steady state.
          const auto cell = [&](const double value, const bool last = false)
          {
            if (std::isfinite(value))
              out << value;
            if (!last)
              out << ',';
          };
          cell(s.sweep.jump_from);
          cell(s.sweep.jump_at);
          if (s.sweep.relaxation_steps > 0)
            out << s.sweep.relaxation_time_s << ','
                << s.sweep.relaxation_change_K << ','
                << s.sweep.stagnation_error_K << ',';
          else
            out << ",,,";
          cell(s.sweep.voltage_mean_V);
          cell(s.sweep.voltage_min_V);
          cell(s.sweep.voltage_max_V);
          cell(s.sweep.current_mean_A);
          cell(s.sweep.current_min_A);
          cell(s.sweep.current_max_A, true);
          for (const auto &key : benchmark)
          {
            out << ',';
            if (s.verification.count(key))
              out << s.verification.at(key);
          }
          out << '\n';
        }
      });
}

void
write_time_table(const std::string &filename, const std::vector<Summary> &steps)
{
  if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) != 0 || steps.empty())
    return;
  // The benchmark's numbers, as the last step has them.
  std::vector<std::string> benchmark;
  for (const auto &[key, v] : steps.back().verification)
    benchmark.push_back(key);
  write_atomically(
      filename,
      [&](std::ostream &out)
      {
        out << "step,time_s,time_step_s,control,current_A,voltage_V,"
               "source_voltage_V,temperature_mean_K,temperature_top_mean_K,"
               "temperature_max_K,metal_volume_fraction,"
               "metal_volume_fraction_drain_half,metal_extent_drain_m,"
               "metal_extent_source_m,metal_thickness_mid_m,joule_power_W,"
               "peltier_power_W,heat_out_W,heat_stored_W,"
               "energy_balance_relative_error,max_rate_K_per_s,"
               "error_estimate_K,stagnation_error_K,rejected_steps,"
               "picard_iterations,n_dofs,"
               "mesh_adaptations,converged";
        for (const auto &key : benchmark)
          out << ',' << key;
        out << '\n' << std::setprecision(10);
        for (const Summary &s : steps)
        {
          out << s.time.step << ',' << s.time.time_s << ','
              << s.time.time_step_s << ',' << s.time.control << ','
              << s.current_A << ',' << s.voltage_V << ','
              << s.sweep.source_voltage_V << ',' << s.temperature_mean_K << ','
              << s.temperature_top_mean_K << ',' << s.temperature_max_K << ','
              << s.metal_volume_fraction << ','
              << s.metal_volume_fraction_drain_half << ','
              << s.metal_extent_drain_m << ',' << s.metal_extent_source_m << ','
              << s.metal_thickness_mid_m << ',' << s.joule_power_W << ','
              << s.peltier_power_W << ',' << s.heat_out_W << ','
              << s.time.heat_stored_W << ',' << s.energy_balance_relative_error
              << ',' << s.time.max_rate_K_per_s << ',';
          if (std::isfinite(s.time.error_estimate_K))
            out << s.time.error_estimate_K;
          out << ',' << s.time.stagnation_error_K << ','
              << s.time.rejected_steps << ',' << s.picard_iterations << ','
              << s.n_dofs << ',' << s.mesh_adaptations << ','
              << (s.converged ? 1 : 0);
          for (const auto &key : benchmark)
          {
            out << ',';
            if (s.verification.count(key))
              out << s.verification.at(key);
          }
          out << '\n';
        }
      });
}

namespace
{
/** The columns of the convergence table: key and value of a summary. */
const std::vector<std::pair<std::string, double Summary::*>> &
convergence_quantities()
{
  static const std::vector<std::pair<std::string, double Summary::*>> q = {
      {"voltage_V", &Summary::voltage_V},
      {"temperature_mean_K", &Summary::temperature_mean_K},
      {"temperature_max_K", &Summary::temperature_max_K},
      {"metal_volume_fraction", &Summary::metal_volume_fraction},
      {"metal_thickness_mid_m", &Summary::metal_thickness_mid_m},
      {"metal_extent_drain_m", &Summary::metal_extent_drain_m},
      {"metal_extent_source_m", &Summary::metal_extent_source_m},
      {"joule_power_W", &Summary::joule_power_W}};
  return q;
}

/** A column of the errors table: an error whose exact value is zero, and
 *  the level below which it is round-off, where a rate of it would be a
 *  rate of round-off and is left out. */
struct ErrorColumn
{
  std::string                            key;
  std::function<double(const Summary &)> value;
  double                                 round_off;
};

/** The errors of every cycle: the direct-flux energy balance (an identity
 *  of the exact solution; below 1e-9 it is round-off, the solvers'
 *  relative tolerances being 1e-12 and below), and with a benchmark the
 *  errors against its analytic solution (the verification entries named
 *  *error* that every cycle has). */
std::vector<ErrorColumn>
error_columns(const std::vector<Summary> &cycles)
{
  std::vector<ErrorColumn> columns = {
      {"energy_balance_direct_relative_error",
       [](const Summary &s) { return s.energy_balance_direct_relative_error; },
       1e-9}};
  for (const auto &[key, v] : cycles.back().verification)
    if (key.find("error") != std::string::npos &&
        std::all_of(cycles.begin(),
                    cycles.end(),
                    [&k = key](const Summary &s)
                    { return s.verification.count(k) > 0; }))
      columns.push_back({key,
                         [k = key](const Summary &s)
                         { return s.verification.at(k); },
                         0.});
  return columns;
}
} // namespace

namespace
{
/** Adds @p value to the column @p key of @p table, in scientific notation
 *  with @p precision digits. */
void
add_scientific(TableHandler      &table,
               const std::string &key,
               const double       value,
               const unsigned int precision)
{
  table.add_value(key, value);
  table.set_scientific(key, true);
  table.set_precision(key, precision);
}

/** The tables of write_convergence_table(). */
void
write_convergence_text(std::ostream               &out,
                       const std::vector<Summary> &cycles,
                       const unsigned int          dim)
{
  const std::vector<ErrorColumn> error_cols = error_columns(cycles);
  const ErrorColumn             &balance    = error_cols.front();
  TableHandler                   values;
  for (const Summary &s : cycles)
  {
    values.add_value("cycle", s.cycle);
    values.add_value("cells", s.n_active_cells);
    values.add_value("dofs", s.n_dofs);
    for (const auto &[key, member] : convergence_quantities())
      add_scientific(values, key, s.*member, 8);
    add_scientific(values, balance.key, balance.value(s), 8);
  }
  out << "# Quantities of interest per refinement cycle (SI units).\n";
  values.write_text(out, TableHandler::org_mode_table);
  if (cycles.size() < 2)
    return;

  // Differences from the finest cycle (so the finest row is left out)
  // and their observed rate in h: dim log(e_k-1 / e_k) / log(N_k / N_k-1).
  ConvergenceTable errors;
  const Summary   &finest = cycles.back();
  for (unsigned int c = 0; c + 1 < cycles.size(); ++c)
  {
    errors.add_value("cycle", cycles[c].cycle);
    errors.add_value("dofs", cycles[c].n_dofs);
    for (const auto &[key, member] : convergence_quantities())
      add_scientific(
          errors, key, std::abs(cycles[c].*member - finest.*member), 3);
  }
  // Rates need two differences, and only mean something where none is
  // zero (e.g. no metal on any mesh).
  if (cycles.size() > 2)
    for (const auto &[key, member] : convergence_quantities())
      if (std::all_of(cycles.begin(),
                      cycles.end() - 1,
                      [&, m = member](const Summary &s)
                      { return s.*m != finest.*m; }))
        errors.evaluate_convergence_rates(
            key, "dofs", ConvergenceTable::reduction_rate_log2, dim);
  out << "\n# Differences from the finest cycle (" << finest.n_dofs
      << " DoFs per field) and observed rates in h ~ dofs^(-1/" << dim
      << ").\n";
  errors.write_text(out, TableHandler::org_mode_table);

  // Errors, whose exact value is zero, every cycle, with rates where they
  // are above round-off on every cycle.
  ConvergenceTable exact;
  for (const Summary &s : cycles)
  {
    exact.add_value("cycle", s.cycle);
    exact.add_value("dofs", s.n_dofs);
    for (const ErrorColumn &column : error_cols)
      add_scientific(exact, column.key, column.value(s), 3);
  }
  for (const ErrorColumn &column : error_cols)
    if (std::all_of(cycles.begin(),
                    cycles.end(),
                    [&](const Summary &s)
                    { return std::abs(column.value(s)) > column.round_off; }))
      exact.evaluate_convergence_rates(
          column.key, "dofs", ConvergenceTable::reduction_rate_log2, dim);
  out << "\n# Errors, every cycle, and observed rates in h ~ dofs^(-1/" << dim
      << "): the direct-flux energy balance (no rate where it is below "
      << balance.round_off << ", round-off)"
      << (error_cols.size() > 1
              ? " and the errors against the analytic solution"
              : "")
      << ".\n";
  exact.write_text(out, TableHandler::org_mode_table);
}
} // namespace

void
write_convergence_table(const std::string          &filename,
                        const std::vector<Summary> &cycles,
                        const unsigned int          dim)
{
  if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) != 0 || cycles.empty())
    return;
  write_atomically(filename,
                   [&](std::ostream &out)
                   { write_convergence_text(out, cycles, dim); });
}

template <int dim>
SummaryEvaluator<dim>::SummaryEvaluator(const Parameters          &parameters,
                                        const SampleGeometry<dim> &geometry)
    : parameters(parameters), geometry(geometry)
{
}

template <int dim>
std::vector<double>
SummaryEvaluator<dim>::sample(const DoFHandler<dim>         &dof_handler,
                              const VectorType              &temperature,
                              const std::vector<Point<dim>> &points) const
{
  // Nudge the points into the box so that the point search finds a cell.
  std::vector<Point<dim>> inside(points);
  const double            eps = 1e-10 * geometry.thickness;
  for (auto &p : inside)
  {
    p[0] = std::clamp(p[0], eps, geometry.length - eps);
    if (dim == 3)
      p[1] = std::clamp(p[1], eps, geometry.width - eps);
    p[dim - 1] = std::clamp(p[dim - 1], eps, geometry.thickness - eps);
  }
  Utilities::MPI::RemotePointEvaluation<dim> cache;
  std::vector<double> values = VectorTools::point_values<1>(
      MappingQ1<dim>(), dof_handler, temperature, inside, cache);
  // A point outside the sample (a notch of a mesh file across the centre
  // line) counts as insulating: the metal extents stop there.
  for (unsigned int i = 0; i < values.size(); ++i)
    if (!cache.point_found(i))
      values[i] = -std::numeric_limits<double>::infinity();
  return values;
}

namespace
{
/**
 * Walk along samples T[0..n) from index 0 (distance s[i] from the start)
 * and return the far edge of the first metal run if it starts within
 * half the length, else 0. Crossings are interpolated linearly.
 */
double
extent_from_end(const std::vector<double> &T,
                const std::vector<double> &s,
                const double               T_mit,
                const double               half)
{
  const unsigned int n     = T.size();
  unsigned int       first = 0;
  while (first < n && !(T[first] > T_mit))
    ++first;
  if (first == n || s[first] > half)
    return 0;
  unsigned int last = first;
  while (last + 1 < n && T[last + 1] > T_mit)
    ++last;
  if (last + 1 == n)
    return s[n - 1];
  const double t = (T[last] - T_mit) / (T[last] - T[last + 1]);
  return s[last] + t * (s[last + 1] - s[last]);
}
} // namespace

template <int dim>
void
SummaryEvaluator<dim>::evaluate(const DoFHandler<dim> &dof_handler,
                                PhaseQuadrature<dim>  &quadrature,
                                const VectorType      &temperature,
                                Summary               &summary) const
{
  const MPI_Comm  comm = dof_handler.get_communicator();
  const PhaseLaw &law  = quadrature.get_law();
  // Metal in the half of the sample nearer the drain (distance along x
  // from the drain end below L/2).
  const double x_drain          = geometry.drain_end_x();
  double       metal_drain_half = 0;
  double       volume = 0, integral_T = 0, metal = 0, top_area = 0,
         integral_T_top = 0, T_max = -std::numeric_limits<double>::max();
  std::vector<double> T_q;
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
    {
      quadrature.for_each_part(
          cell,
          [&](const FEValues<dim> &fe, const Region region)
          {
            T_q.resize(fe.n_quadrature_points);
            fe.get_function_values(temperature, T_q);
            for (const unsigned int q : fe.quadrature_point_indices())
            {
              volume += fe.JxW(q);
              integral_T += T_q[q] * fe.JxW(q);
              const double m = law.metal_weight(T_q[q], region) * fe.JxW(q);
              metal += m;
              if (std::abs(fe.quadrature_point(q)[0] - x_drain) <
                  0.5 * geometry.length)
                metal_drain_half += m;
            }
          });
      for (const unsigned int f : cell->face_indices())
        if (cell->at_boundary(f) &&
            std::abs(cell->face(f)->center()[dim - 1] - geometry.thickness) <
                1e-8 * geometry.thickness)
          quadrature.for_each_face_part(
              cell,
              f,
              [&](const FEFaceValuesBase<dim> &fe, const Region)
              {
                T_q.resize(fe.n_quadrature_points);
                fe.get_function_values(temperature, T_q);
                for (const unsigned int q : fe.quadrature_point_indices())
                {
                  top_area += fe.JxW(q);
                  integral_T_top += T_q[q] * fe.JxW(q);
                }
              });
    }
  for (const auto i : temperature.locally_owned_elements())
    T_max = std::max(T_max, temperature[i]);

  volume                         = Utilities::MPI::sum(volume, comm);
  integral_T                     = Utilities::MPI::sum(integral_T, comm);
  metal                          = Utilities::MPI::sum(metal, comm);
  top_area                       = Utilities::MPI::sum(top_area, comm);
  integral_T_top                 = Utilities::MPI::sum(integral_T_top, comm);
  summary.temperature_mean_K     = integral_T / volume;
  summary.temperature_top_mean_K = integral_T_top / top_area;
  summary.temperature_max_K      = Utilities::MPI::max(T_max, comm);
  summary.metal_volume_fraction  = metal / volume;
  summary.metal_volume_fraction_drain_half =
      Utilities::MPI::sum(metal_drain_half, comm) / volume;

  // Extents along the top centre line, from each end.
  const unsigned int      n     = parameters.output.centre_line_samples;
  const double            T_mit = law.transition_temperature();
  const double            L     = geometry.length;
  const double            x_d   = geometry.drain_end_x();
  std::vector<Point<dim>> line(n);
  std::vector<double>     s(n);
  for (unsigned int i = 0; i < n; ++i)
  {
    s[i]           = L * i / (n - 1);
    const double x = x_d == 0 ? s[i] : L - s[i];
    line[i]        = geometry.top_centre_point(x);
  }
  // The extents and the thickness are where the phase changes: with
  // hysteresis the isotherm theta = T_up of theta = T - (T_c,h - T_up).
  VectorType theta;
  quadrature.phase_temperature(temperature, theta);
  const std::vector<double> T_line = sample(dof_handler, theta, line);
  summary.metal_extent_drain_m     = extent_from_end(T_line, s, T_mit, 0.5 * L);
  const std::vector<double> T_reversed(T_line.rbegin(), T_line.rend());
  summary.metal_extent_source_m =
      extent_from_end(T_reversed, s, T_mit, 0.5 * L);
  // One run from the drain half into the source half has the far edges
  // of both extents beyond each other; two runs do not reach each other.
  const double from_drain  = summary.metal_extent_drain_m,
               from_source = summary.metal_extent_source_m;
  summary.metal_pattern =
      from_drain > 0 && from_source > 0
          ? (from_drain + from_source > L ? "channel" : "drain+source")
      : from_drain > 0  ? "drain"
      : from_source > 0 ? "source"
                        : "none";

  // Metal thickness from the top at x = L/2.
  const double            h = geometry.thickness;
  std::vector<Point<dim>> vertical(n);
  std::vector<double>     depth(n);
  for (unsigned int i = 0; i < n; ++i)
  {
    depth[i]    = h * i / (n - 1);
    vertical[i] = geometry.centre_point(0.5 * L, h - depth[i]);
  }
  const std::vector<double> T_vertical = sample(dof_handler, theta, vertical);
  summary.metal_thickness_mid_m =
      T_vertical[0] > T_mit ? extent_from_end(T_vertical, depth, T_mit, h) : 0.;
}

template class SummaryEvaluator<2>;
template class SummaryEvaluator<3>;
unsigned int
time_dependent_statistics(const std::vector<std::array<double, 3>> &samples,
                          const bool           current_control,
                          Summary::SweepPoint &point)
{
  if (samples.empty())
    return 0;
  // The window: the samples from the first at or after t_end/2 on (the
  // first half may still hold the way from the previous state).
  const double t_end = samples.back()[0];
  unsigned int first = 0;
  while (first + 1 < samples.size() && samples[first][0] < t_end / 2)
    ++first;
  double I_sum = 0, V_sum = 0;
  point.current_min_A = point.current_max_A = samples[first][1];
  point.voltage_min_V = point.voltage_max_V = samples[first][2];
  for (unsigned int k = first + 1; k < samples.size(); ++k)
  {
    const double dt = samples[k][0] - samples[k - 1][0];
    I_sum += dt * (samples[k][1] + samples[k - 1][1]) / 2;
    V_sum += dt * (samples[k][2] + samples[k - 1][2]) / 2;
    point.current_min_A = std::min(point.current_min_A, samples[k][1]);
    point.current_max_A = std::max(point.current_max_A, samples[k][1]);
    point.voltage_min_V = std::min(point.voltage_min_V, samples[k][2]);
    point.voltage_max_V = std::max(point.voltage_max_V, samples[k][2]);
  }
  const double span    = t_end - samples[first][0];
  point.current_mean_A = span > 0 ? I_sum / span : samples[first][1];
  point.voltage_mean_V = span > 0 ? V_sum / span : samples[first][2];
  const int    column  = current_control ? 2 : 1;
  const double mean =
      current_control ? point.voltage_mean_V : point.current_mean_A;
  const double band =
      (current_control ? point.voltage_max_V - point.voltage_min_V
                       : point.current_max_A - point.current_min_A) /
      4;
  unsigned int swings = 0;
  int          side   = 0; // +1 above the band, -1 below, 0 not yet out
  for (unsigned int k = first; k < samples.size(); ++k)
  {
    const double r   = samples[k][column] - mean;
    const int    now = r > band ? 1 : (r < -band ? -1 : 0);
    if (now != 0 && now != side)
    {
      if (side != 0)
        ++swings;
      side = now;
    }
  }
  point.stability = band > 0 && swings >= 2 ? "oscillating" : "drifting";
  return swings;
}
} // namespace imtsim
