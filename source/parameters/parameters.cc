#include <deal.II/base/function_parser.h>
#include <deal.II/base/utilities.h>

#include <imtsim/parameters/parameters.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

namespace imtsim
{
namespace
{
/** Throw InputError for @p entry unless @p value > 0. */
void
require_positive(const double       value,
                 const std::string &entry,
                 const std::string &what)
{
  if (!(value > 0) || !std::isfinite(value))
    throw InputError(entry,
                     what + " must be positive and finite, but is " +
                         Utilities::to_string(value) + ".");
}

/** The boundary names of the thermal boundary conditions. */
const std::string boundary_names =
    "substrate|top|x_min|x_max|y_min|y_max|drain|source";

void
declare_patch(ParameterHandler            &prm,
              const std::string           &name,
              const std::string           &role,
              const std::array<double, 4> &defaults)
{
  prm.enter_subsection(name);
  prm.declare_entry("x min",
                    Utilities::to_string(defaults[0]),
                    Patterns::Double(),
                    "Start of the " + role + " patch along x [m].");
  prm.declare_entry("x max",
                    Utilities::to_string(defaults[1]),
                    Patterns::Double(),
                    "End of the " + role + " patch along x [m].");
  prm.declare_entry("y min",
                    Utilities::to_string(defaults[2]),
                    Patterns::Double(),
                    "Start of the " + role + " patch along y [m] (3D only).");
  prm.declare_entry("y max",
                    Utilities::to_string(defaults[3]),
                    Patterns::Double(),
                    "End of the " + role + " patch along y [m] (3D only).");
  prm.leave_subsection();
}

ElectrodePatch
parse_patch(ParameterHandler &prm, const std::string &name)
{
  prm.enter_subsection(name);
  ElectrodePatch p{prm.get_double("x min"),
                   prm.get_double("x max"),
                   prm.get_double("y min"),
                   prm.get_double("y max")};
  prm.leave_subsection();
  return p;
}
} // namespace

void
GeometryParameters::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Geometry");
  prm.declare_entry("Length",
                    "1e-3",
                    Patterns::Double(),
                    "Sample length L along x, the direction from drain to "
                    "source [m].");
  prm.declare_entry("Width",
                    "1e-3",
                    Patterns::Double(),
                    "Sample width W along y [m]. In 2D the width by which "
                    "the cross-section is extruded: currents and powers are "
                    "reported for the whole width.");
  prm.declare_entry("Thickness",
                    "2e-4",
                    Patterns::Double(),
                    "Sample thickness h [m]. The substrate face is z = 0 "
                    "(y = 0 in 2D), the free top face with the electrode "
                    "patches is z = h.");
  prm.declare_entry("Electrode type",
                    "top patches",
                    Patterns::Selection("end faces|top patches"),
                    "'end faces': the whole faces x = 0 (drain) and x = L "
                    "(source) are electrodes. 'top patches': rectangles on "
                    "the top face given in the subsections Drain and "
                    "Source.");
  prm.declare_entry("Swap electrodes",
                    "false",
                    Patterns::Bool(),
                    "Exchange drain and source: reverses the polarity "
                    "without changing the sign of the current.");
  declare_patch(prm, "Drain", "drain (negative)", {{0., 1e-4, 4.5e-4, 5.5e-4}});
  declare_patch(
      prm, "Source", "source (positive)", {{9e-4, 1e-3, 4.5e-4, 5.5e-4}});
  prm.leave_subsection();
}

void
GeometryParameters::parse_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Geometry");
  length          = prm.get_double("Length");
  width           = prm.get_double("Width");
  thickness       = prm.get_double("Thickness");
  electrode_type  = prm.get("Electrode type") == "end faces"
                        ? ElectrodeType::end_faces
                        : ElectrodeType::top_patches;
  swap_electrodes = prm.get_bool("Swap electrodes");
  drain           = parse_patch(prm, "Drain");
  source          = parse_patch(prm, "Source");
  prm.leave_subsection();
}

void
MeshParameters::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Mesh");
  prm.declare_entry("Coarse cells across thickness",
                    "2",
                    Patterns::Integer(1, 1000),
                    "Number of coarse cells across h; the coarse cell size "
                    "h/n is used along x and y too, with grid lines on the "
                    "electrode edges [-].");
  prm.declare_entry("Initial global refinement",
                    "0",
                    Patterns::Integer(0, 12),
                    "Uniform refinements of the coarse mesh [-].");
  prm.declare_entry("Electrode refinement",
                    "1",
                    Patterns::Integer(0, 12),
                    "Extra refinements of the cells touching an electrode "
                    "patch edge region (the current density is singular "
                    "at a pad edge) [-].");
  prm.declare_entry("Number of cycles",
                    "1",
                    Patterns::Integer(1, 12),
                    "Refinement cycles: the problem is solved, the mesh "
                    "refined ('Refinement between cycles'), the solution "
                    "transferred as the initial guess, and solved again; "
                    "convergence.txt tabulates the cycles [-].");
  prm.declare_entry("Refinement between cycles",
                    "global",
                    Patterns::Selection("global|kelly"),
                    "'global': every cell is refined once per cycle (the "
                    "meshes are nested and uniformly finer, for "
                    "convergence studies). 'kelly': the fraction 'Kelly "
                    "refinement fraction' of the cells with the largest "
                    "Kelly indicators of T and psi (each normalised by "
                    "its l2 norm, then added) is refined.");
  prm.declare_entry("Kelly refinement fraction",
                    "0.3",
                    Patterns::Double(0, 1),
                    "Fraction of the cells refined per cycle under "
                    "'Refinement between cycles = kelly' [-].");
  prm.declare_entry("Interface refinement",
                    "0",
                    Patterns::Integer(0, 8),
                    "Levels by which the cells at the metal-insulator "
                    "interface are refined beyond the rest of the mesh: "
                    "cells whose temperature range meets the transition "
                    "(T = T_MIT, or T_MIT +- w_T/2 for the smooth law), "
                    "plus 'Interface band' layers of neighbours. The mesh "
                    "follows the interface during the staggered iteration; "
                    "cells the interface has left are coarsened back, but a "
                    "cell refined again after it was coarsened in the same "
                    "continuation stage stays refined until the stage ends "
                    "(so that the adaptation cannot cycle). 0 switches "
                    "interface adaptation off [-].");
  prm.declare_entry("Interface band",
                    "1",
                    Patterns::Integer(0, 10),
                    "Layers of neighbouring cells (sharing a vertex) refined "
                    "together with the cells at the interface, so that the "
                    "interface can move without leaving the fine "
                    "region [-].");
  prm.declare_entry("Adaptation tolerance",
                    "1e-3",
                    Patterns::Double(0),
                    "The mesh is adapted to the interface whenever the "
                    "staggered iteration has reduced max|dT|/T0 below this "
                    "value; the iteration then continues on the new mesh "
                    "until the mesh no longer changes, and only then to "
                    "'Solver/Picard tolerance' [-].");
  prm.declare_entry("Adaptation interval",
                    "0",
                    Patterns::Integer(0),
                    "If positive, the mesh is also adapted every this many "
                    "outer steps, converged to the adaptation tolerance or "
                    "not [-].");
  prm.declare_entry("Mesh file",
                    "",
                    Patterns::Anything(),
                    "A Gmsh .msh file (format 2.2 or 4.1, ASCII) with the "
                    "sample as hexahedra (quadrilaterals in 2D) to use "
                    "instead of the box of 'Geometry'; a relative path is "
                    "taken from the parameter file's directory. Its "
                    "bounding box must start at the origin: L, W and h are "
                    "its extents along x, y and z ('Geometry/Width' stays "
                    "the out-of-plane width in 2D), the electrodes and the "
                    "substrate are the boundary groups named by the '... "
                    "tags' entries, all other boundary faces are adiabatic. "
                    "'Electrode refinement' refines the cells touching an "
                    "electrode; 'Coarse cells across thickness' and the "
                    "'Geometry' electrode entries are not used.");
  prm.declare_entry("Drain tags",
                    "",
                    Patterns::List(Patterns::Integer(0, 255), 0),
                    "Physical tags of the mesh file's boundary groups that "
                    "form the drain (psi = 0).");
  prm.declare_entry("Source tags",
                    "",
                    Patterns::List(Patterns::Integer(0, 255), 0),
                    "Physical tags that form the source (where I > 0 "
                    "enters).");
  prm.declare_entry("Substrate tags",
                    "",
                    Patterns::List(Patterns::Integer(0, 255), 0),
                    "Physical tags bonded to the substrate (the boundary "
                    "'substrate' of 'Thermal/Fixed temperature "
                    "boundaries').");
  prm.declare_entry("Top tags",
                    "",
                    Patterns::List(Patterns::Integer(0, 255), 0),
                    "Physical tags of the boundary 'top' of 'Thermal/Fixed "
                    "temperature boundaries' (optional).");
  prm.declare_entry("Maximum adaptations",
                    "10",
                    Patterns::Integer(0),
                    "Mesh adaptations per continuation stage; when "
                    "reached, the iteration finishes on the last mesh and "
                    "the log says so [-].");
  prm.declare_entry(
      "Relax after adaptation",
      "false",
      Patterns::Bool(),
      "Steady runs with interface refinement: after each adaptation, the "
      "state transferred to the new mesh is followed in time on it (C dT/dt "
      "added, subsection Time's scheme and step control, the heat "
      "capacities of subsection Material) until max|dT/dt| < 'Sweep/"
      "Relaxation rate', and the steady iteration goes on from the relaxed "
      "state. The interpolated state is not a solution on the new mesh, and "
      "where the staggered map is steep (at pad edges) the iteration from "
      "it can stagnate; the relaxation settles instead. It fails the run if "
      "it does not settle within 'Sweep/Maximum relaxation time'. It may "
      "reach another steady state than the iteration would have: "
      "summary.json records it (initial_condition, relaxation_time_s, "
      "relaxation_change_K) and relaxation.csv its course.");
  prm.leave_subsection();
}

