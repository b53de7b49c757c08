// Unit test of time_dependent_statistics, which labels a sweep step whose
// relaxation did not settle and gives V and I over the second half of it:
// - a sine of 5 periods in the window, sampled at uneven steps: the time
//   mean is the offset (up to the trapezoidal rule's error, bounded here
//   by (dt_max^2/12) max|V''| = 7e-4 V), the extremes are the offset
//   +- the amplitude to within the sampling, 9 swings (the excursions
//   + - + - + - + - + -, the first of which is no swing), "oscillating";
// - a linear drift: the trapezoidal mean is exact, 1 swing, "drifting";
// - one period and a quarter of a slow sine in the window (up, down, up
//   again): 2 swings, "oscillating";
// - one bump (a single overshoot): no swing, "drifting";
// - a constant: no range, "drifting";
// - voltage control: the current is the response that is classified.
#include <imtsim/postprocessing/summary.h>

#include <cmath>
#include <iomanip>
#include <iostream>

using namespace imtsim;

int failures = 0;

void
expect(const std::string &what, const bool ok)
{
  std::cout << what << ": " << (ok ? "ok" : "FAILED") << std::endl;
  if (!ok)
    ++failures;
}

// Samples of (t, I(t), V(t)) on [0, 2] s at steps alternating between 3
// and 5 ms (uneven, as an adaptive time stepping gives).
template <class F, class G>
std::vector<std::array<double, 3>>
sample(const F &current, const G &voltage)
{
  std::vector<std::array<double, 3>> samples;
  double                             t = 0;
  for (unsigned int k = 0; t < 2; ++k)
  {
    t = std::min(2., t + (k % 2 == 0 ? 3e-3 : 5e-3));
    samples.push_back({{t, current(t), voltage(t)}});
  }
  return samples;
}

int
main()
{
  const double pi = std::acos(-1.);
  {
    // V = 4 + 0.7 sin(2 pi t / 0.2): the window [1, 2] s holds 5 periods.
    const auto samples =
        sample([](double) { return 1e-2; },
               [&](double t) { return 4 + 0.7 * std::sin(2 * pi * t / .2); });
    Summary::SweepPoint p;
    const unsigned int  swings = time_dependent_statistics(samples, true, p);
    std::cout << std::setprecision(4) << "sine: mean " << p.voltage_mean_V
              << " V, range " << p.voltage_min_V << " to " << p.voltage_max_V
              << " V, " << swings << " swings, " << p.stability << std::endl;
    // max|V''| = 0.7 (2 pi / 0.2)^2 = 691 V/s^2, dt_max = 5 ms.
    expect("sine: the time mean is the offset",
           std::abs(p.voltage_mean_V - 4) < 25e-6 / 12 * 691);
    // The samples miss the crest by at most 2.5 ms: 0.7 (1 - cos(pi/40)).
    expect("sine: the extremes are 4 -+ 0.7 V to within the sampling",
           std::abs(p.voltage_max_V - 4.7) < 2.2e-3 &&
               std::abs(p.voltage_min_V - 3.3) < 2.2e-3);
    expect("sine: 9 swings in 5 periods from the mean, oscillating",
           swings == 9 && p.stability == "oscillating");
    expect("sine: the constant current's statistics",
           std::abs(p.current_mean_A - 1e-2) < 1e-16 &&
               p.current_min_A == 1e-2 && p.current_max_A == 1e-2);
  }
  {
    const auto samples =
        sample([](double) { return 1e-2; }, [](double t) { return 4 + t; });
    Summary::SweepPoint p;
    const unsigned int  swings = time_dependent_statistics(samples, true, p);
    // The window starts at the first sample at or after t = 1 s.
    double t_first = 0;
    for (const auto &s : samples)
      if (s[0] >= 1)
      {
        t_first = s[0];
        break;
      }
    expect("drift: the trapezoidal mean is exact",
           std::abs(p.voltage_mean_V - (4 + (t_first + 2) / 2)) < 1e-12);
    expect("drift: the extremes are the window's ends",
           std::abs(p.voltage_min_V - (4 + t_first)) < 1e-12 &&
               std::abs(p.voltage_max_V - 6) < 1e-12);
    expect("drift: one swing, drifting",
           swings == 1 && p.stability == "drifting");
  }
  {
    // V = 4 + sin(2 pi (t - 1)/0.7): in [1, 2] s up (the first
    // excursion), down at 1.35-1.7 s (a swing), up from 1.7 s (another).
    const auto samples =
        sample([](double) { return 1e-2; },
               [&](double t) { return 4 + std::sin(2 * pi * (t - 1) / .7); });
    Summary::SweepPoint p;
    const unsigned int  swings = time_dependent_statistics(samples, true, p);
    expect("slow sine: two swings, oscillating",
           swings == 2 && p.stability == "oscillating");
  }
  {
    // A single bump over the window: up once and back. Its mean,
    // sqrt(0.01 pi) = 0.177, less a quarter of its range 1 is below the
    // baseline 0: only the excursion above counts, and it is the first.
    // No swing.
    const auto samples =
        sample([](double) { return 1e-2; },
               [&](double t) { return std::exp(-std::pow(t - 1.5, 2) / .01); });
    Summary::SweepPoint p;
    const unsigned int  swings = time_dependent_statistics(samples, true, p);
    expect("bump: no swing, drifting",
           swings == 0 && p.stability == "drifting");
  }
  {
    const auto samples =
        sample([](double) { return 1e-2; }, [](double) { return 4.; });
    Summary::SweepPoint p;
    time_dependent_statistics(samples, true, p);
    expect("constant: drifting, mean 4 V",
           p.stability == "drifting" && std::abs(p.voltage_mean_V - 4) < 1e-12);
  }
  {
    // Voltage control: I oscillates, V is fixed.
    const auto samples = sample(
        [&](double t) { return 0.05 + 0.01 * std::cos(2 * pi * t / .25); },
        [](double) { return 22.; });
    Summary::SweepPoint p;
    const unsigned int  swings = time_dependent_statistics(samples, false, p);
    std::cout << "voltage control: mean " << p.current_mean_A << " A, "
              << swings << " swings, " << p.stability << std::endl;
    expect("voltage control: the current oscillates",
           p.stability == "oscillating" && swings == 8);
    Summary::SweepPoint q;
    time_dependent_statistics(samples, true, q);
    expect("the same samples under current control: V is constant, drifting",
           q.stability == "drifting");
  }
  std::cout << (failures == 0 ? "all ok" : "FAILURES") << std::endl;
  return failures == 0 ? 0 : 1;
}
