#ifndef imtsim_coupling_convergence_error_h
#define imtsim_coupling_convergence_error_h

#include <stdexcept>

namespace imtsim
{
/**
 * Thrown when an iteration does not converge (the staggered iteration, or
 * the radiation Newton iteration of one heat solve). A sweep treats it as a
 * failed attempt and halves its step; a single run reports it and exits
 * with code 3 after writing its last state.
 */
class ConvergenceError : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};
} // namespace imtsim

#endif