void
MeshParameters::parse_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Mesh");
  cells_across_thickness    = prm.get_integer("Coarse cells across thickness");
  initial_global_refinement = prm.get_integer("Initial global refinement");
  electrode_refinement      = prm.get_integer("Electrode refinement");
  number_of_cycles          = prm.get_integer("Number of cycles");
  cycle_refinement          = prm.get("Refinement between cycles") == "kelly"
                                  ? CycleRefinementType::kelly
                                  : CycleRefinementType::global;
  kelly_fraction            = prm.get_double("Kelly refinement fraction");
  interface_refinement      = prm.get_integer("Interface refinement");
  interface_band            = prm.get_integer("Interface band");
  adaptation_tolerance      = prm.get_double("Adaptation tolerance");
  adaptation_interval       = prm.get_integer("Adaptation interval");
  max_adaptations           = prm.get_integer("Maximum adaptations");
  relax_after_adaptation    = prm.get_bool("Relax after adaptation");
  mesh_file                 = prm.get("Mesh file");
  const auto tags           = [&](const std::string &entry)
  {
    const std::vector<int> list =
        Utilities::string_to_int(Utilities::split_string_list(prm.get(entry)));
    return std::vector<unsigned int>(list.begin(), list.end());
  };
  drain_tags     = tags("Drain tags");
  source_tags    = tags("Source tags");
  substrate_tags = tags("Substrate tags");
  top_tags       = tags("Top tags");
  prm.leave_subsection();
}

void
MaterialParameters::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Material");
  prm.declare_entry("Insulator resistivity",
                    "0.1",
                    Patterns::Double(),
                    "rho_I, electrical resistivity of the insulating phase "
                    "[Ohm m] (Ca2RuO4: 10 Ohm cm = 0.1 Ohm m).");
  prm.declare_entry("Metal resistivity",
                    "0.01",
                    Patterns::Double(),
                    "rho_M, electrical resistivity of the metallic phase "
                    "[Ohm m].");
  prm.declare_entry("Insulator Seebeck coefficient",
                    "1e-3",
                    Patterns::Double(),
                    "S_I [V/K] (Ca2RuO4: 400-1000 uV/K).");
  prm.declare_entry(
      "Metal Seebeck coefficient", "0", Patterns::Double(), "S_M [V/K].");
  prm.declare_entry("Insulator thermal conductivity",
                    "0.1",
                    Patterns::Double(),
                    "kappa_I [W/(m K)] (Ca2RuO4: 1e-3 W/(cm K) = 0.1 "
                    "W/(m K)).");
  prm.declare_entry("Metal thermal conductivity",
                    "0.1",
                    Patterns::Double(),
                    "kappa_M [W/(m K)].");
  prm.declare_entry(
      "Insulator lattice thermal conductivity",
      "0.05",
      Patterns::Double(),
      "kappa_l of the insulating phase [W/(m K)], with 'Thermal/Model = two "
      "temperatures' only. The thermal conductivities above are then the "
      "totals kappa = kappa_e + kappa_l, so that the electronic part is "
      "kappa_e = kappa - kappa_l (it must be positive).");
  prm.declare_entry("Metal lattice thermal conductivity",
                    "0.05",
                    Patterns::Double(),
                    "kappa_l of the metallic phase [W/(m K)], two "
                    "temperatures only (see above).");
  prm.declare_entry("Transition temperature",
                    "360",
                    Patterns::Double(),
                    "T_MIT: metal above, insulator below [K].");
  prm.declare_entry("Phase law",
                    "sharp",
                    Patterns::Selection("sharp|smooth"),
                    "'sharp': first-order step at T_MIT, integrated exactly "
                    "over the cut cells (level set T - T_MIT). 'smooth': a "
                    "C1 step of the given width, log(sigma) interpolated.");
  prm.declare_entry("Transition width",
                    "1",
                    Patterns::Double(),
                    "w_T, width of the smooth step centred on T_MIT [K] "
                    "(smooth law only).");
  prm.declare_entry(
      "Hysteresis width",
      "0",
      Patterns::Double(),
      "T_up - T_down [K], sharp law only. An insulating point turns metal "
      "above T_up = 'Transition temperature', a metal point turns "
      "insulating below T_down = T_up - this width; in between each point "
      "keeps the phase of the last converged state (the phase memory, "
      "carried through mesh adaptation). 0: no hysteresis.");
  prm.declare_entry("Insulator heat capacity",
                    "3e6",
                    Patterns::Double(),
                    "Volumetric heat capacity C_I of the insulating phase "
                    "[J/(m^3 K)], time-dependent runs only (the default is "
                    "a Dulong-Petit estimate for Ca2RuO4, doc/transient.md).");
  prm.declare_entry("Metal heat capacity",
                    "3e6",
                    Patterns::Double(),
                    "Volumetric heat capacity C_M of the metallic phase "
                    "[J/(m^3 K)], time-dependent runs only.");
  prm.leave_subsection();
}

void
MaterialParameters::parse_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Material");
  resistivity_insulator = prm.get_double("Insulator resistivity");
  resistivity_metal     = prm.get_double("Metal resistivity");
  seebeck_insulator     = prm.get_double("Insulator Seebeck coefficient");
  seebeck_metal         = prm.get_double("Metal Seebeck coefficient");
  kappa_insulator       = prm.get_double("Insulator thermal conductivity");
  kappa_metal           = prm.get_double("Metal thermal conductivity");
  kappa_lattice_insulator =
      prm.get_double("Insulator lattice thermal conductivity");
  kappa_lattice_metal    = prm.get_double("Metal lattice thermal conductivity");
  transition_temperature = prm.get_double("Transition temperature");
  phase_law              = prm.get("Phase law") == "sharp" ? PhaseLawType::sharp
                                                           : PhaseLawType::smooth;
  transition_width       = prm.get_double("Transition width");
  hysteresis_width       = prm.get_double("Hysteresis width");
  heat_capacity_insulator = prm.get_double("Insulator heat capacity");
  heat_capacity_metal     = prm.get_double("Metal heat capacity");
  prm.leave_subsection();
}

void
ElectricParameters::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Electric");
  prm.declare_entry("Control",
                    "current",
                    Patterns::Selection("current|voltage"),
                    "Drive the sample with a total current or a voltage "
                    "between the electrodes.");
  prm.declare_entry("Current",
                    "1e-2",
                    Patterns::Double(),
                    "Total current I entering through the source [A]; "
                    "negative reverses the polarity. In 2D the current "
                    "through the whole width W.");
  prm.declare_entry("Voltage",
                    "1",
                    Patterns::Double(),
                    "Source voltage V_s under voltage control [V]: with no "
                    "load resistor it is psi(source) - psi(drain), with a "
                    "load resistor R_L in series V_s = V + I R_L.");
  prm.declare_entry(
      "Load resistance",
      "0",
      Patterns::Double(0),
      "Resistance R_L in series with the sample under voltage control "
      "[Ohm]: the source drives V_s = V + I R_L, so the operating point is "
      "where the load line crosses the sample's V-I curve. A load steeper "
      "than the negative differential resistance makes the curve single "
      "valued in V_s (the experimental way through the NDR); 0: the sample "
      "is driven at V directly. Ignored under current control.");
  prm.declare_entry(
      "Ramp steps",
      "1",
      Patterns::Integer(1, 1000),
      "Continuation in the drive: reach the current (or voltage) in this "
      "many equal steps, I/n, 2I/n, ..., I, each solved to convergence "
      "from the state of the previous one (the first from the initial "
      "temperature). Use it where the cold start at the full drive "
      "overshoots (point electrodes well above the threshold); 1 solves at "
      "the full drive directly. Applies to the first refinement cycle; "
      "later cycles start from the previous cycle's solution [-].");
  prm.leave_subsection();
}

void
ElectricParameters::parse_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Electric");
  control         = prm.get("Control") == "current" ? ControlType::current
                                                    : ControlType::voltage;
  current         = prm.get_double("Current");
  voltage         = prm.get_double("Voltage");
  load_resistance = prm.get_double("Load resistance");
  ramp_steps      = prm.get_integer("Ramp steps");
  prm.leave_subsection();
}

void
ThermalParameters::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Thermal");
  prm.declare_entry("Substrate temperature",
                    "300",
                    Patterns::Double(),
                    "T0, held on the fixed-temperature boundaries [K].");
  prm.declare_entry(
      "Fixed temperature boundaries",
      "substrate",
      Patterns::MultipleSelection(boundary_names),
      "Boundaries held at T0; the others lose heat by the laws below or are "
      "adiabatic. 'substrate' is z = 0, 'top' is z = h (in 2D these are "
      "y = 0 and y = h, and y_min/y_max do not exist); 'drain' and 'source' "
      "are the electrode faces (with end-face electrodes the faces x = 0 "
      "and x = L, which are then not x_min/x_max).");
  prm.declare_entry(
      "Contact conductance",
      "",
      Patterns::Map(Patterns::Selection(boundary_names), Patterns::Double()),
      "Boundaries that exchange heat with the environment through a "
      "thermal contact conductance, as 'name: kappa_C, ...' with kappa_C "
      "in W/(m^2 K): -kappa dT/dn = kappa_C (T - T_env) (A-19). Names as "
      "in 'Fixed temperature boundaries'.");
  prm.declare_entry(
      "Emissivity",
      "",
      Patterns::Map(Patterns::Selection(boundary_names), Patterns::Double()),
      "Boundaries that radiate, as 'name: eps, ...' with the emissivity "
      "0 < eps <= 1: -kappa dT/dn = eps sigma_SB (T^4 - T_env^4) (A-22), "
      "the full quartic law, solved by Newton's method inside each thermal "
      "solve. A boundary may both radiate and have a contact conductance "
      "(the fluxes add).");
  prm.declare_entry("Environment temperature",
                    "T0",
                    Patterns::Anything(),
                    "T_env of the contact-conductance and radiation laws "
                    "[K]; 'T0' for the substrate temperature.");
  prm.declare_entry("Joule heating",
                    "true",
                    Patterns::Bool(),
                    "Include the Joule source rho |j|^2.");
  prm.declare_entry("Peltier heating",
                    "true",
                    Patterns::Bool(),
                    "Include the Peltier term T j . grad S, in the flux "
                    "form div(H(T) j).");
  prm.declare_entry(
      "Electrode Peltier flux",
      "gradient",
      Patterns::Selection("gradient|consistent"),
      "How the electrode term -<H j.n, v> of the flux form (which makes the "
      "electrodes adiabatic for the Peltier flux) takes j.n. 'gradient': the "
      "face integral of -sigma grad psi_h . n. 'consistent': at each "
      "electrode node the identity <H j.n, v_i> = (H j, grad v_i) + "
      "(j . grad H, v_i) of a divergence-free current, with the current "
      "of the volume term and the jump of H on the interface in the "
      "second term; its sum is exactly T_MIT dS I for a pad in metal "
      "(without hysteresis or two temperatures), and a metal region that "
      "holds a pad gets its Peltier heat only at its interface, as in the "
      "continuous problem. The gradient's flux through "
      "a small pad converges slowly (the current density is singular at "
      "its edges): on the 3D meshes of doc/peltier_only.md it passes 33%, "
      "49% and 63% of I with 1, 2 and 3 'Electrode refinement' levels, and "
      "a metal pad then gets that share of T_MIT dS I.");
  prm.declare_entry(
      "Model",
      "single temperature",
      Patterns::Selection("single temperature|two temperatures"),
      "'single temperature': one T for electrons and lattice, (P-7). 'two "
      "temperatures': the electron temperature T (Joule and Peltier "
      "sources, conductivity kappa_e) and the lattice temperature T_l "
      "(conductivity kappa_l) exchange gamma_el (T - T_l), (P-5) and "
      "(P-6); doc/two_temperature.md. Steady runs and sweeps only.");
  prm.declare_entry("Electron-lattice coupling",
                    "1e13",
                    Patterns::Double(),
                    "gamma_el [W/(m^3 K)], two temperatures only (the "
                    "paper's estimate: 1e7 W/(cm^3 K) = 1e13 W/(m^3 K)).");
  prm.declare_entry(
      "Phase temperature",
      "lattice",
      Patterns::Selection("lattice|electron"),
      "Two temperatures only: the temperature whose crossing of T_MIT "
      "switches the phase (and which the smooth law, the hysteresis memory "
      "and the summary's temperature keys refer to).");
  prm.declare_entry(
      "Electron fixed temperature boundaries",
      "",
      Patterns::MultipleSelection(boundary_names),
      "Two temperatures only: boundaries where the electron temperature is "
      "held at T0 (for instance metallic contacts); the electrons are "
      "adiabatic on all others. 'Fixed temperature boundaries', 'Contact "
      "conductance' and 'Emissivity' then act on the lattice temperature "
      "(the substrate holds the lattice).");
  prm.declare_entry("Initial temperature",
                    "T0",
                    Patterns::Anything(),
                    "Initial guess of the staggered iteration, a function "
                    "of x, y, z (muParser syntax; the constants T0 and "
                    "T_MIT are defined) [K]. A hot region seeds a metal "
                    "domain.");
  prm.leave_subsection();
}

