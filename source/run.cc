#include <deal.II/base/mpi.h>

#include <imtsim/coupling/simulator.h>
#include <imtsim/run.h>

#include <exception>
#include <functional>
#include <iostream>

namespace imtsim
{
std::string
usage()
{
  return "Usage: imtsim input.prm [--restart] "
         "[--set \"Subsection/Entry=value\"]...\n"
         "       --restart: resume from <Output/Directory>/checkpoint\n"
         "       imtsim --print-parameters   (the documented defaults)\n"
         "Run in parallel with: mpirun -np N imtsim input.prm\n";
}

CommandLine
parse_command_line(int argc, char **argv)
{
  CommandLine c;
  for (int i = 1; i < argc; ++i)
  {
    const std::string a = argv[i];
    if (a == "--print-parameters")
      c.print_parameters = true;
    else if (a == "--help" || a == "-h")
      c.help = true;
    else if (a == "--restart")
      c.overrides.emplace_back("Checkpoint/Restart=true");
    else if (a == "--set")
    {
      if (i + 1 >= argc)
        throw InputError("--set", "expects \"Subsection/Entry=value\".");
      c.overrides.emplace_back(argv[++i]);
    }
    else if (!a.empty() && a[0] == '-')
      throw InputError(a, "unknown command-line option.\n" + usage());
    else if (c.parameter_file.empty())
      c.parameter_file = a;
    else
      throw InputError(a, "only one parameter file may be given.");
  }
  if (c.parameter_file.empty() && !c.print_parameters && !c.help)
    throw InputError("(command line)", "no parameter file given.\n" + usage());
  return c;
}

std::vector<Summary>
run_simulation(const CommandLine &command_line, std::ostream &log)
{
  ParameterHandler prm;
  Parameters       parameters;
  read_parameters(
      command_line.parameter_file, command_line.overrides, prm, parameters);
  // A run that fails (did not converge, was stopped, was refused) throws;
  // the simulator (and its TimerOutput, which would otherwise warn about
  // being destroyed during stack unwinding) is gone before the exception
  // propagates.
  std::exception_ptr failure;
  const auto         run = [&](auto &&simulator)
  {
    try
    {
      return simulator.run();
    }
    catch (...)
    {
      failure = std::current_exception();
    }
    return std::vector<Summary>();
  };
  const std::vector<Summary> summaries =
      parameters.dimension == 2 ? run(Simulator<2>(parameters, prm, log))
                                : run(Simulator<3>(parameters, prm, log));
  if (failure)
    std::rethrow_exception(failure);
  return summaries;
}

int
guarded_main(const std::function<void()> &body)
{
  const bool root = Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0;
  try
  {
    body();
    return 0;
  }
  catch (const InputError &e)
  {
    if (root)
      std::cerr << "imtsim: " << e.what() << std::endl;
    return 2;
  }
  catch (const ParameterHandler::ExcCannotParseLine &e)
  {
    if (root)
      std::cerr << "imtsim: input error in the parameter file:\n"
                << e.what() << std::endl;
    return 2;
  }
  catch (const ConvergenceError &e)
  {
    if (root)
      std::cerr << "imtsim: not converged: " << e.what() << std::endl;
    return 3;
  }
  catch (const Interrupted &e)
  {
    if (root)
      std::cerr << "imtsim: " << e.what() << std::endl;
    return 128 + e.signal();
  }
  catch (const std::exception &e)
  {
    if (root)
      std::cerr << "imtsim: error: " << e.what() << std::endl;
    return 1;
  }
}
} // namespace imtsim
