// Test runner for the regression tests (deal.II's DEAL_II_PICKUP_TESTS
// calls it as "imtsim-test-runner name.prm"). It runs the same simulation
// as imtsim, sends the progress report to a log file, and prints to stdout
// only what is deterministic: DoF counts and scaled quantities of interest
// with 6 decimals (numdiff compares them with the stored name.output), and
// the checks of the verification targets with the tolerances of the issue.
// A failed check also makes the exit code non-zero.
#include <deal.II/base/exceptions.h>
#include <deal.II/base/mpi.h>

#include <imtsim/run.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace
{
int n_failed = 0;

void
check(const std::string &what, const bool ok)
{
  std::cout << "  check " << what << ": " << (ok ? "PASS" : "FAIL")
            << std::endl;
  if (!ok)
    ++n_failed;
}

void
value(const std::string &name, const double v)
{
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.6f", v);
  std::cout << "  " << name << " = " << buffer << std::endl;
}
} // namespace

int
main(int argc, char **argv)
{
  dealii::Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  const bool                               root =
      dealii::Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0;
  const int code = imtsim::guarded_main(
      [&]()
      {
        const imtsim::CommandLine c = imtsim::parse_command_line(argc, argv);
        std::ofstream             log(root ? "log.txt" : "/dev/null");
        const auto                summaries = imtsim::run_simulation(c, log);
        if (!root)
          return;
        // A time-dependent run: every step must converge and balance its
        // energy (heat stored included); the last step is printed.
        const bool transient =
            !summaries.empty() && summaries[0].time.step >= 0;
        std::vector<imtsim::Summary> printed = summaries;
        if (transient)
        {
          double       worst_balance = 0;
          bool         all_converged = true;
          unsigned int rejected      = 0;
          for (const auto &s : summaries)
          {
            worst_balance =
                std::max(worst_balance, s.energy_balance_relative_error);
            all_converged = all_converged && s.converged;
            rejected += s.time.rejected_steps;
          }
          std::cout << "time-dependent run: " << summaries.size()
                    << " accepted steps, " << rejected
                    << " rejected, to t = " << summaries.back().time.time_s
                    << " s" << std::endl;
          check("every step converged", all_converged);
          check("energy balance with the heat stored below 1e-6 at every "
                "step",
                worst_balance < 1e-6);
          printed = {summaries.back()};
        }
        for (const auto &s : printed)
        {
          if (s.time.step >= 0)
          {
            std::cout << "step " << s.time.step << " at t = " << s.time.time_s
                      << " s: " << s.n_active_cells << " cells, " << s.n_dofs
                      << " dofs per field" << std::endl;
            value("heat stored / Joule power",
                  s.time.heat_stored_W / s.joule_power_W);
          }
          else if (s.sweep.step >= 0)
          {
            // Arclength steps land wherever the corrector converges: their
            // control value is a result, printed like the others.
            std::cout << "step " << s.sweep.step << " (polarity "
                      << (s.sweep.polarity > 0 ? "+" : "-") << ", "
                      << s.sweep.direction << ", " << s.sweep.stability
                      << "): " << s.n_active_cells << " cells, " << s.n_dofs
                      << " dofs per field" << std::endl;
            value("source voltage [V]", s.sweep.source_voltage_V);
          }
          else
            std::cout << "cycle " << s.cycle << ": " << s.n_active_cells
                      << " cells, " << s.n_dofs << " dofs per field"
                      << std::endl;
          const double T0 = 300; // all tests use T0 = 300 K
          value("voltage [V]", s.voltage_V);
          value("current [mA]", 1e3 * s.current_A);
          value("mean T / T0", s.temperature_mean_K / T0);
          value("top mean T / T0", s.temperature_top_mean_K / T0);
          value("max T / T0", s.temperature_max_K / T0);
          value("metal volume fraction", s.metal_volume_fraction);
          value("metal thickness at L/2 [um]", 1e6 * s.metal_thickness_mid_m);
          value("metal extent from drain [um]", 1e6 * s.metal_extent_drain_m);
          value("metal extent from source [um]", 1e6 * s.metal_extent_source_m);
          value("Joule power / (I V)",
                s.joule_power_W / (s.current_A * s.voltage_V));
          value("Peltier power / Joule power",
                s.peltier_power_W / s.joule_power_W);
          // (Not for a thermally isolated sample: no heat leaves.)
          if (std::abs(s.heat_out_W) > 1e-6 * s.joule_power_W)
            value("direct heat flux / heat out",
                  s.heat_out_direct_W / s.heat_out_W);
          if (s.heat_out_contact_W != 0 || s.heat_out_radiation_W != 0)
          {
            value("contact loss / heat out",
                  s.heat_out_contact_W / s.heat_out_W);
            value("radiation loss / heat out",
                  s.heat_out_radiation_W / s.heat_out_W);
            for (const auto &[name, q] : s.heat_out_by_boundary_W)
              value("heat out through " + name + " / heat out",
                    q / s.heat_out_W);
          }
          const auto &two = s.two_temperature;
          if (two.enabled)
          {
            std::cout << "  two temperatures, the phase follows the "
                      << two.phase_temperature << " temperature" << std::endl;
            value("electron max T / T0", two.electron_max_K / T0);
            value("lattice max T / T0", two.lattice_max_K / T0);
            value("electron mean T / T0", two.electron_mean_K / T0);
            value("lattice mean T / T0", two.lattice_mean_K / T0);
            value("max (T - T_l) / T0", two.difference_max_K / T0);
            value("min (T - T_l) / T0", two.difference_min_K / T0);
            const double sources = s.joule_power_W + s.peltier_power_W;
            value("exchange / (P_Joule + P_Peltier)", two.exchange_W / sources);
            if (two.electrons_adiabatic)
              check("adiabatic electrons pass all their heat to the lattice: "
                    "exchange = P_Joule + P_Peltier within 1e-6",
                    std::abs(two.exchange_W - sources) <
                        1e-6 * std::abs(s.joule_power_W));
          }
          if (s.sweep.step < 0 && s.sweep.relaxation_steps > 0)
            std::cout << "  relaxed in time after mesh adaptation ('Mesh/"
                         "Relax after adaptation')"
                      << std::endl;
          if (s.retries > 0)
            std::cout << "retries ('Solver/Retry relaxations'): " << s.retries
                      << std::endl;
          check("converged", s.converged);
          check("energy balance (consistent flux) below 1e-6",
                s.energy_balance_relative_error < 1e-6);
          for (const auto &[key, v] : s.verification)
            std::cout << "  verification " << key << " = " << std::scientific
                      << v << std::defaultfloat << std::endl;
          const auto &v = s.verification;
          if (v.count("nodal_error_relative"))
            check("insulating slab: nodal error below 1e-10 relative",
                  v.at("nodal_error_relative") < 1e-10);
          if (v.count("lattice_nodal_error_relative"))
          {
            check("two temperatures: T_l against (P-30), corrected, within "
                  "1e-3 of the rise",
                  v.at("lattice_nodal_error_relative") < 1e-3);
            check("two temperatures: T against (P-28) within 1e-3 of the "
                  "rise",
                  v.at("electron_nodal_error_relative") < 1e-3);
            check("two temperatures: the distance to the single-temperature "
                  "profile (P-8) is the predicted one within 1e-3 of the "
                  "rise",
                  std::abs(v.at("lattice_minus_single_relative") -
                           v.at("lattice_minus_single_predicted_relative")) <
                          1e-3 &&
                      std::abs(v.at("electron_minus_single_relative") -
                               v.at("electron_minus_single_predicted_"
                                    "relative")) < 1e-3);
            check("insulating slab: voltage rho_I j0 L within 1e-10",
                  v.at("voltage_relative_error") < 1e-10);
          }
          if (v.count("thickness_error_m"))
          {
            check("parallel slab: thickness within max(2%, h/100)",
                  v.at("thickness_error_m") <= v.at("thickness_tolerance_m"));
            check("parallel slab: voltage within 1%",
                  v.at("voltage_relative_error") < 0.01);
          }
          if (v.count("mean_rise_relative_error"))
          {
            check("wire: mean temperature rise within 0.5% of (A-20)",
                  v.at("mean_rise_relative_error") < 5e-3);
            check("wire: Q2 holds the parabola (A-19): nodal error below "
                  "1e-10 relative",
                  v.at("profile_error_relative") < 1e-10);
          }
          if (v.count("heating_rate_relative_error"))
          {
            check("isolated wire: dT/dt = j E/C within 0.5%",
                  v.at("heating_rate_relative_error") < 5e-3);
            check("isolated wire: T - T_init = int j E/C dt within 0.5%",
                  v.at("rise_relative_error") < 5e-3);
          }
          if (v.count("uniform_temperature_relative_error"))
            check(transient ? "radiating wire: uniform T(t) within 0.1% of "
                              "the solution of C dT/dt = Q - k (T^4 - "
                              "T_env^4)"
                            : "radiating wire: uniform temperature within "
                              "0.1% of the quartic law (A-22)",
                  v.at("uniform_temperature_relative_error") < 1e-3);
          if (v.count("j_cr_found_A_per_m2"))
            check("critical current found by the solver within 1% of (P-9)",
                  std::abs(v.at("j_cr_found_A_per_m2") / v.at("j_cr_A_per_m2") -
                           1) < 0.01);
          if (v.count("metal_expected"))
            check("metal present exactly when the hysteretic slab has a "
                  "layer (j0 > j_cr(T_up) from the insulator, j0 > "
                  "j_cr(T_down) from a metal memory)",
                  (s.metal_volume_fraction > 0) ==
                      (v.at("metal_expected") > 0));
          else if (v.count("j0_over_j_cr"))
            check("metal present exactly when j0 > j_cr",
                  (s.metal_volume_fraction > 0) == (v.at("j0_over_j_cr") > 1));
          if (v.count("j0_over_j_cr"))
            std::cout << "  metal present: "
                      << (s.metal_volume_fraction > 0 ? "yes" : "no")
                      << " at j0/j_cr = "
                      << std::round(100 * v.at("j0_over_j_cr")) / 100
                      << std::endl;
        }
        // A sweep's or a time-dependent run's CSV has a header and one row
        // per step.
        if (!summaries.empty() && (summaries[0].sweep.step >= 0 || transient))
        {
          const std::string name = transient ? "time.csv" : "sweep.csv";
          std::ifstream     csv("results/" + name);
          AssertThrow(
              csv, dealii::ExcMessage("results/" + name + " was not written"));
          std::string  line;
          unsigned int rows = 0;
          std::getline(csv, line);
          std::cout << name << " columns: " << line << std::endl;
          while (std::getline(csv, line))
            ++rows;
          check(name + (transient ? " has one row per accepted step"
                                  : " has one row per step"),
                rows == summaries.size());
          return;
        }
        // The refinement-cycle table, for runs with several cycles (the
        // tests write into 'results').
        if (summaries.size() > 1)
        {
          std::ifstream table("results/convergence.txt");
          AssertThrow(
              table,
              dealii::ExcMessage("results/convergence.txt was not written"));
          std::cout << table.rdbuf() << std::endl;
        }
      });
  if (code != 0)
    return code;
  return n_failed == 0 ? 0 : 4;
}