void
ThermalParameters::parse_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Thermal");
  substrate_temperature = prm.get_double("Substrate temperature");
  fixed_temperature_boundaries =
      Utilities::split_string_list(prm.get("Fixed temperature boundaries"));
  const auto parse_map = [&](const std::string &entry)
  {
    std::map<std::string, double> values;
    for (const auto &item : Utilities::split_string_list(prm.get(entry), ','))
    {
      const auto pair = Utilities::split_string_list(item, ':');
      if (values.count(pair[0]))
        throw InputError("Thermal/" + entry,
                         "'" + pair[0] + "' is given twice.");
      values[pair[0]] = Utilities::string_to_double(pair[1]);
    }
    return values;
  };
  contact_conductance           = parse_map("Contact conductance");
  emissivity                    = parse_map("Emissivity");
  const std::string environment = prm.get("Environment temperature");
  if (environment == "T0")
    environment_temperature = substrate_temperature;
  else
    try
    {
      environment_temperature = Utilities::string_to_double(environment);
    }
    catch (...)
    {
      throw InputError("Thermal/Environment temperature",
                       "'" + environment + "' is neither 'T0' nor a number.");
    }
  joule_heating             = prm.get_bool("Joule heating");
  peltier_heating           = prm.get_bool("Peltier heating");
  consistent_electrode_flux = prm.get("Electrode Peltier flux") == "consistent";
  initial_temperature       = prm.get("Initial temperature");
  two_temperature           = prm.get("Model") == "two temperatures";
  coupling                  = prm.get_double("Electron-lattice coupling");
  phase_from_lattice        = prm.get("Phase temperature") == "lattice";
  electron_fixed_temperature_boundaries = Utilities::split_string_list(
      prm.get("Electron fixed temperature boundaries"));
  prm.leave_subsection();
}

void
SolverParameters::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Solver");
  prm.declare_entry("Polynomial degree",
                    "2",
                    Patterns::Integer(1, 4),
                    "Degree of the FE_Q elements for psi and T [-].");
  prm.declare_entry("Maximum Picard iterations",
                    "200",
                    Patterns::Integer(1, 100000),
                    "Limit of the staggered iteration; reaching it is an "
                    "error (the last state is written) [-].");
  prm.declare_entry("Picard tolerance",
                    "1e-9",
                    Patterns::Double(0),
                    "Converged when max|T_k+1 - T_k| / T0 is below this "
                    "and no cell changed its phase class [-].");
  prm.declare_entry(
      "Acceleration",
      "aitken",
      Patterns::Selection("none|aitken|anderson|newton"),
      "How the staggered iteration T -> G(T) is accelerated. 'none': fixed "
      "under-relaxation. 'aitken': the relaxation factor is adapted every "
      "step from the last two updates (Aitken/Irons-Tuck); it damps the "
      "oscillating mode that makes plain Picard cycle near the critical "
      "current. 'anderson': Anderson mixing of the last iterates (see "
      "'Anderson depth'). 'newton': Jacobian-free Newton-Krylov on the "
      "residual G(T) - T: each step solves (I - G'(T)) d = G(T) - T by "
      "GMRES, one evaluation of G (an electric and a heat solve) per "
      "Krylov iteration, then backtracks on |G(T) - T|; near the fixed point "
      "each step reduces the update by about the 'Newton forcing term' "
      "(G must be differentiable: the smooth law, with the transition band "
      "resolved by the mesh). See also 'Newton start'.");
  prm.declare_entry("Relaxation",
                    "1",
                    Patterns::Double(0),
                    "Under-relaxation factor of the temperature update, in "
                    "(0, 1]: fixed for 'none', the first step's for "
                    "'aitken', the mixing factor for 'anderson' [-].");
  prm.declare_entry("Anderson depth",
                    "5",
                    Patterns::Integer(0, 50),
                    "Number of previous iterates used by Anderson "
                    "acceleration of the staggered iteration; 0 is plain "
                    "(relaxed) Picard [-].");
  prm.declare_entry("Newton start",
                    "1e-2",
                    Patterns::Double(0),
                    "For 'newton': Aitken-relaxed Picard steps while "
                    "max|T_k+1 - T_k| / T0 is above this, Newton-Krylov "
                    "steps below it, and also above it once the Picard "
                    "steps stagnate (10 steps without reducing the "
                    "smallest update so far by 10%) [-].");
  prm.declare_entry("Newton forcing term",
                    "1e-2",
                    Patterns::Double(0, 1),
                    "For 'newton': relative residual to which GMRES solves "
                    "each Newton system [-].");
  prm.declare_entry("Maximum Krylov iterations",
                    "40",
                    Patterns::Integer(1, 1000),
                    "For 'newton': GMRES iterations (evaluations of G) per "
                    "Newton step, without restart [-].");
  prm.declare_entry("Linear solver tolerance",
                    "1e-12",
                    Patterns::Double(0),
                    "Relative residual reduction of the CG "
                    "solves [-].");
  prm.declare_entry(
      "Width continuation",
      "",
      Patterns::List(Patterns::Double(0), 0, 20),
      "Continuation in the transition width (first cycle): the smooth law "
      "is solved with each of these widths in turn, each from the state "
      "before, and then the law of 'Material/Phase law'. The drive ramp "
      "('Electric/Ramp steps') runs with the first width. Example: '5, 2' "
      "with a sharp material law solves w_T = 5 K, then 2 K, then the "
      "sharp law. Empty: none [K].");
  prm.declare_entry("Continuation tolerance",
                    "1e-4",
                    Patterns::Double(0),
                    "Picard tolerance of the intermediate stages of a "
                    "continuation (drive ramp, width continuation): they "
                    "only provide a start for the next stage. The last "
                    "stage uses 'Picard tolerance' [-].");
  prm.declare_entry(
      "Retry relaxations",
      "",
      Patterns::List(Patterns::Double(0), 0, 10),
      "Automatic retries of a staggered iteration that failed (reached "
      "'Maximum Picard iterations', oscillated, or met a non-finite or "
      "negative temperature) in a refinement cycle, a continuation stage, "
      "a sweep step or a time step, before the step is halved or the run "
      "stops: each retry starts again from the state the failed attempt "
      "started from (from its last iterate if the mesh was adapted "
      "meanwhile) with the same 'Acceleration' and the next factor of this "
      "list as 'Relaxation' (for 'aitken' also as the largest factor), "
      "each factor in (0, 1] and each retry with 'Maximum Picard "
      "iterations'. Example: '0.5, 0.2'. Empty: no retry [-].");
  prm.declare_entry(
      "Oscillation steps",
      "20",
      Patterns::Integer(0, 100000),
      "The staggered iteration is stopped as oscillating when, for this "
      "many consecutive steps, cells flip back to the phase class they had "
      "two steps before without the update max|T_k+1 - T_k| reaching a new "
      "minimum; the log and the error name the number of flipping cells. "
      "0: never (the iteration runs to 'Maximum Picard iterations') [-].");
  prm.declare_entry(
      "Stagnation steps",
      "10",
      Patterns::Integer(0, 100000),
      "For 'newton': the staggered iteration is stopped as stagnating "
      "after this many Newton steps in a row that do not reduce the "
      "smallest update max|T_k+1 - T_k| / T0 so far by 10%. It happens "
      "when 'Picard tolerance' is below the noise floor of the "
      "finite-difference Jacobian (set by 'Linear solver tolerance'), or "
      "where the map is not differentiable; the error names the smallest "
      "update reached. The failure is treated as any other (retries, step "
      "halving, 'Sweep/Jump by relaxation'). 0: never (the iteration runs "
      "to 'Maximum Picard iterations') [-].");
  prm.declare_entry(
      "Free boundary",
      "false",
      Patterns::Bool(),
      "Solve the steady state with Peltier heating alone (Joule heating "
      "off, sharp law) as the free-boundary problem it is "
      "(doc/peltier_only.md section 5): the metal sits exactly at T_MIT, so "
      "the staggered iteration's phase map is degenerate there. Instead the "
      "metal is a set of nodes (at first those of the initial temperature "
      "at or above T_MIT), the interface midway between metal and "
      "insulating nodes. Each step solves the current, and the heat with "
      "the set's interior nodes held at one temperature T_M with no net "
      "heat into them and its boundary layer free; then boundary-layer "
      "nodes below T_MIT become insulating and insulating neighbours above "
      "T_MIT become metal (those within half of the largest violation). "
      "Where the discrete interface is undecided (a set repeats, or the "
      "largest violation has not fallen for 20 steps), the set with the "
      "smallest largest violation is solved again and kept if that "
      "violation is within 'Free boundary tolerance'. One T_M for all "
      "metal: separate metal regions are not balanced separately. "
      "'Maximum Picard iterations' bounds the number of steps. This is "
      "'Free boundary interface = node set'; see there for the level set.");
  prm.declare_entry(
      "Free boundary tolerance",
      "0.1",
      Patterns::Double(0),
      "The largest violation (a boundary-layer node below T_MIT, or an "
      "insulating neighbour above it) that the set kept by 'Free boundary' "
      "may leave where the interface is undecided, relative to T_MIT - T0 "
      "[-]; above it the solve fails (exit code 3, the state written). For "
      "'Free boundary interface = level set' the measure is the largest "
      "update of the level set instead (at least the largest violation).");
  prm.declare_entry(
      "Free boundary interface",
      "node set",
      Patterns::Selection("node set|level set"),
      "How 'Free boundary' places the interface (doc/peltier_only.md "
      "sections 5.1 and 5.5). 'node set': midway between metal and "
      "insulating nodes, which change phase one by one. 'level set': the "
      "zero set of a nodal level set phi [K], metal where phi > 0, so the "
      "interface lies anywhere within a cell. Interior metal nodes are held "
      "as for 'node set'. On the metal nodes of the cut cells phi moves by "
      "beta (T - T_MIT), so that they end at T_MIT (in one dimension this "
      "puts the interface exactly where it belongs); on their insulating "
      "neighbours it relaxes towards T - T_MIT. beta is 'Free boundary "
      "relaxation'; with 'Acceleration = anderson' the update is "
      "Anderson-mixed ('Anderson depth'); the other accelerations leave it "
      "relaxed. Converged when the largest update "
      "is below 'Picard tolerance' x T0; the stall rule and 'Free boundary "
      "tolerance' apply as for 'node set'. In 2D and 3D it does not decide "
      "a thin metal rim either (doc/peltier_only.md section 6.4).");
  prm.declare_entry("Free boundary relaxation",
                    "0.5",
                    Patterns::Double(0, 1),
                    "beta of 'Free boundary interface = level set': the "
                    "factor of the level set's update, or the mixing factor "
                    "with 'Acceleration = anderson' [-], 0 < beta <= 1.");
  prm.declare_entry(
      "Free boundary method",
      "relaxation",
      Patterns::Selection("relaxation|newton"),
      "How 'Free boundary' solves for the interface. 'relaxation': the "
      "iteration of 'Free boundary interface'. 'newton' "
      "(doc/free_boundary_newton.md): the unknown is a nodal level set phi "
      "[K] with T = T_MIT + min(phi, 0) at the nodes, so that the metal is "
      "at T_MIT and a node that changes phase is a kink of the residual, "
      "not a jump; the equations are the heat balance at every node but "
      "the interior metal ones (at an insulating node it gives T, at a "
      "metal node of a cut cell it places the interface), solved by "
      "pseudo-transient semismooth Newton (sparse direct solver, Amesos "
      "KLU). Its Jacobian holds the current of the step: exact for equal "
      "resistivities and in one dimension; in 3D the electrode rows of "
      "cells the interface cuts are approximate (doc/free_boundary_newton"
      ".md section 7). Converged when the largest nodal residual over the "
      "conduction diagonal is below 'Picard tolerance' x T0 [K] "
      "(summary.json: free_boundary_residual_K). Needs 'Free boundary "
      "interface = level set', 'Thermal/Electrode Peltier flux = "
      "consistent', 'Polynomial degree = 1', equal thermal conductivities "
      "of the phases and no contact conductance. It solves the bar of "
      "tests/free_boundary_bar.prm exactly in a few steps; in 2D and 3D "
      "with top pads it does not converge yet, or melts the seed "
      "(doc/free_boundary_newton.md section 7.3).");
  prm.declare_entry(
      "Free boundary pseudo time step",
      "1e3",
      Patterns::Double(0),
      "'Free boundary method = newton': the first pseudo time step, in "
      "units of each node's conduction diagonal [-]. Each step solves "
      "(diag(A)/dtau - J) d = F, then dtau grows by the fall of the "
      "residual (switched evolution relaxation, at most 1e12); a step "
      "whose residual grows tenfold, or that makes the metal vanish while "
      "dtau > 1, is repeated with dtau/10. Small: a physical pseudo-flow; "
      "large: Newton's method. 0: Newton's method from the start.");
  prm.leave_subsection();
}

