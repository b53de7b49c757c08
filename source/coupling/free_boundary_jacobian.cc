// The Peltier-only free boundary's residual and Jacobian in the nodal level
// set (doc/free_boundary_newton.md sections 1-2).
#include <deal.II/base/mpi.h>
#include <deal.II/base/quadrature.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/vector.h>

#include <imtsim/coupling/free_boundary_jacobian.h>
#include <imtsim/solvers/amg_cg_solver.h>

#include <Epetra_CrsMatrix.h>

#include <algorithm>
#include <cmath>

namespace imtsim
{
template <int dim>
FreeBoundaryJacobian<dim>::FreeBoundaryJacobian(
    const DoFHandler<dim> &dof_handler,
    PhaseQuadrature<dim>  &quadrature,
    ThermalProblem<dim>   &thermal,
    const double           temperature_scale)
    : dof_handler(dof_handler), quadrature(quadrature), thermal(thermal),
      law(quadrature.get_law()), temperature_scale(temperature_scale)
{
}

template <int dim>
void
FreeBoundaryJacobian<dim>::setup(
    const IndexSet                  &owned,
    const IndexSet                  &relevant,
    const AffineConstraints<double> &hanging_node_constraints)
{
  owned_dofs    = owned;
  relevant_dofs = relevant;
  hanging       = &hanging_node_constraints;
  // The pattern of the conduction matrix with hanging nodes condensed; the
  // fixed-temperature rows become unit rows after assembly. Every coupling
  // of (b) and (c) lies within a cell.
  reinit_system_matrix(
      dof_handler, hanging_node_constraints, owned, relevant, jacobian);
  const MPI_Comm comm = dof_handler.get_communicator();
  T.reinit(owned, relevant, comm);
  theta.reinit(owned, relevant, comm);
  follows.reinit(owned, comm);
}

template <int dim>
void
FreeBoundaryJacobian<dim>::set_level_set(const VectorType &phi)
{
  const MPI_Comm                   comm  = dof_handler.get_communicator();
  const double                     T_mit = law.transition_temperature();
  const AffineConstraints<double> &fixed = thermal.fixed_constraints();
  VectorType owned_T(owned_dofs, comm), owned_theta(owned_dofs, comm);
  follows = 0;
  for (const auto i : owned_dofs)
  {
    owned_theta[i] = T_mit + phi[i];
    if (!fixed.is_constrained(i))
    {
      owned_T[i] = T_mit + std::min(phi[i], 0.);
      if (phi[i] < 0)
        follows[i] = 1;
    }
  }
  owned_T.compress(VectorOperation::insert);
  owned_theta.compress(VectorOperation::insert);
  follows.compress(VectorOperation::insert);
  // T0 on the fixed boundaries, hanging nodes interpolated.
  fixed.distribute(owned_T);
  hanging->distribute(owned_theta);
  // A hanging node takes the phase of its T (hanging_level()): insulating
  // as soon as one parent is. Its parents are not constrained, so the
  // interpolated field holds their T_MIT + phi.
  theta = owned_theta;
  for (const auto i : owned_dofs)
    if (const auto *entries = hanging->get_constraint_entries(i))
      owned_theta[i] = T_mit + hanging_level(*entries).first;
  owned_theta.compress(VectorOperation::insert);
  T     = owned_T;
  theta = owned_theta;
  quadrature.set_phase_field(&theta);
  quadrature.set_temperature(T);

  // Interior metal: metal nodes whose condensed rows only hold all-metal
  // cells at T_MIT: neither their own cells nor those of hanging nodes
  // they are a parent of may be cut or have an insulating parent. Each owned
  // cell marks what it blocks, and the marks are summed at the owners.
  const unsigned int n_owned = owned_dofs.n_elements();
  interior.assign(n_owned, false);
  unit_row.assign(n_owned, false);
  VectorType blocked;
  blocked.reinit(owned_dofs, relevant_dofs, comm, true);
  std::vector<types::global_dof_index> indices(
      dof_handler.get_fe().n_dofs_per_cell());
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
    {
      cell->get_dof_indices(indices);
      // All metal, and isothermal: a hanging node's T interpolates its
      // parents', so they must be metal too.
      bool all_metal = quadrature.cell_class(cell) == 1;
      for (const auto i : indices)
        if (const auto *entries = hanging->get_constraint_entries(i))
          for (const auto &entry : *entries)
            all_metal = all_metal && theta[entry.first] > T_mit;
        else
          all_metal = all_metal && theta[i] > T_mit;
      if (all_metal)
        continue;
      for (const auto i : indices)
        if (const auto *entries = hanging->get_constraint_entries(i))
          for (const auto &entry : *entries)
            blocked[entry.first] += 1;
        else
          blocked[i] += 1;
    }
  blocked.compress(VectorOperation::add);
  for (const auto i : owned_dofs)
    interior[owned_dofs.index_within_set(i)] =
        theta[i] > T_mit && !fixed.is_constrained(i) && blocked[i] == 0;
  for (const auto i : owned_dofs)
  {
    const unsigned int k = owned_dofs.index_within_set(i);
    unit_row[k]          = interior[k] || fixed.is_constrained(i);
  }
}

template <int dim>
void
FreeBoundaryJacobian<dim>::residual(const VectorType &psi, VectorType &F)
{
  thermal.nodal_residual(T, psi, T, F);
  for (const auto i : owned_dofs)
    if (unit_row[owned_dofs.index_within_set(i)])
      F[i] = 0;
  F.compress(VectorOperation::insert);
}

template <int dim>
void
FreeBoundaryJacobian<dim>::assemble(const VectorType &psi,
                                    const bool        interface_terms,
                                    const bool        sigma_term,
                                    const bool        edge_terms)
{
  const unsigned int n = dof_handler.get_fe().n_dofs_per_cell();
  FullMatrix<double> cell_matrix(n, n);
  Vector<double>     cell_rhs(n);
  std::vector<types::global_dof_index> indices(n);

  // (a) The conduction matrix, condensed, then -A D.
  jacobian = 0;
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (cell->is_locally_owned())
    {
      thermal.assemble_local_system(cell, T, psi, cell_matrix, cell_rhs);
      cell_matrix *= -1.;
      cell->get_dof_indices(indices);
      hanging->distribute_local_to_global(cell_matrix, indices, jacobian);
    }
  jacobian.compress(VectorOperation::add);
  diagonal.reinit(owned_dofs, dof_handler.get_communicator());
  for (const auto i : owned_dofs)
    diagonal[i] = -jacobian.diag_element(i);
  diagonal.compress(VectorOperation::insert);
  // Epetra imports D to the column map itself.
  const int scaled = const_cast<Epetra_CrsMatrix &>(jacobian.trilinos_matrix())
                         .RightScale(*follows.trilinos_vector()(0));
  AssertThrow(scaled == 0,
              ExcMessage("Epetra's RightScale failed with code " +
                         std::to_string(scaled)));

  // (b) and (c) on the cut cells.
  const bool consistent =
      thermal.electrode_nodes().size() == dof_handler.n_dofs();
  const double T_mit = law.transition_temperature();
  const double dH    = law.peltier_potential(T_mit, Region::metal) -
                    law.peltier_potential(T_mit, Region::insulator);
  const double                sigma_M = law.sigma(T_mit, Region::metal);
  const double                sigma_I = law.sigma(T_mit, Region::insulator);
  std::vector<Tensor<1, dim>> grad_psi, grad_phi;
  std::vector<double>         T_q;
  Vector<double>              shape_weight(n), dsigma(n), interface_flux(n);
  FullMatrix<double>          electrode_matrix(n, n);
  for (const auto &cell : dof_handler.active_cell_iterators())
    if (interface_terms && cell->is_locally_owned() && quadrature.is_cut(cell))
    {
      cell_matrix = 0;
      // The electrode rows' own terms (below), added to electrode rows
      // only, after condensation: a hanging node's share goes to its
      // parents in the form of the row it lands in, as in
      // ThermalProblem::electrode_heat().
      cell->get_dof_indices(indices);
      bool touches = false;
      if (consistent)
        for (const auto i : indices)
          touches = touches || thermal.electrode_nodes()[i] != 0;
      electrode_matrix        = 0;
      dsigma                  = 0;
      interface_flux          = 0;
      const double sigma_cell = thermal.peltier_sigma(cell, T);
      const double sigma_j    = sigma_cell > 0 ? sigma_cell : sigma_M;
      const double floor =
          1e-3 * std::abs(temperature_scale) / cell->diameter();
      quadrature.for_interface(
          cell,
          [&](const NonMatching::FEImmersedSurfaceValues<dim> &fe)
          {
            const unsigned int nq = fe.n_quadrature_points;
            grad_psi.resize(nq);
            grad_phi.resize(nq);
            fe.get_function_gradients(psi, grad_psi);
            fe.get_function_gradients(theta, grad_phi);
            for (const unsigned int q : fe.quadrature_point_indices())
            {
              const Tensor<1, dim> j = -sigma_j * grad_psi[q];
              const double w = fe.JxW(q) / std::max(grad_phi[q].norm(), floor);
              for (const unsigned int k : fe.dof_indices())
                shape_weight(k) = fe.shape_value(k, q) * w;
              for (const unsigned int i : fe.dof_indices())
              {
                const double flux = dH * (j * fe.shape_grad(i, q));
                for (const unsigned int k : fe.dof_indices())
                  cell_matrix(i, k) += flux * shape_weight(k);
              }
              for (const unsigned int k : fe.dof_indices())
                dsigma(k) += shape_weight(k);
              // d/dsigma_K of an electrode row's (H_M - H_I) int_Gamma
              // j.n v_i, for (c) below.
              if (touches)
                for (const unsigned int i : fe.dof_indices())
                  interface_flux(i) -= dH *
                                       (grad_psi[q] * fe.normal_vector(q)) *
                                       fe.shape_value(i, q) * fe.JxW(q);
            }
          });
      if (sigma_term && sigma_cell > 0)
      {
        // dl_i/dsigma_K = -sum over the parts of (H grad psi, grad v_i).
        Vector<double> dl(n);
        quadrature.for_each_part(
            cell,
            [&](const FEValues<dim> &fe, const Region region)
            {
              grad_psi.resize(fe.n_quadrature_points);
              T_q.resize(fe.n_quadrature_points);
              fe.get_function_gradients(psi, grad_psi);
              fe.get_function_values(T, T_q);
              for (const unsigned int q : fe.quadrature_point_indices())
              {
                const double H = law.peltier_potential(T_q[q], region);
                for (const unsigned int i : fe.dof_indices())
                  dl(i) -= H * (grad_psi[q] * fe.shape_grad(i, q)) * fe.JxW(q);
              }
            });
        const double scale = (sigma_M - sigma_I) / cell->measure();
        for (unsigned int i = 0; i < n; ++i)
          for (unsigned int k = 0; k < n; ++k)
            cell_matrix(i, k) += dl(i) * scale * dsigma(k);
        // An electrode row holds (H_M - H_I) int_Gamma j.n v_i instead
        // (ThermalProblem::electrode_heat()): its derivative in sigma_K
        // replaces dl there.
        if (touches)
          for (unsigned int i = 0; i < n; ++i)
            for (unsigned int k = 0; k < n; ++k)
              electrode_matrix(i, k) +=
                  (interface_flux(i) - dl(i)) * scale * dsigma(k);
      }
      if (dim == 2 && touches && edge_terms)
        add_electrode_edge_terms(cell, psi, sigma_j, electrode_matrix);
      const std::vector<Entries> columns = phase_columns(indices);
      add_phase_derivative(cell_matrix, indices, columns, false);
      if (touches)
        add_phase_derivative(electrode_matrix, indices, columns, true);
    }
  jacobian.compress(VectorOperation::add);

  // Unit rows where F_i = 0 by construction (and on hanging nodes).
  std::vector<types::global_dof_index> rows;
  for (const auto i : owned_dofs)
    if (unit_row[owned_dofs.index_within_set(i)] || hanging->is_constrained(i))
      rows.push_back(i);
  jacobian.clear_rows(rows, 1.);
}

template <int dim>
void
FreeBoundaryJacobian<dim>::add_electrode_edge_terms(
    const typename DoFHandler<dim>::active_cell_iterator &cell,
    const VectorType                                     &psi,
    const double                                          sigma_j,
    FullMatrix<double>                                   &local)
{
  // An electrode row's Peltier term is (H_M - H_I) int_Gamma j.n v_i
  // (l_i plus ThermalProblem::electrode_heat()). With div j = 0 in the
  // cell (Q1 on a rectangle), int_Gamma w.n = int_{M cap K} div w -
  // int_{dK cap M} w.nu for w = j v_i, so its derivative has, besides (b),
  // the derivative of the faces' metal parts: in 2D, at each point x*
  // where the interface crosses an edge, -(w(x*).nu) N_k(x*)/|d phi/dt|.
  // Into @p local for every row; add_to_electrode_rows() keeps the
  // electrode rows.
  const double T_mit = law.transition_temperature();
  const double dH    = law.peltier_potential(T_mit, Region::metal) -
                    law.peltier_potential(T_mit, Region::insulator);
  const FiniteElement<dim>            &fe = dof_handler.get_fe();
  std::vector<types::global_dof_index> indices(fe.n_dofs_per_cell());
  cell->get_dof_indices(indices);
  for (const unsigned int f : cell->face_indices())
  {
    const unsigned int a     = GeometryInfo<dim>::face_to_cell_vertices(f, 0);
    const unsigned int b     = GeometryInfo<dim>::face_to_cell_vertices(f, 1);
    const double       phi_a = theta[indices[a]] - T_mit;
    const double       phi_b = theta[indices[b]] - T_mit;
    if ((phi_a > 0) == (phi_b > 0) || phi_a == phi_b)
      continue;
    // The crossing in the face's coordinate, from vertex a to vertex b.
    const double              t = phi_a / (phi_a - phi_b);
    const Quadrature<dim - 1> point(
        std::vector<Point<dim - 1>>{Point<dim - 1>(t)},
        std::vector<double>{1.});
    FEFaceValues<dim> values(fe,
                             point,
                             update_values | update_gradients |
                                 update_normal_vectors | update_JxW_values);
    values.reinit(cell, f);
    std::vector<Tensor<1, dim>> grad_psi(1);
    values.get_function_gradients(psi, grad_psi);
    // JxW of a one-point rule of weight 1 is the edge's length.
    const double dphi_dt = std::abs(phi_b - phi_a) / values.JxW(0);
    const double j_nu    = -sigma_j * (grad_psi[0] * values.normal_vector(0));
    for (unsigned int i = 0; i < fe.n_dofs_per_cell(); ++i)
    {
      const double w = dH * j_nu * values.shape_value(i, 0) / dphi_dt;
      for (unsigned int k = 0; k < fe.n_dofs_per_cell(); ++k)
        local(i, k) -= w * values.shape_value(k, 0);
    }
  }
}

template <int dim>
std::pair<double, typename FreeBoundaryJacobian<dim>::Entries>
FreeBoundaryJacobian<dim>::hanging_level(const Entries &parents) const
{
  // phi_h = sum_p w_p min(phi_p, 0)
  //       + min(sum_p w_p max(phi_p, 0), K max(min_p phi_p, 0)),
  // K the number of parents. Where a parent is insulating the second term
  // vanishes, and phi_h = T_h - T_MIT, as at every insulating node; where
  // all are metal, phi_h is the interpolated level set unless a parent is
  // close to changing phase (below 1/K of the mean), and then K times the
  // lowest parent's phi, so that it reaches 0 with it. Continuous and
  // piecewise linear in phi.
  const double T_mit    = law.transition_temperature();
  double       negative = 0, positive = 0;
  const auto   phi = [&](const types::global_dof_index p)
  { return theta[p] - T_mit; };
  auto lowest = parents.begin();
  for (auto p = parents.begin(); p != parents.end(); ++p)
  {
    negative += p->second * std::min(phi(p->first), 0.);
    positive += p->second * std::max(phi(p->first), 0.);
    if (phi(p->first) < phi(lowest->first))
      lowest = p;
  }
  if (phi(lowest->first) <= 0)
  {
    Entries insulating;
    for (const auto &[p, w] : parents)
      if (phi(p) < 0)
        insulating.emplace_back(p, w);
    return {negative, insulating};
  }
  const double K = parents.size();
  if (K * phi(lowest->first) < positive)
    return {K * phi(lowest->first), Entries{{lowest->first, K}}};
  return {positive, parents};
}

template <int dim>
std::vector<typename FreeBoundaryJacobian<dim>::Entries>
FreeBoundaryJacobian<dim>::phase_columns(
    const std::vector<types::global_dof_index> &indices) const
{
  std::vector<Entries> columns;
  for (const auto k : indices)
    if (const Entries *entries = hanging->get_constraint_entries(k))
      columns.push_back(hanging_level(*entries).second);
    else
      columns.push_back(Entries{{k, 1.}});
  return columns;
}

template <int dim>
void
FreeBoundaryJacobian<dim>::add_phase_derivative(
    const FullMatrix<double>                   &local,
    const std::vector<types::global_dof_index> &indices,
    const std::vector<Entries>                 &columns,
    const bool                                  electrode_rows_only)
{
  // Rows are condensed as the test functions are (a hanging node's row
  // goes to its parents by its weights), columns by @p columns. The rows
  // of hanging and fixed nodes are unit rows later.
  Entries itself(1);
  for (unsigned int i = 0; i < indices.size(); ++i)
  {
    const Entries *rows = hanging->get_constraint_entries(indices[i]);
    if (!rows)
    {
      itself[0] = {indices[i], 1.};
      rows      = &itself;
    }
    for (const auto &[row, c_row] : *rows)
    {
      if (electrode_rows_only && !thermal.is_electrode_row(row))
        continue;
      for (unsigned int k = 0; k < indices.size(); ++k)
        if (local(i, k) != 0)
          for (const auto &[column, c_column] : columns[k])
            jacobian.add(row, column, c_row * c_column * local(i, k));
    }
  }
}

template class FreeBoundaryJacobian<2>;
template class FreeBoundaryJacobian<3>;
} // namespace imtsim
