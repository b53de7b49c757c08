#include <deal.II/base/data_out_base.h>
#include <deal.II/fe/mapping_q1.h>
#include <deal.II/numerics/data_out.h>
#include <deal.II/numerics/data_postprocessor.h>

#include <imtsim/postprocessing/atomic_file.h>
#include <imtsim/postprocessing/field_output.h>

#include <fstream>

namespace imtsim
{
namespace
{
/**
 * Derived point fields from psi; T at the same points is interpolated
 * from the temperature vector on the same cell.
 */
template <int dim> class DerivedFields : public DataPostprocessor<dim>
{
public:
  /**
   * @p theta decides the phase (T itself without hysteresis, T_up + phi
   * with it, doc/hysteresis.md); @p temperature is T.
   */
  DerivedFields(const PhaseLaw   &law,
                const VectorType &theta,
                const VectorType &temperature)
      : law(law), theta(theta), temperature(temperature)
  {
  }

  std::vector<std::string>
  get_names() const override
  {
    std::vector<std::string> names = {"Phi"};
    for (unsigned int d = 0; d < dim; ++d)
      names.emplace_back("current_density");
    names.emplace_back("sigma");
    names.emplace_back("joule_power_density");
    names.emplace_back("metal");
    return names;
  }

  std::vector<DataComponentInterpretation::DataComponentInterpretation>
  get_data_component_interpretation() const override
  {
    std::vector<DataComponentInterpretation::DataComponentInterpretation> c(
        1, DataComponentInterpretation::component_is_scalar);
    for (unsigned int d = 0; d < dim; ++d)
      c.push_back(DataComponentInterpretation::component_is_part_of_vector);
    for (unsigned int k = 0; k < 3; ++k)
      c.push_back(DataComponentInterpretation::component_is_scalar);
    return c;
  }

  UpdateFlags
  get_needed_update_flags() const override
  {
    return update_values | update_gradients | update_quadrature_points;
  }

  void
  evaluate_scalar_field(const DataPostprocessorInputs::Scalar<dim> &input,
                        std::vector<Vector<double>> &computed) const override
  {
    const auto     cell = input.template get_cell<dim>();
    const auto    &fe   = cell->get_fe();
    Vector<double> T_local(fe.n_dofs_per_cell()),
        theta_local(fe.n_dofs_per_cell());
    cell->get_dof_values(temperature, T_local);
    cell->get_dof_values(theta, theta_local);
    const MappingQ1<dim> mapping;
    for (unsigned int p = 0; p < input.solution_values.size(); ++p)
    {
      const Point<dim> unit =
          mapping.transform_real_to_unit_cell(cell, input.evaluation_points[p]);
      double T = 0, th = 0;
      for (unsigned int i = 0; i < fe.n_dofs_per_cell(); ++i)
      {
        T += T_local(i) * fe.shape_value(i, unit);
        th += theta_local(i) * fe.shape_value(i, unit);
      }
      const double          sigma = law.sigma(th, Region::from_temperature);
      const Tensor<1, dim> &g     = input.solution_gradients[p];
      // G = S_I (T - T_up) + (S_M - S_I) phi^+ (phi = theta - T_up): the
      // law's G at theta plus S_I (T - theta); G(T) without hysteresis.
      computed[p](0) = input.solution_values[p] -
                       law.seebeck_integral(th, Region::from_temperature) -
                       law.seebeck(th, Region::insulator) * (T - th);
      for (unsigned int d = 0; d < dim; ++d)
        computed[p](1 + d) = -sigma * g[d];
      computed[p](dim + 1) = sigma;
      computed[p](dim + 2) = sigma * (g * g);
      computed[p](dim + 3) = law.metal_fraction(th);
    }
  }

private:
  const PhaseLaw   &law;
  const VectorType &theta, &temperature;
};
} // namespace

template <int dim>
FieldOutput<dim>::FieldOutput(const Parameters  &parameters,
                              const std::string &directory)
    : parameters(parameters), directory(directory)
{
}

template <int dim>
void
FieldOutput<dim>::write(
    const DoFHandler<dim>                                         &dof_handler,
    PhaseQuadrature<dim>                                          &quadrature,
    const VectorType                                              &temperature,
    const VectorType                                              &potential,
    const unsigned int                                             cycle,
    const double                                                   time,
    const std::vector<std::pair<std::string, const VectorType *>> &extra)
{
  const auto     &tria = dof_handler.get_triangulation();
  const PhaseLaw &law  = quadrature.get_law();
  Vector<float>   metal_fraction(tria.n_active_cells()),
      peltier_heat(tria.n_active_cells()), partition(tria.n_active_cells());
  const bool peltier = parameters.thermal.peltier_heating;
  // -[H] = T_c (S_I - S_M) with T_c = T_MIT, or with hysteresis the
  // interface temperature T_c,h = T_up + shift.
  const double                dS = law.delta_seebeck();
  std::vector<double>         T_q, shift_q;
  std::vector<Tensor<1, dim>> grad_psi;
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
    {
      const unsigned int c = cell->active_cell_index();
      partition(c)         = cell->subdomain_id();
      double metal = 0, volume = 0, heat = 0;
      quadrature.for_each_part(
          cell,
          [&](const FEValues<dim> &fe, const Region region)
          {
            T_q.resize(fe.n_quadrature_points);
            fe.get_function_values(temperature, T_q);
            for (const unsigned int q : fe.quadrature_point_indices())
            {
              volume += fe.JxW(q);
              metal += law.metal_weight(T_q[q], region) * fe.JxW(q);
            }
          });
      // Sharp law: interface heat -[H] j.n = -T_c dS j.n_{M->I}.
      if (peltier)
        quadrature.for_interface(
            cell,
            [&](const NonMatching::FEImmersedSurfaceValues<dim> &fe)
            {
              grad_psi.resize(fe.n_quadrature_points);
              fe.get_function_gradients(potential, grad_psi);
              shift_q.assign(fe.n_quadrature_points, 0.);
              if (quadrature.hysteretic())
                fe.get_function_values(quadrature.transition_shift(), shift_q);
              for (const unsigned int q : fe.quadrature_point_indices())
              {
                const double dH =
                    dS * (law.transition_temperature() + shift_q[q]);
                // j.n evaluated with the metal conductivity side: the
                // normal current is continuous, use the mean.
                const double jn_m = -law.sigma(0, Region::metal) *
                                    (grad_psi[q] * fe.normal_vector(q));
                const double jn_i = -law.sigma(0, Region::insulator) *
                                    (grad_psi[q] * fe.normal_vector(q));
                heat += -dH * 0.5 * (jn_m + jn_i) * fe.JxW(q);
              }
            });
      metal_fraction(c) = volume > 0 ? metal / volume : 0;
      peltier_heat(c)   = volume > 0 ? heat / volume : 0;
    }

  // The derived fields (sigma, G, metal fraction) depend on the phase:
  // evaluate them at theta, which crosses T_MIT where T crosses T_c,h.
  VectorType theta;
  quadrature.phase_temperature(temperature, theta);
  DerivedFields<dim> derived(law, theta, temperature);
  DataOut<dim>       data_out;
  data_out.attach_dof_handler(dof_handler);
  data_out.add_data_vector(temperature, "T");
  for (const auto &[name, field] : extra)
    data_out.add_data_vector(*field, name);
  VectorType transition;
  if (quadrature.hysteretic())
  {
    // T_c,h = T_up + shift: T_down where the memory is metal.
    VectorType owned(quadrature.transition_shift().locally_owned_elements(),
                     dof_handler.get_communicator());
    owned = quadrature.transition_shift();
    owned.add(law.transition_temperature());
    transition.reinit(quadrature.transition_shift());
    transition = owned;
    data_out.add_data_vector(transition, "transition_temperature");
  }
  data_out.add_data_vector(potential, "psi");
  data_out.add_data_vector(potential, derived);
  data_out.add_data_vector(metal_fraction, "metal_fraction_cell");
  data_out.add_data_vector(peltier_heat, "peltier_power_density_cell");
  data_out.add_data_vector(partition, "partition");
  data_out.build_patches(dof_handler.get_fe().degree);

  // One piece per rank, then the record and the collection, each written
  // under a temporary name and renamed: a run killed meanwhile never
  // leaves a half-written file that the .pvd refers to. (The names are
  // those of DataOut::write_vtu_with_pvtu_record.)
  const MPI_Comm     comm    = dof_handler.get_communicator();
  const unsigned int n_ranks = Utilities::MPI::n_mpi_processes(comm);
  const std::string  stem = basename + "_" + Utilities::int_to_string(cycle, 4);
  const auto         piece = [&](const unsigned int rank)
  {
    return stem + "." +
           Utilities::int_to_string(rank,
                                    Utilities::needed_digits(n_ranks - 1)) +
           ".vtu";
  };
  write_atomically(directory + "/" +
                       piece(Utilities::MPI::this_mpi_process(comm)),
                   [&](std::ostream &out) { data_out.write_vtu(out); });
  MPI_Barrier(comm);
  const std::string name = stem + ".pvtu";
  records.emplace_back(time >= 0 ? time : double(cycle), name);
  if (Utilities::MPI::this_mpi_process(comm) == 0)
  {
    std::vector<std::string> pieces;
    for (unsigned int r = 0; r < n_ranks; ++r)
      pieces.push_back(piece(r));
    write_atomically(directory + "/" + name,
                     [&](std::ostream &out)
                     { data_out.write_pvtu_record(out, pieces); });
    write_atomically(directory + "/" + basename + ".pvd",
                     [&](std::ostream &out)
                     { DataOutBase::write_pvd_record(out, records); });
  }
}

template class FieldOutput<2>;
template class FieldOutput<3>;
} // namespace imtsim