void
SolverParameters::parse_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Solver");
  polynomial_degree     = prm.get_integer("Polynomial degree");
  max_picard_iterations = prm.get_integer("Maximum Picard iterations");
  picard_tolerance      = prm.get_double("Picard tolerance");
  const std::string a   = prm.get("Acceleration");
  acceleration          = a == "none"       ? AccelerationType::none
                          : a == "aitken"   ? AccelerationType::aitken
                          : a == "anderson" ? AccelerationType::anderson
                                            : AccelerationType::newton;
  relaxation            = prm.get_double("Relaxation");
  anderson_depth        = prm.get_integer("Anderson depth");
  newton_forcing        = prm.get_double("Newton forcing term");
  newton_start          = prm.get_double("Newton start");
  max_krylov_iterations = prm.get_integer("Maximum Krylov iterations");
  linear_tolerance      = prm.get_double("Linear solver tolerance");
  width_continuation    = Utilities::string_to_double(
      Utilities::split_string_list(prm.get("Width continuation")));
  continuation_tolerance = prm.get_double("Continuation tolerance");
  retry_relaxations      = Utilities::string_to_double(
      Utilities::split_string_list(prm.get("Retry relaxations")));
  oscillation_steps        = prm.get_integer("Oscillation steps");
  stagnation_steps         = prm.get_integer("Stagnation steps");
  free_boundary            = prm.get_bool("Free boundary");
  free_boundary_tolerance  = prm.get_double("Free boundary tolerance");
  free_boundary_level_set  = prm.get("Free boundary interface") == "level set";
  free_boundary_relaxation = prm.get_double("Free boundary relaxation");
  free_boundary_newton     = prm.get("Free boundary method") == "newton";
  free_boundary_pseudo_time_step =
      prm.get_double("Free boundary pseudo time step");
  prm.leave_subsection();
}

void
OutputParameters::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Output");
  prm.declare_entry("Directory",
                    "output",
                    Patterns::DirectoryName(),
                    "Where fields (PVTU/PVD), summary.json, statistics and "
                    "the used parameters are written.");
  prm.declare_entry("Write fields",
                    "true",
                    Patterns::Bool(),
                    "Write the PVTU/PVD field output for ParaView.");
  prm.declare_entry("Centre line samples",
                    "2001",
                    Patterns::Integer(11, 1000000),
                    "Points on the top centre line and on the vertical "
                    "line at x = L/2 used for metal extents and thickness "
                    "[-].");
  prm.leave_subsection();
}

void
OutputParameters::parse_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Output");
  directory           = prm.get("Directory");
  write_fields        = prm.get_bool("Write fields");
  centre_line_samples = prm.get_integer("Centre line samples");
  prm.leave_subsection();
}

void
CheckpointParameters::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Checkpoint");
  prm.declare_entry(
      "Interval",
      "0",
      Patterns::Integer(0, 1000000),
      "Write a checkpoint (mesh, fields, phase memory and the run's state) "
      "to <Output/Directory>/checkpoint every this many refinement cycles, "
      "sweep steps or time steps, and at the end of the run; the one "
      "before is kept as checkpoint.previous. Whatever this is, a run "
      "stopped by SIGTERM or SIGINT writes a checkpoint at its next "
      "Picard step and exits with 128 + the signal number. 0: only then "
      "[-].");
  prm.declare_entry("Restart",
                    "false",
                    Patterns::Bool(),
                    "Resume from the checkpoint in 'Restart directory' "
                    "(the command-line option --restart sets this). The "
                    "parameter file must describe the same problem; "
                    "'Time/End time', 'Mesh/Number of cycles' and the "
                    "solver settings may change.");
  prm.declare_entry("Restart directory",
                    "",
                    Patterns::Anything(),
                    "The checkpoint to resume from. Empty: "
                    "<Output/Directory>/checkpoint.");
  prm.leave_subsection();
}

void
CheckpointParameters::parse_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Checkpoint");
  interval          = prm.get_integer("Interval");
  restart           = prm.get_bool("Restart");
  restart_directory = prm.get("Restart directory");
  prm.leave_subsection();
}

void
VerificationParameters::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Verification");
  prm.declare_entry(
      "Benchmark",
      "none",
      Patterns::Selection("none|insulating slab|parallel slab|wire"),
      "Compare the run with an analytic solution and report the errors: "
      "'insulating slab' (P-8, nodal temperature error), 'parallel slab' "
      "(P-11 metal thickness at x = L/2 and the voltage); both with the "
      "substrate as the only fixed-temperature boundary. 'wire': Joule "
      "heating of a conductor without transition, heat leaving through "
      "the electrode ends (held at T0, or through a contact conductance: "
      "the parabola A-19 and its mean A-20) or by radiation from adiabatic-"
      "ended faces (the uniform temperature of A-22, and its linearisation "
      "for comparison). All need end-face electrodes.");
  prm.leave_subsection();
}

void
VerificationParameters::parse_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Verification");
  const std::string b = prm.get("Benchmark");
  benchmark           = b == "none"              ? BenchmarkType::none
                        : b == "insulating slab" ? BenchmarkType::insulating_slab
                        : b == "wire"            ? BenchmarkType::wire
                                                 : BenchmarkType::parallel_slab;
  prm.leave_subsection();
}

