#ifndef imtsim_run_h
#define imtsim_run_h

#include <imtsim/postprocessing/summary.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace imtsim
{
/** What the command line asked for. */
struct CommandLine
{
  std::string              parameter_file;
  std::vector<std::string> overrides; ///< "Subsection/Entry=value"
  bool                     print_parameters = false;
  bool                     help             = false;
};

/** Parse argv; throws InputError on a malformed command line. */
CommandLine
parse_command_line(int argc, char **argv);

/** The usage text. */
std::string
usage();

/**
 * Read the parameters, dispatch to Simulator<2> or <3>, and run it with
 * its progress report on @p log. Returns the summaries of all cycles.
 */
std::vector<Summary>
run_simulation(const CommandLine &command_line, std::ostream &log);

/**
 * Run @p body, turning every exception into a message on stderr (rank 0)
 * and an exit code: 0 success, 2 input error, 3 non-convergence, 1 other.
 */
int
guarded_main(const std::function<void()> &body);
} // namespace imtsim

#endif
