// The unit tests' check: prints "<what>: ok" or "<what>: FAILED" on rank 0
// (the line the stored output compares) and counts the failures.
#ifndef imtsim_tests_unit_check_h
#define imtsim_tests_unit_check_h

#include <deal.II/base/mpi.h>

#include <iostream>
#include <string>

namespace unit_check
{
inline int failures = 0;

inline void
expect(const std::string &what, const bool ok)
{
  if (dealii::Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
    std::cout << what << ": " << (ok ? "ok" : "FAILED") << std::endl;
  if (!ok)
    ++failures;
}
} // namespace unit_check

#endif