void
SweepParameters::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Sweep");
  prm.declare_entry(
      "Values",
      "",
      Patterns::List(Patterns::Double()),
      "Control values of an I-V sweep, in order: currents [A] under "
      "'Electric/Control = current', source voltages [V] under voltage "
      "control. Each step starts from the converged state (and mesh) of the "
      "one before; the first is reached from the initial temperature as a "
      "single run would ('Electric/Ramp steps', 'Solver/Width "
      "continuation'). Empty (and 'Range' empty): no sweep, the run solves "
      "at 'Electric/Current' or 'Electric/Voltage'. A sweep writes "
      "sweep.csv (one row per step) and, with 'Output/Write fields', the "
      "fields of every step as the time series sweep.pvd.");
  prm.declare_entry("Range",
                    "",
                    Patterns::List(Patterns::Double(), 0, 3),
                    "Alternative to 'Values': 'first, last, number of "
                    "values', equally spaced, first and last included.");
  prm.declare_entry("Return",
                    "false",
                    Patterns::Bool(),
                    "After the last value, sweep back to the first through "
                    "the same values (hysteresis loops). Natural sweeps "
                    "only.");
  prm.declare_entry("Both polarities",
                    "false",
                    Patterns::Bool(),
                    "Run the sweep also with every value negated (the "
                    "current reversed), from the same initial state; the "
                    "CSV's 'polarity' column tells the two apart.");
  prm.declare_entry(
      "Method",
      "natural",
      Patterns::Selection("natural|arclength"),
      "'natural': set the next value and solve from the previous state; "
      "when that fails the step is halved (up to 'Maximum step halvings' "
      "times), and where no nearby state exists (a fold of the curve) the "
      "solver reports it and the state jumps or the sweep stops. "
      "'arclength': pseudo-arclength continuation, the control value "
      "becomes an unknown and the step is measured along the curve, so it "
      "passes folds and traces unstable branches; it starts at the first "
      "value, heads for the last, and ends when the control leaves the "
      "interval between them (or at 'Stop current'). Needs "
      "'Solver/Acceleration = newton' (the corrector is a Newton-Krylov "
      "iteration) and a fixed mesh (no interface refinement).");
  prm.declare_entry("Maximum step halvings",
                    "4",
                    Patterns::Integer(0, 20),
                    "Natural sweeps: how often a failed step is halved "
                    "before the sweep gives up [-].");
  prm.declare_entry("Arclength step",
                    "0.05",
                    Patterns::Double(0),
                    "Initial pseudo-arclength step in the scaled norm: the "
                    "control in units of the largest |value|, the "
                    "temperature in units of T_MIT - T0 (root mean square "
                    "over the nodes) [-].");
  prm.declare_entry("Minimum arclength step",
                    "1e-4",
                    Patterns::Double(0),
                    "The continuation stops (not converged) when the step "
                    "must shrink below this [-].");
  prm.declare_entry("Maximum arclength step",
                    "0.2",
                    Patterns::Double(0),
                    "Upper limit of the adapted step [-].");
  prm.declare_entry("Maximum arclength steps",
                    "200",
                    Patterns::Integer(3),
                    "Upper limit of the number of continuation steps [-].");
  prm.declare_entry("Stop current",
                    "0",
                    Patterns::Double(0),
                    "Arclength continuation ends when |I| exceeds this [A]; "
                    "0: no limit. Lets a voltage-controlled sweep end at a "
                    "current while the voltage goes back and forth.");
  prm.declare_entry("Maximum corrector steps",
                    "8",
                    Patterns::Integer(1, 100),
                    "Newton steps of one arclength corrector before the "
                    "step is halved [-].");
  prm.declare_entry(
      "Jump by relaxation",
      "false",
      Patterns::Bool(),
      "Natural sweeps: where a step still fails after its halvings (the "
      "branch ends at a fold), find the state the sample jumps to as in an "
      "experiment. From the last converged state, at the smallest failed "
      "value, C dT/dt + div(-kappa grad T) = sources is integrated in time "
      "with subsection Time's scheme and step control ('Time step', "
      "'Adaptive time step', 'Error tolerance', 'Minimum/Maximum time "
      "step'; 'Time/Mode' stays 'steady') and the heat capacities of "
      "subsection Material, until max|dT/dt| < 'Relaxation rate'; the "
      "steady state is then converged from there (to 'Solver/Picard "
      "tolerance', or at a Newton floor within the relaxation's own "
      "allowance: 'Time/Accept stagnated steps') and the sweep goes on. "
      "sweep.csv records the jump (jump_from, jump_at). The first value, "
      "if the drive's continuation from the initial temperature does not "
      "converge, is followed in time from the initial temperature in the "
      "same way (jump_from empty): the drive switched on in the sample. "
      "false: the sweep stops at the fold.");
  prm.declare_entry("Relaxation rate",
                    "1e-3",
                    Patterns::Double(0),
                    "The relaxation ends once max|dT/dt| over the nodes "
                    "is below this [K/s].");
  prm.declare_entry("Maximum relaxation time",
                    "1e4",
                    Patterns::Double(0),
                    "A relaxation that has not settled at this time [s] "
                    "ends there; 'Time-dependent states' says what then.");
  prm.declare_entry(
      "Time-dependent states",
      "continue",
      Patterns::Selection("continue|fail"),
      "What a natural sweep does when a relaxation reaches 'Maximum "
      "relaxation time' unsettled: the sample oscillates (or drifts too "
      "slowly), there is no stable steady state to record. continue: the "
      "step is recorded as time-dependent, with its last instant as the "
      "state (fields, summary) and, in sweep.csv, the stability "
      "'oscillating' (the voltage, or the current under voltage control, "
      "swings across its mean and back in the relaxation's second half) or "
      "'drifting' (otherwise: then the steady iteration is tried from the "
      "last instant, and a steady state found ends the step as usual), "
      "converged = 0, and the time "
      "mean, minimum and maximum of V and I over that half "
      "(voltage_mean_V, ...); every relaxation's V(t) and I(t) are in "
      "relaxation.csv. The next step starts from the last instant and is "
      "followed in time at once; the run exits with 0 if every other step "
      "converged. fail: the sweep stops at such a step.");
  prm.leave_subsection();
}

void
SweepParameters::parse_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Sweep");
  values = Utilities::string_to_double(
      Utilities::split_string_list(prm.get("Values")));
  const std::vector<double> range = Utilities::string_to_double(
      Utilities::split_string_list(prm.get("Range")));
  if (!range.empty())
  {
    if (!values.empty())
      throw InputError("Sweep/Range",
                       "give either 'Sweep/Values' or 'Sweep/Range', not "
                       "both.");
    const double n = range.size() == 3 ? range[2] : 0;
    if (n < 2 || n != std::floor(n))
      throw InputError("Sweep/Range",
                       "expects 'first, last, number of values' with an "
                       "integer number of values of at least 2.");
    for (unsigned int i = 0; i < n; ++i)
      values.push_back(range[0] + (range[1] - range[0]) * i / (n - 1));
  }
  return_sweep        = prm.get_bool("Return");
  both_polarities     = prm.get_bool("Both polarities");
  method              = prm.get("Method") == "natural" ? SweepMethod::natural
                                                       : SweepMethod::arclength;
  max_halvings        = prm.get_integer("Maximum step halvings");
  arclength_step      = prm.get_double("Arclength step");
  min_arclength_step  = prm.get_double("Minimum arclength step");
  max_arclength_step  = prm.get_double("Maximum arclength step");
  max_arclength_steps = prm.get_integer("Maximum arclength steps");
  max_corrector_steps = prm.get_integer("Maximum corrector steps");
  stop_current        = prm.get_double("Stop current");
  jump_by_relaxation  = prm.get_bool("Jump by relaxation");
  relaxation_rate     = prm.get_double("Relaxation rate");
  max_relaxation_time = prm.get_double("Maximum relaxation time");
  continue_time_dependent = prm.get("Time-dependent states") == "continue";
  prm.leave_subsection();
}

void
TimeParameters::declare_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Time");
  prm.declare_entry(
      "Mode",
      "steady",
      Patterns::Selection("steady|transient"),
      "'steady': the steady state (refinement cycles, sweeps). 'transient': "
      "C dT/dt + div(-kappa grad T) = sources from the initial temperature "
      "'Thermal/Initial temperature' at t = 0 to 'End time'; every time "
      "step solves the coupled problem with the staggered iteration "
      "(doc/transient.md).");
  prm.declare_entry("End time", "1", Patterns::Double(), "t_end [s].");
  prm.declare_entry("Time step",
                    "1e-2",
                    Patterns::Double(),
                    "The step [s]: fixed, or the first one of an adaptive "
                    "run.");
  prm.declare_entry("Scheme",
                    "BDF2",
                    Patterns::Selection("BDF2|implicit Euler"),
                    "'BDF2': second order, with variable steps (its first "
                    "step is an implicit Euler step). 'implicit Euler': "
                    "first order.");
  prm.declare_entry("Adaptive time step",
                    "false",
                    Patterns::Bool(),
                    "Choose each step from the local error estimate (the "
                    "difference between the solution and its polynomial "
                    "extrapolation from the previous steps, scaled to the "
                    "scheme's error); a step whose estimate exceeds 'Error "
                    "tolerance' is repeated with a smaller one.");
  prm.declare_entry("Error tolerance",
                    "0.1",
                    Patterns::Double(),
                    "Local error per step allowed by the adaptive step, in "
                    "the maximum norm of T [K].");
  prm.declare_entry("Minimum time step",
                    "1e-9",
                    Patterns::Double(),
                    "The run stops (exit code 3, the last state written) if "
                    "a step this small fails [s].");
  prm.declare_entry("Maximum time step",
                    "1e300",
                    Patterns::Double(),
                    "Upper bound of the adaptive step [s].");
  prm.declare_entry("Drive",
                    "",
                    Patterns::Anything(),
                    "The drive as a function of t [s] (muParser syntax): "
                    "the current I [A] or the source voltage V_s [V], by "
                    "'Electric/Control'. The constants I0 ('Electric/"
                    "Current'), V0 ('Electric/Voltage') and pi are "
                    "defined; e.g. 'I0*min(t/1e-3, 1)' for a 1 ms ramp. "
                    "Empty: the constant I0 or V0.");
  prm.declare_entry("Adaptation interval",
                    "5",
                    Patterns::Integer(0),
                    "With 'Mesh/Interface refinement' > 0: adapt the mesh "
                    "to the interface every this many accepted steps (0: "
                    "never), carrying the temperature history to the new "
                    "mesh.");
  prm.declare_entry("Output interval",
                    "1",
                    Patterns::Integer(1),
                    "Write the fields every this many accepted steps (and "
                    "the last one); time.csv has every step.");
  prm.declare_entry("Steady-state rate",
                    "0",
                    Patterns::Double(0),
                    "Stop before 'End time' once max|dT/dt| over the mesh "
                    "falls below this rate [K/s]; 0: run to 'End time'.");
  prm.declare_entry(
      "Nonlinear tolerance factor",
      "0.01",
      Patterns::Double(0, 1),
      "With 'Adaptive time step': each step's staggered iteration stops "
      "once max|T_k+1 - T_k| is below this fraction of 'Error tolerance' "
      "and below a tenth of the change a rate test must resolve, (rate) x "
      "dt, where the rate is the larger of 'Steady-state rate' (or "
      "'Sweep/Relaxation rate') and the last step's max|dT/dt|; never "
      "below 'Solver/Picard tolerance' x T0. The step's nonlinear error then "
      "stays far below the time error the step control allows, and the "
      "steps do not iterate to the steady solve's tolerance. 0: every step "
      "to 'Solver/Picard tolerance' [-].");
  prm.declare_entry(
      "Accept stagnated steps",
      "true",
      Patterns::Bool(),
      "With 'Adaptive time step' and 'Nonlinear tolerance factor' > 0: a "
      "step whose Newton iteration stagnates ('Solver/Stagnation steps') "
      "short of its tolerance is accepted, not repeated with half the "
      "step, if its last update max|T_k+1 - T_k| is within 'Nonlinear "
      "tolerance factor' x 'Error tolerance', no cell changed phase in its "
      "last iteration, and that update, carried through the local error "
      "estimate as if every level had it, is at most a tenth of 'Error "
      "tolerance'. Such a floor (the finite-difference Jacobian's noise, "
      "or a smooth law too narrow for the mesh) does not shrink with the "
      "step, while the tolerance does, so halving cannot get through it. "
      "The update is written (time.csv, relaxation.csv: "
      "stagnation_error_K), and a rate test ('Steady-state rate', "
      "'Sweep/Relaxation rate') counts it as the step's error. The same "
      "allowance (with no phase change) holds for a sweep step's steady "
      "iteration from a relaxation that settled ('Sweep/Jump by "
      "relaxation'): the settled state is known no better than the "
      "relaxation's own steps; its update is written as the step's "
      "stagnation_error_K (sweep.csv, summary.json). false: such a time "
      "step is repeated with half the step, and such a sweep step fails.");
  prm.leave_subsection();
}

