// The imtsim executable: parse the command line, run the simulation the
// parameter file describes, and turn every failure into a message and a
// non-zero exit code.
#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>

#include <imtsim/run.h>

#include <iostream>

int
main(int argc, char **argv)
{
  dealii::Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  return imtsim::guarded_main(
      [&]()
      {
        const imtsim::CommandLine c = imtsim::parse_command_line(argc, argv);
        if (c.help)
        {
          std::cout << imtsim::usage();
          return;
        }
        if (c.print_parameters)
        {
          dealii::ParameterHandler prm;
          imtsim::Parameters::declare_parameters(prm);
          prm.print_parameters(std::cout, dealii::ParameterHandler::Text);
          return;
        }
        imtsim::run_simulation(c, std::cout);
      });
}
