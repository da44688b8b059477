/* everything_source.c -- test helper (templated like the library): run the
 * first phase, the second phase and BPTT on one problem in one precision and
 * hand every output back as binary64 arrays, so that precisions can be
 * compared value by value.  Included twice by test_algo.c. */

static void FN(run_everything)(outs *o, const cep_ctx *ctx, const cep_shape *sh,
                               const double *th_d, const double *x_d, const double *y_d,
                               size_t T, size_t K, double beta, const double *eta)
{
    size_t S = sh->S, P = sh->P, N = sh->n_layers;
    REAL *theta = FN(cep_vec_new)(ctx, P), *x = FN(cep_vec_new)(ctx, sh->size[0]);
    REAL *y = FN(cep_vec_new)(ctx, sh->size[N]), *s_star = FN(cep_vec_new)(ctx, S);
    REAL *traj = FN(cep_vec_new)(ctx, (T + 1) * S), *res = FN(cep_vec_new)(ctx, 2);
    REAL *ds = FN(cep_vec_new)(ctx, K * S), *dth = FN(cep_vec_new)(ctx, K * P);
    REAL *thK = FN(cep_vec_new)(ctx, P), *sK = FN(cep_vec_new)(ctx, S);
    REAL *tot = FN(cep_vec_new)(ctx, P), *gs = FN(cep_vec_new)(ctx, (K + 1) * S);
    REAL *gth = FN(cep_vec_new)(ctx, K * P), *totK = FN(cep_vec_new)(ctx, P);
    REAL *full = FN(cep_vec_new)(ctx, P);
    assert_true(theta && x && y && s_star && traj && res && ds && dth && thK && sK && tot &&
                gs && gth && totK && full);
    FN(cep_vec_from_double)(ctx, theta, th_d, P);
    FN(cep_vec_from_double)(ctx, x, x_d, sh->size[0]);
    FN(cep_vec_from_double)(ctx, y, y_d, sh->size[N]);
    assert_int_equal(FN(cep_free_phase)(ctx, s_star, traj, &res[0], sh, theta, x, T), CEP_OK);
    assert_int_equal(FN(cep_nudged_phase)(ctx, sK, thK, ds, dth, tot, sh, theta, x, y, s_star,
                                          K, beta, eta), CEP_OK);
    assert_int_equal(FN(cep_bptt)(ctx, gs, gth, totK, full, &res[1], sh, theta, x, y, traj, T, K),
                     CEP_OK);
    outs_alloc(o, sh, T, K);
    FN(cep_vec_to_double)(o->traj, traj, (T + 1) * S);
    FN(cep_vec_to_double)(o->ds, ds, K * S);
    FN(cep_vec_to_double)(o->dth, dth, K * P);
    FN(cep_vec_to_double)(o->thK, thK, P);
    FN(cep_vec_to_double)(o->sK, sK, S);
    FN(cep_vec_to_double)(o->tot, tot, P);
    FN(cep_vec_to_double)(o->gs, gs, (K + 1) * S);
    FN(cep_vec_to_double)(o->gth, gth, K * P);
    FN(cep_vec_to_double)(o->totK, totK, P);
    FN(cep_vec_to_double)(o->full, full, P);
    FN(cep_vec_to_double)(o->res, res, 2);
    REAL *all[] = {theta, x, y, s_star, traj, res, ds, dth, thK, sK, tot, gs, gth, totK, full};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        FN(cep_vec_free)(all[i]);
}