void
TimeParameters::parse_parameters(ParameterHandler &prm)
{
  prm.enter_subsection("Time");
  transient                  = prm.get("Mode") == "transient";
  end_time                   = prm.get_double("End time");
  time_step                  = prm.get_double("Time step");
  scheme                     = prm.get("Scheme") == "BDF2" ? TimeScheme::bdf2
                                                           : TimeScheme::implicit_euler;
  adaptive                   = prm.get_bool("Adaptive time step");
  error_tolerance            = prm.get_double("Error tolerance");
  min_time_step              = prm.get_double("Minimum time step");
  max_time_step              = prm.get_double("Maximum time step");
  drive                      = prm.get("Drive");
  adaptation_interval        = prm.get_integer("Adaptation interval");
  output_interval            = prm.get_integer("Output interval");
  steady_rate                = prm.get_double("Steady-state rate");
  nonlinear_tolerance_factor = prm.get_double("Nonlinear tolerance factor");
  accept_stagnated_steps     = prm.get_bool("Accept stagnated steps");
  prm.leave_subsection();
}

void
Parameters::declare_parameters(ParameterHandler &prm)
{
  prm.declare_entry("Dimension",
                    "3",
                    Patterns::Integer(2, 3),
                    "2: the x-z cross-section (extruded by the width); 3: "
                    "the box L x W x h.");
  GeometryParameters::declare_parameters(prm);
  MeshParameters::declare_parameters(prm);
  MaterialParameters::declare_parameters(prm);
  ElectricParameters::declare_parameters(prm);
  ThermalParameters::declare_parameters(prm);
  SolverParameters::declare_parameters(prm);
  SweepParameters::declare_parameters(prm);
  TimeParameters::declare_parameters(prm);
  OutputParameters::declare_parameters(prm);
  CheckpointParameters::declare_parameters(prm);
  VerificationParameters::declare_parameters(prm);
}

std::string
Parameters::checkpoint_directory() const
{
  return checkpoint.restart_directory.empty() ? output.directory + "/checkpoint"
                                              : checkpoint.restart_directory;
}

void
Parameters::parse_parameters(ParameterHandler &prm)
{
  dimension = prm.get_integer("Dimension");
  geometry.parse_parameters(prm);
  mesh.parse_parameters(prm);
  material.parse_parameters(prm);
  electric.parse_parameters(prm);
  thermal.parse_parameters(prm);
  solver.parse_parameters(prm);
  sweep.parse_parameters(prm);
  time.parse_parameters(prm);
  output.parse_parameters(prm);
  checkpoint.parse_parameters(prm);
  verification.parse_parameters(prm);
}

namespace
{
void
check_patch(const ElectrodePatch     &p,
            const std::string        &name,
            const GeometryParameters &g,
            const unsigned int        dim)
{
  const std::string e = "Geometry/" + name + "/";
  if (!(p.x_max > p.x_min))
    throw InputError(e + "x max",
                     "the " + name +
                         " patch is empty: x max must exceed x min.");
  if (p.x_min < 0 || p.x_max > g.length)
    throw InputError(e + (p.x_min < 0 ? "x min" : "x max"),
                     "the " + name +
                         " patch must lie on the top face, 0 <= x <= L = " +
                         Utilities::to_string(g.length) + " m.");
  if (dim == 3)
  {
    if (!(p.y_max > p.y_min))
      throw InputError(e + "y max",
                       "the " + name +
                           " patch is empty: y max must exceed y min.");
    if (p.y_min < 0 || p.y_max > g.width)
      throw InputError(e + (p.y_min < 0 ? "y min" : "y max"),
                       "the " + name +
                           " patch must lie on the top face, 0 <= y <= "
                           "W = " +
                           Utilities::to_string(g.width) + " m.");
  }
}
} // namespace

void
Parameters::check_sweep() const
{
  const SweepParameters &s = sweep;
  for (const double v : s.values)
    if (v == 0)
      throw InputError("Sweep/Values",
                       "a zero drive has no current to scale and no "
                       "voltage to compare: start the sweep at a small "
                       "non-zero value.");
  if (mesh.number_of_cycles > 1)
    throw InputError("Mesh/Number of cycles",
                     "a sweep runs on one mesh sequence; refinement cycles "
                     "(a convergence study) are separate runs.");
  if (s.method == SweepMethod::arclength)
  {
    if (s.values.size() < 2 || s.values.front() == s.values.back())
      throw InputError("Sweep/Values",
                       "arclength continuation needs a first and a "
                       "different last value.");
    if (s.return_sweep)
      throw InputError("Sweep/Return",
                       "arclength continuation traces the whole curve, "
                       "folds included, in one pass; 'Return' is for "
                       "natural sweeps.");
    if (solver.acceleration != AccelerationType::newton)
      throw InputError("Solver/Acceleration",
                       "arclength continuation needs 'newton' (its "
                       "corrector is a Newton-Krylov iteration).");
    if (mesh.interface_refinement > 0)
      throw InputError("Mesh/Interface refinement",
                       "arclength continuation runs on a fixed mesh; set "
                       "it to 0 or use 'Sweep/Method = natural'.");
    if (!(s.min_arclength_step > 0 &&
          s.min_arclength_step <= s.arclength_step &&
          s.arclength_step <= s.max_arclength_step))
      throw InputError("Sweep/Arclength step",
                       "needs 0 < minimum <= step <= maximum.");
  }
  if (s.jump_by_relaxation)
  {
    if (s.method != SweepMethod::natural)
      throw InputError("Sweep/Jump by relaxation",
                       "is for natural sweeps; arclength continuation "
                       "passes folds on the curve instead of jumping.");
    check_relaxation("Sweep/Jump by relaxation");
  }
}

void
Parameters::check_thermal_boundaries() const
{
  const ThermalParameters &t = thermal;
  if (!time.transient && t.fixed_temperature_boundaries.empty() &&
      t.contact_conductance.empty() && t.emissivity.empty())
    throw InputError("Thermal/Fixed temperature boundaries",
                     "at least one boundary must be held at T0 or lose heat "
                     "('Contact conductance', 'Emissivity'), otherwise the "
                     "steady heat problem has no solution (a "
                     "time-dependent run, 'Time/Mode = transient', may be "
                     "thermally isolated).");
  require_positive(t.environment_temperature,
                   "Thermal/Environment temperature",
                   "The absolute temperature T_env");
  const auto is_fixed = [&](const std::string &name)
  {
    return std::find(t.fixed_temperature_boundaries.begin(),
                     t.fixed_temperature_boundaries.end(),
                     name) != t.fixed_temperature_boundaries.end();
  };
  for (const auto &[name, value] : t.contact_conductance)
  {
    require_positive(value,
                     "Thermal/Contact conductance",
                     "The contact conductance of '" + name + "'");
    if (is_fixed(name))
      throw InputError("Thermal/Contact conductance",
                       "'" + name +
                           "' is also a fixed-temperature boundary; a "
                           "boundary is either held at T0 or loses heat "
                           "by a law.");
  }
  for (const auto &[name, value] : t.emissivity)
  {
    if (!(value > 0 && value <= 1))
      throw InputError("Thermal/Emissivity",
                       "the emissivity of '" + name + "' must lie in (0, 1].");
    if (is_fixed(name))
      throw InputError("Thermal/Emissivity",
                       "'" + name +
                           "' is also a fixed-temperature boundary; a "
                           "boundary is either held at T0 or loses heat "
                           "by a law.");
  }
  std::vector<std::pair<std::string, std::string>> used;
  for (const auto &b : t.fixed_temperature_boundaries)
    used.emplace_back("Fixed temperature boundaries", b);
  for (const auto &[b, v] : t.contact_conductance)
    used.emplace_back("Contact conductance", b);
  for (const auto &[b, v] : t.emissivity)
    used.emplace_back("Emissivity", b);
  for (const auto &[entry, b] : used)
  {
    if (dimension == 2 && (b == "y_min" || b == "y_max"))
      throw InputError("Thermal/" + entry, "'" + b + "' does not exist in 2D.");
    // With end-face electrodes the faces x = 0 and x = L are 'drain' and
    // 'source': 'x_min'/'x_max' would name no face at all.
    if (mesh.mesh_file.empty() &&
        geometry.electrode_type == ElectrodeType::end_faces &&
        (b == "x_min" || b == "x_max"))
      throw InputError("Thermal/" + entry,
                       "with end-face electrodes the faces x = 0 and x = L "
                       "are 'drain' and 'source'; '" +
                           b + "' names no face.");
  }
}

void
Parameters::check_hysteresis() const
{
  const double width = material.hysteresis_width;
  if (!(width > 0))
    throw InputError("Material/Hysteresis width",
                     "must be 0 (no hysteresis) or positive (T_up - T_down "
                     "in kelvin).");
  if (!(width < material.transition_temperature))
    throw InputError("Material/Hysteresis width",
                     "T_down = 'Transition temperature' - width must be a "
                     "positive absolute temperature.");
  if (material.phase_law != PhaseLawType::sharp)
    throw InputError("Material/Hysteresis width",
                     "hysteresis needs 'Phase law = sharp': the phase "
                     "memory switches the transition temperature of each "
                     "point between T_up and T_down.");
  if (!solver.width_continuation.empty())
    throw InputError("Solver/Width continuation",
                     "a smoothed law has no phase memory: with 'Material/"
                     "Hysteresis width' > 0 solve with the sharp law "
                     "throughout (continuation in the drive is allowed).");
  if (sweep.enabled() && sweep.method == SweepMethod::arclength)
    throw InputError("Sweep/Method",
                     "with material hysteresis the state depends on the "
                     "path, not only on the control value: use 'natural' "
                     "(each step from the previous state and its phase "
                     "memory).");
}

void
Parameters::check_free_boundary() const
{
  const std::string entry = "Solver/Free boundary";
  const auto        fail  = [&](const std::string &why)
  { throw InputError(entry, why); };
  if (material.phase_law != PhaseLawType::sharp)
    fail("needs 'Material/Phase law = sharp': the free boundary is the "
         "isotherm T = T_MIT of the sharp law.");
  if (thermal.joule_heating)
    fail("needs 'Thermal/Joule heating = false': with Joule heating the "
         "metal is hotter than T_MIT and the staggered iteration applies.");
  if (!thermal.peltier_heating)
    fail("needs 'Thermal/Peltier heating = true': without a source the only "
         "steady state is all insulating.");
  if (material.hysteresis_width != 0)
    fail("does not support 'Material/Hysteresis width' > 0.");
  if (thermal.two_temperature)
    fail("does not support 'Thermal/Model = two temperatures'.");
  if (time.transient || sweep.enabled())
    fail("is a steady solve: it needs 'Time/Mode = steady' and no sweep.");
  if (mesh.interface_refinement != 0)
    fail("does not adapt the mesh to the interface: set 'Mesh/Interface "
         "refinement = 0' (refinement cycles are allowed).");
  if (!solver.width_continuation.empty())
    fail("has no smoothed law to continue from: leave 'Solver/Width "
         "continuation' empty.");
  if (!solver.retry_relaxations.empty())
    fail("has no relaxation to retry with: leave 'Solver/Retry "
         "relaxations' empty.");
  if (!thermal.emissivity.empty())
    fail("needs a heat problem linear in T (its interior temperature T_M "
         "is found by superposition): radiation ('Thermal/Emissivity') is "
         "not supported; contact conductance is.");
  if (!(solver.free_boundary_tolerance > 0))
    throw InputError("Solver/Free boundary tolerance", "must be positive.");
  if (!(solver.free_boundary_relaxation > 0))
    throw InputError("Solver/Free boundary relaxation", "must be in (0, 1].");
  if (solver.free_boundary_newton)
  {
    const std::string method = "Solver/Free boundary method";
    if (!solver.free_boundary_level_set)
      throw InputError(method,
                       "'newton' needs 'Solver/Free boundary interface = "
                       "level set': its unknown is the level set.");
    if (!thermal.consistent_electrode_flux)
      throw InputError(method,
                       "'newton' needs 'Thermal/Electrode Peltier flux = "
                       "consistent': the interior metal's equations vanish "
                       "only with it.");
    if (solver.polynomial_degree != 1)
      throw InputError(method,
                       "'newton' needs 'Solver/Polynomial degree = 1': its "
                       "Jacobian's electrode terms take the level set linear "
                       "along a cell's edges and div j = 0 in a cell.");
    if (!thermal.contact_conductance.empty())
      throw InputError(method,
                       "'newton' does not support 'Thermal/Contact "
                       "conductance': it drops the heat balance of the "
                       "metal's interior nodes, which a contact boundary "
                       "would cool.");
    if (material.kappa_metal != material.kappa_insulator)
      throw InputError(method,
                       "'newton' needs equal thermal conductivities "
                       "('Material/Metal thermal conductivity' = 'Insulator "
                       "thermal conductivity'): its Jacobian leaves out the "
                       "cut cells' conduction derivative.");
  }
}

void
Parameters::check_relaxation(const std::string &entry) const
{
  // A relaxation in time ('Sweep/Jump by relaxation', 'Mesh/Relax after
  // adaptation'): its stopping rule and its time stepping.
  if (thermal.two_temperature)
    throw InputError(entry,
                     "needs the time-dependent heat equation, which the "
                     "two-temperature model does not have.");
  require_positive(sweep.relaxation_rate,
                   "Sweep/Relaxation rate",
                   "The rate that ends a relaxation");
  require_positive(sweep.max_relaxation_time,
                   "Sweep/Maximum relaxation time",
                   "The longest relaxation");
  check_time_stepping();
}

void
Parameters::check_time_stepping() const
{
  const TimeParameters &t = time;
  require_positive(t.time_step, "Time/Time step", "The time step");
  require_positive(material.heat_capacity_insulator,
                   "Material/Insulator heat capacity",
                   "The volumetric heat capacity");
  require_positive(material.heat_capacity_metal,
                   "Material/Metal heat capacity",
                   "The volumetric heat capacity");
  require_positive(
      t.min_time_step, "Time/Minimum time step", "The minimum time step");
  if (t.min_time_step > t.time_step)
    throw InputError("Time/Minimum time step",
                     "exceeds 'Time/Time step' (" +
                         Utilities::to_string(t.time_step) + " s).");
  if (t.adaptive)
  {
    require_positive(
        t.error_tolerance, "Time/Error tolerance", "The local error tolerance");
    if (t.max_time_step < t.time_step)
      throw InputError("Time/Maximum time step",
                       "is below 'Time/Time step' (" +
                           Utilities::to_string(t.time_step) + " s).");
  }
}

void
Parameters::check_time() const
{
  const TimeParameters &t = time;
  require_positive(t.end_time, "Time/End time", "The end time");
  check_time_stepping();
  if (sweep.enabled())
    throw InputError("Sweep/Values",
                     "a sweep is a sequence of steady states; a "
                     "time-dependent run drives the sample with "
                     "'Time/Drive' instead. Use one or the other.");
  if (mesh.number_of_cycles > 1)
    throw InputError("Mesh/Number of cycles",
                     "refinement cycles are for steady runs; a "
                     "time-dependent run adapts its mesh every 'Time/"
                     "Adaptation interval' steps.");
  if (electric.ramp_steps > 1)
    throw InputError("Electric/Ramp steps",
                     "a time-dependent run starts from its initial "
                     "temperature; ramp the drive in time with 'Time/Drive' "
                     "instead.");
  if (!solver.width_continuation.empty())
    throw InputError("Solver/Width continuation",
                     "every time step is solved with the material's law; "
                     "continuation in the width is for steady runs.");
  if (!t.drive.empty())
  {
    FunctionParser<1> drive(1);
    try
    {
      drive.initialize(
          "t",
          t.drive,
          {{"I0", electric.current}, {"V0", electric.voltage}, {"pi", M_PI}});
      // muParser compiles lazily: evaluate once.
      drive.value(Point<1>(0.));
    }
    catch (...)
    {
      throw InputError("Time/Drive",
                       "cannot parse '" + t.drive +
                           "' as a function of t (constants I0, V0, pi).");
    }
  }
}

void
Parameters::check() const
{
  require_positive(geometry.length, "Geometry/Length", "The length");
  for (const double w : solver.width_continuation)
    require_positive(w, "Solver/Width continuation", "Every width");
  require_positive(geometry.width, "Geometry/Width", "The width");
  require_positive(geometry.thickness, "Geometry/Thickness", "The thickness");
  require_positive(material.resistivity_insulator,
                   "Material/Insulator resistivity",
                   "The resistivity (1/conductivity)");
  require_positive(material.resistivity_metal,
                   "Material/Metal resistivity",
                   "The resistivity (1/conductivity)");
  require_positive(material.kappa_insulator,
                   "Material/Insulator thermal conductivity",
                   "The thermal conductivity");
  require_positive(material.kappa_metal,
                   "Material/Metal thermal conductivity",
                   "The thermal conductivity");
  require_positive(material.transition_temperature,
                   "Material/Transition temperature",
                   "The absolute temperature T_MIT");
  require_positive(thermal.substrate_temperature,
                   "Thermal/Substrate temperature",
                   "The absolute temperature T0");
  if (material.phase_law == PhaseLawType::smooth)
    require_positive(material.transition_width,
                     "Material/Transition width",
                     "The transition width of the smooth law");
  if (material.hysteresis_width != 0)
    check_hysteresis();
  if (thermal.two_temperature)
    check_two_temperature();
  if (solver.free_boundary)
    check_free_boundary();
  if (!(solver.relaxation > 0 && solver.relaxation <= 1))
    throw InputError("Solver/Relaxation", "must lie in (0, 1].");
  for (const double beta : solver.retry_relaxations)
    if (!(beta > 0 && beta <= 1))
      throw InputError("Solver/Retry relaxations",
                       "every factor must lie in (0, 1], but one is " +
                           Utilities::to_string(beta) + ".");
  if (!(solver.picard_tolerance > 0))
    throw InputError("Solver/Picard tolerance", "must be positive.");
  if (!(solver.newton_forcing > 0 && solver.newton_forcing < 1))
    throw InputError("Solver/Newton forcing term", "must lie in (0, 1).");
  if (!(solver.linear_tolerance > 0 && solver.linear_tolerance < 1))
    throw InputError("Solver/Linear solver tolerance", "must lie in (0, 1).");
  if (time.transient)
    check_time();
  else if (sweep.enabled())
    check_sweep();
  if (mesh.relax_after_adaptation && !time.transient)
  {
    if (mesh.interface_refinement == 0)
      throw InputError("Mesh/Relax after adaptation",
                       "needs 'Mesh/Interface refinement' > 0 (without "
                       "interface adaptation there is nothing to relax "
                       "after).");
    check_relaxation("Mesh/Relax after adaptation");
  }
  if (checkpoint.restart &&
      !std::filesystem::is_directory(checkpoint_directory()))
    throw InputError(checkpoint.restart_directory.empty()
                         ? "Checkpoint/Restart"
                         : "Checkpoint/Restart directory",
                     "there is no checkpoint directory '" +
                         checkpoint_directory() + "' to restart from.");
  if (!sweep.enabled() && !time.transient &&
      electric.control == ControlType::current && electric.current == 0)
    throw InputError("Electric/Current",
                     "a current-controlled run needs a non-zero current.");
  if (!sweep.enabled() && !time.transient &&
      electric.control == ControlType::voltage && electric.voltage == 0)
    throw InputError("Electric/Voltage",
                     "a voltage-controlled run needs a non-zero voltage.");
  check_thermal_boundaries();

  if (geometry.electrode_type == ElectrodeType::top_patches)
  {
    check_patch(geometry.drain, "Drain", geometry, dimension);
    check_patch(geometry.source, "Source", geometry, dimension);
    const auto &d         = geometry.drain;
    const auto &s         = geometry.source;
    const bool  overlap_x = d.x_min < s.x_max && s.x_min < d.x_max;
    const bool  overlap_y =
        dimension == 2 || (d.y_min < s.y_max && s.y_min < d.y_max);
    if (overlap_x && overlap_y)
      throw InputError("Geometry/Source/x min",
                       "the source patch overlaps the drain patch.");
  }
  if (!mesh.mesh_file.empty())
  {
    if (mesh.drain_tags.empty())
      throw InputError("Mesh/Drain tags",
                       "a mesh file needs the physical tags of the drain.");
    if (mesh.source_tags.empty())
      throw InputError("Mesh/Source tags",
                       "a mesh file needs the physical tags of the source.");
    const std::vector<std::pair<std::string, std::vector<unsigned int>>> lists =
        {{"Drain tags", mesh.drain_tags},
         {"Source tags", mesh.source_tags},
         {"Substrate tags", mesh.substrate_tags},
         {"Top tags", mesh.top_tags}};
    for (unsigned int a = 0; a < lists.size(); ++a)
      for (unsigned int b = 0; b < a; ++b)
        for (const unsigned int t : lists[a].second)
          if (std::count(lists[b].second.begin(), lists[b].second.end(), t))
            throw InputError("Mesh/" + lists[a].first,
                             "tag " + std::to_string(t) + " is also in 'Mesh/" +
                                 lists[b].first + "'.");
    for (const auto &b : thermal.fixed_temperature_boundaries)
      if (b != "substrate" && b != "top")
        throw InputError("Thermal/Fixed temperature boundaries",
                         "with a mesh file only 'substrate' and 'top' "
                         "(the groups of 'Mesh/Substrate tags' and 'Mesh/Top "
                         "tags') exist, not '" +
                             b + "'.");
    for (const auto &[name, entry, list] :
         {std::make_tuple("substrate", "Substrate tags", mesh.substrate_tags),
          std::make_tuple("top", "Top tags", mesh.top_tags)})
      if (list.empty() &&
          std::count(thermal.fixed_temperature_boundaries.begin(),
                     thermal.fixed_temperature_boundaries.end(),
                     name))
        throw InputError(std::string("Mesh/") + entry,
                         std::string("'") + name +
                             "' is held at T0 ('Thermal/Fixed temperature "
                             "boundaries') but no tag forms it.");
    if (verification.benchmark != BenchmarkType::none)
      throw InputError("Verification/Benchmark",
                       "the benchmarks use the built-in box, not "
                       "'Mesh/Mesh file'.");
  }
  if (verification.benchmark == BenchmarkType::wire)
  {
    const ThermalParameters &t         = thermal;
    const bool               radiating = !t.emissivity.empty();
    if (radiating && !(t.fixed_temperature_boundaries.empty() &&
                       t.contact_conductance.empty()))
      throw InputError("Verification/Benchmark",
                       "the radiating wire (A-22) loses heat by radiation "
                       "only: no fixed-temperature or contact-conductance "
                       "boundaries.");
    if (radiating)
    {
      // holds exactly for a uniform temperature: adiabatic ends and
      // the same emissivity on every radiating (lateral) face.
      for (const auto &[name, eps] : t.emissivity)
        if (name == "drain" || name == "source" ||
            eps != t.emissivity.begin()->second)
          throw InputError("Verification/Benchmark",
                           "the radiating wire (A-22) radiates from its "
                           "lateral faces, all with the same emissivity, "
                           "and has adiabatic ends.");
    }
    else
    {
      const auto fixed = t.fixed_temperature_boundaries;
      const bool ends_fixed =
          fixed.size() == 2 && t.contact_conductance.empty() &&
          std::count(fixed.begin(), fixed.end(), "drain") == 1 &&
          std::count(fixed.begin(), fixed.end(), "source") == 1;
      const auto &c            = t.contact_conductance;
      const bool  ends_contact = fixed.empty() && c.size() == 2 &&
                                c.count("drain") && c.count("source") &&
                                c.at("drain") == c.at("source");
      // Time-dependent: also the isolated wire, dT/dt = j E / C.
      const bool isolated = time.transient && fixed.empty() && c.empty();
      if (!(ends_fixed || ends_contact || isolated))
        throw InputError("Verification/Benchmark",
                         "the conducting wire (A-19, A-20) loses heat "
                         "through both ends only: 'drain' and 'source' "
                         "held at T0, or both with the same 'Contact "
                         "conductance' (or, time-dependent, through no "
                         "boundary at all).");
    }
  }
  if ((verification.benchmark == BenchmarkType::insulating_slab ||
       verification.benchmark == BenchmarkType::parallel_slab) &&
      (thermal.fixed_temperature_boundaries !=
           std::vector<std::string>{"substrate"} ||
       !thermal.contact_conductance.empty() || !thermal.emissivity.empty()))
    throw InputError("Verification/Benchmark",
                     "the slab benchmarks (P-8, P-11) hold the substrate at "
                     "T0 and nothing else: 'Thermal/Fixed temperature "
                     "boundaries = substrate', no contact conductance, no "
                     "emissivity.");
  if (verification.benchmark != BenchmarkType::none &&
      geometry.electrode_type != ElectrodeType::end_faces)
    throw InputError("Verification/Benchmark",
                     "the benchmarks need 'Geometry/Electrode type = "
                     "end faces'.");
}

void
Parameters::check_two_temperature() const
{
  require_positive(thermal.coupling,
                   "Thermal/Electron-lattice coupling",
                   "The electron-lattice coupling gamma_el");
  for (const auto &[phase, kappa, kappa_l] :
       {std::make_tuple("Insulator",
                        material.kappa_insulator,
                        material.kappa_lattice_insulator),
        std::make_tuple(
            "Metal", material.kappa_metal, material.kappa_lattice_metal)})
  {
    const std::string entry =
        std::string("Material/") + phase + " lattice thermal conductivity";
    require_positive(kappa_l, entry, "The lattice thermal conductivity");
    if (!(kappa_l < kappa))
      throw InputError(entry,
                       "kappa_l = " + Utilities::to_string(kappa_l) +
                           " W/(m K) must be below the total 'Material/" +
                           phase + " thermal conductivity' (" +
                           Utilities::to_string(kappa) +
                           " W/(m K)): the electrons' part kappa - kappa_l "
                           "must be positive.");
  }
  if (time.transient)
    throw InputError("Thermal/Model",
                     "the two-temperature model is available for steady "
                     "runs and sweeps; 'Time/Mode = transient' needs the "
                     "single-temperature model.");
  if (!mesh.mesh_file.empty())
    for (const auto &b : thermal.electron_fixed_temperature_boundaries)
      if (b != "substrate" && b != "top")
        throw InputError("Thermal/Electron fixed temperature boundaries",
                         "with a mesh file only 'substrate' and 'top' "
                         "exist, not '" +
                             b + "'.");
  if (thermal.fixed_temperature_boundaries.empty() &&
      thermal.contact_conductance.empty() && thermal.emissivity.empty() &&
      thermal.electron_fixed_temperature_boundaries.empty())
    throw InputError("Thermal/Fixed temperature boundaries",
                     "with two temperatures the heat must leave somewhere: "
                     "neither the lattice (fixed temperature, contact "
                     "conductance, emissivity) nor the electrons ('Electron "
                     "fixed temperature boundaries') have a boundary that "
                     "removes it.");
}

void
read_parameters(const std::string              &filename,
                const std::vector<std::string> &overrides,
                ParameterHandler               &prm,
                Parameters                     &parameters)
{
  Parameters::declare_parameters(prm);
  {
    std::ifstream in(filename);
    if (!in)
      throw InputError("(command line)",
                       "cannot open the parameter file '" + filename + "'.");
  }
  try
  {
    prm.parse_input(filename, "", /*skip_undefined=*/false, true);
  }
  catch (const ExceptionBase &e)
  {
    // Keep deal.II's description (it names the line and the entry) but
    // drop the source location and stack trace meant for developers.
    std::ostringstream info;
    e.print_info(info);
    throw InputError(filename, info.str());
  }

  for (const auto &o : overrides)
  {
    const auto eq = o.find('=');
    if (eq == std::string::npos)
      throw InputError(o, "--set expects \"Subsection/Entry=value\".");
    const std::string        path  = o.substr(0, eq);
    const std::string        value = o.substr(eq + 1);
    std::vector<std::string> parts = Utilities::split_string_list(path, '/');
    for (unsigned int i = 0; i + 1 < parts.size(); ++i)
      prm.enter_subsection(parts[i]);
    try
    {
      prm.set(parts.back(), value);
    }
    catch (...)
    {
      throw InputError(path,
                       "--set: no such entry, or the value '" + value +
                           "' does not match its pattern.");
    }
    for (unsigned int i = 0; i + 1 < parts.size(); ++i)
      prm.leave_subsection();
  }
  try
  {
    parameters.parse_parameters(prm);
  }
  catch (const ExceptionBase &e)
  {
    // A value that matches its pattern but does not convert (a double
    // below the smallest normal number, for instance).
    std::ostringstream info;
    e.print_info(info);
    throw InputError(filename, info.str());
  }
  // A relative mesh file is found next to the parameter file.
  std::string &mesh_file = parameters.mesh.mesh_file;
  if (!mesh_file.empty() && std::filesystem::path(mesh_file).is_relative())
    mesh_file =
        (std::filesystem::path(filename).parent_path() / mesh_file).string();
  parameters.check();
}
} // namespace imtsim
