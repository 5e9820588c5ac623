// labels: unit badinput
/* Updaters: three steps of every rule on three parameters against values
 * worked out from the formulas in include/dl4c/updater.h (float64 and
 * float32), regularization and weight decay, AdamW's decoupled decay,
 * state carried between steps, defaults, names, clipping names and bad
 * arguments.
 *
 * The problem: w0 = [1, -0.5, 2], g = [0.1, -0.2, 0.3] scaled by 1, 0.1
 * and -0.5 at steps t = 1, 2, 3 (so moments grow, shrink and flip sign).
 * Expected values are the formulas evaluated in double precision; the
 * first step of each is worked through in the comments. */
#include "test.h"

static const double W0[3] = {1.0, -0.5, 2.0};
static const double G[3] = {0.1, -0.2, 0.3};
static const double SCALE[3] = {1.0, 0.1, -0.5};

static dl4c_tensor *make1(dl4c_dtype dt, int64_t n, const double *v)
{
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(dt, 1, &n, &t) != DL4C_OK)
        return NULL;
    for (int64_t i = 0; v && i < n; i++)
        dl4c_tensor_set(t, i, v[i]);
    return t;
}

/* Runs three steps of `u` at rate `lr` and compares w after each. */
static void run_steps(const char *label, const dl4c_updater *u,
                      const dl4c_regularization *reg, double lr,
                      const double want[3][3], dl4c_dtype dt, double tol)
{
    int count = dl4c_updater_state_count(u->id);
    dl4c_tensor *w = make1(dt, 3, W0), *g = make1(dt, 3, NULL);
    dl4c_tensor *state = count ? make1(dt, 3 * count, NULL) : NULL;
    REQUIRE(w && g && (state || !count));
    for (int t = 1; t <= 3; t++) {
        for (int i = 0; i < 3; i++)
            dl4c_tensor_set(g, i, G[i] * SCALE[t - 1]);
        CHECK_OK(dl4c_updater_apply(u, reg, lr, t, w, g, state));
        for (int i = 0; i < 3; i++) {
            double got = dl4c_tensor_get(w, i);
            CHECK_MSG(fabs(got - want[t - 1][i]) <= tol,
                      "%s %s t=%d w[%d] = %.17g, expected %.17g", label,
                      dl4c_dtype_name(dt), t, i, got, want[t - 1][i]);
            /* the gradient is read, never written */
            CHECK(dl4c_tensor_get(g, i) ==
                  (double)(dt == DL4C_F32 ? (float)(G[i] * SCALE[t - 1])
                                          : G[i] * SCALE[t - 1]));
        }
    }
    dl4c_tensor_free(w);
    dl4c_tensor_free(g);
    dl4c_tensor_free(state);
}

static void both_dtypes(const char *label, const dl4c_updater *u,
                        const dl4c_regularization *reg, double lr,
                        const double want[3][3])
{
    run_steps(label, u, reg, lr, want, DL4C_F64, 1e-14);
    run_steps(label, u, reg, lr, want, DL4C_F32, 2e-6);
}

static void test_sgd(void)
{
    /* w -= lr g, lr 0.1: w1 = [1 - 0.01, -0.5 + 0.02, 2 - 0.03];
     * t=2 (g/10): -0.1*[0.01, -0.02, 0.03]; t=3 (-g/2): +0.1*[0.05, ...] */
    static const double want[3][3] = {
        {0.99, -0.48, 1.97}, {0.989, -0.478, 1.967}, {0.994, -0.488, 1.982}};
    dl4c_updater u = dl4c_updater_default(DL4C_UPDATER_SGD);
    both_dtypes("sgd", &u, NULL, 0.1, want);
}

static void test_nesterovs(void)
{
    /* v' = mu v - lr g; w += -mu v + (1 + mu) v', lr 0.1, mu 0.9:
     * t=1: v1 = -0.1 g = [-0.01, 0.02, -0.03]; w1 = w0 + 1.9 v1
     *      = [0.981, -0.462, 1.943]
     * t=2: v2 = 0.9 v1 - 0.01 g = [-0.01, 0.02, -0.03];
     *      w2 = w1 - 0.9 v1 + 1.9 v2 = [0.971, -0.442, 1.913]
     * t=3: v3 = 0.9 v2 + 0.05 g = [-0.004, 0.008, -0.012];
     *      w3 = w2 - 0.9 v2 + 1.9 v3 = [0.9724, -0.4448, 1.9172] */
    static const double want[3][3] = {{0.981, -0.462, 1.943},
                                      {0.971, -0.442, 1.913},
                                      {0.9724, -0.4448, 1.9172}};
    dl4c_updater u = dl4c_updater_default(DL4C_UPDATER_NESTEROVS);
    CHECK(u.momentum == 0.9);
    both_dtypes("nesterovs", &u, NULL, 0.1, want);
}

/* ADAM, lr 0.01, b1 0.9, b2 0.999, eps 1e-8:
 * t=1: m = 0.1 g, v = 0.001 g^2, alpha = lr sqrt(1 - 0.999)/(1 - 0.9);
 *      step = alpha m / (sqrt(v) + eps) = 0.01 sign(g) / (1 + eps/
 *      (0.0316|g|)), so w1 = w0 - 0.01 sign(g) (+3e-8|...|) */
static const double ADAM_WANT[3][3] = {
    {0.99000003162267658, -0.49000001581136332, 1.9900000105409144},
    {0.98259194851620424, -0.48259192104405774, 1.9825919118866562},
    {0.98031373642280295, -0.48031370573903187, 1.9803136955110867}};

static void test_adam(void)
{
    dl4c_updater u = dl4c_updater_default(DL4C_UPDATER_ADAM);
    both_dtypes("adam", &u, NULL, 0.01, ADAM_WANT);

    /* state after one step: m = 0.1 g, v = 0.001 g^2, back to back */
    dl4c_tensor *w = make1(DL4C_F64, 3, W0), *g = make1(DL4C_F64, 3, G);
    dl4c_tensor *s = make1(DL4C_F64, 6, NULL);
    REQUIRE(w && g && s);
    CHECK_OK(dl4c_updater_apply(&u, NULL, 0.01, 1, w, g, s));
    for (int i = 0; i < 3; i++) {
        CHECK_NEAR(dl4c_tensor_get(s, i), 0.1 * G[i], 1e-17);
        CHECK_NEAR(dl4c_tensor_get(s, 3 + i), 0.001 * G[i] * G[i], 1e-19);
    }
    /* step 2 (g/10) continues from that state: m = 0.9 (0.1 g) + 0.1
     * (0.1 g) = 0.1 g, v = 0.999 (0.001 g^2) + 0.001 (0.01 g^2) =
     * 0.001009 g^2 (a fresh state would give 0.01 g and 1e-5 g^2) */
    for (int i = 0; i < 3; i++)
        dl4c_tensor_set(g, i, 0.1 * G[i]);
    CHECK_OK(dl4c_updater_apply(&u, NULL, 0.01, 2, w, g, s));
    for (int i = 0; i < 3; i++) {
        CHECK_NEAR(dl4c_tensor_get(s, i), 0.1 * G[i], 1e-17);
        CHECK_NEAR(dl4c_tensor_get(s, 3 + i), 0.001009 * G[i] * G[i], 1e-19);
        CHECK_NEAR(dl4c_tensor_get(w, i), ADAM_WANT[1][i], 1e-15);
    }
    dl4c_tensor_free(w);
    dl4c_tensor_free(g);
    dl4c_tensor_free(s);
}

static void test_adamw(void)
{
    /* ADAM's step plus w -= lr * 0.01 * w (the w before the step):
     * t=1: w1 = ADAM's w1 - 0.01*0.01*w0 = [0.98990003, -0.48995002,
     *      1.98980001] */
    static const double want[3][3] = {
        {0.98990003162267659, -0.48995001581136333, 1.9898000105409144},
        {0.98239295851304198, -0.48249292604247662, 1.9821929318856022},
        {0.9800165071237894, -0.48016646144484648, 1.9797164962168441}};
    dl4c_updater u = dl4c_updater_default(DL4C_UPDATER_ADAMW);
    CHECK(u.weight_decay == 0.01);
    both_dtypes("adamw", &u, NULL, 0.01, want);
    /* decoupled: the same as ADAM with weight decay 0.01 ... */
    dl4c_updater adam = dl4c_updater_default(DL4C_UPDATER_ADAM);
    dl4c_regularization wd = {0, 0, 0.01};
    both_dtypes("adam + weight decay", &adam, &wd, 0.01, want);
    /* ... and not ADAM with L2 0.01, which goes through the moments */
    dl4c_regularization l2 = {0, 0.01, 0};
    dl4c_tensor *w = make1(DL4C_F64, 3, W0), *g = make1(DL4C_F64, 3, G);
    dl4c_tensor *s = make1(DL4C_F64, 6, NULL);
    REQUIRE(w && g && s);
    CHECK_OK(dl4c_updater_apply(&adam, &l2, 0.01, 1, w, g, s));
    CHECK(fabs(dl4c_tensor_get(w, 0) - want[0][0]) > 1e-5);
    dl4c_tensor_free(w);
    dl4c_tensor_free(g);
    dl4c_tensor_free(s);
}

static void test_adamax(void)
{
    /* m as ADAM; u = max(0.999 u, |g|); w -= lr/(1 - 0.9^t) m/(u + eps):
     * t=1: m = 0.1 g, u = |g|: step = 0.01/0.1 * 0.1 g/(|g| + 1e-8)
     *      = 0.01 sign(g) (1 - 1e-8/|g|) */
    static const double want[3][3] = {
        {0.99000000099999985, -0.49000000049999998, 1.9900000003333334},
        {0.98473157520631194, -0.48473157444262704, 1.9847315741880653},
        {0.98325260413088167, -0.4832526032931001, 1.9832526030138395}};
    dl4c_updater u = dl4c_updater_default(DL4C_UPDATER_ADAMAX);
    both_dtypes("adamax", &u, NULL, 0.01, want);
}

static void test_nadam(void)
{
    /* m, v as ADAM; w -= lr (b1 m + (1 - b1) g)/(1 - b1^t) /
     * (sqrt(v/(1 - b2^t)) + eps): t=1: m = 0.1 g, v = 0.001 g^2:
     * (0.09 g + 0.1 g)/0.1 = 1.9 g; sqrt(v/0.001) = |g|:
     * step = 0.01 * 1.9 sign(g) = 0.019 sign(g) (less eps terms) */
    static const double want[3][3] = {
        {0.9810000018999998, -0.48100000094999995, 1.9810000006333333},
        {0.9735918965145449, -0.4735918950431848, 1.9735918945527313},
        {0.9743892728723013, -0.4743892714624784, 1.9743892709925372}};
    dl4c_updater u = dl4c_updater_default(DL4C_UPDATER_NADAM);
    both_dtypes("nadam", &u, NULL, 0.01, want);
}

static void test_amsgrad(void)
{
    /* b2 = 0.5 so v shrinks when the gradient does and vhat = max(vhat, v)
     * differs from ADAM: t=1: v = 0.5 g^2; t=2: v = 0.25 g^2 + 0.005 g^2
     * = 0.255 g^2 < vhat = 0.5 g^2. Step 1 is ADAM's:
     * lr sqrt(0.5)/0.1 * 0.1 g/(sqrt(0.5)|g| + eps) */
    static const double want[3][3] = {
        {0.9900000014142134, -0.49000000070710675, 1.9900000004714045},
        {0.98355397668691591, -0.48355397552400647, 1.98355397513637},
        {0.98160139296964732, -0.48160139166866939, 1.9816013912350101}};
    static const double adam_want[3][3] = {
        {0.9900000014142134, -0.49000000070710675, 1.9900000004714045},
        {0.98097376187838525, -0.48097376027754779, 1.9809737597439352},
        {0.97822609581791153, -0.4782260939436711, 1.9782260933189242}};
    dl4c_updater u = dl4c_updater_default(DL4C_UPDATER_AMSGRAD);
    u.beta2 = 0.5;
    both_dtypes("amsgrad", &u, NULL, 0.01, want);
    dl4c_updater adam = dl4c_updater_default(DL4C_UPDATER_ADAM);
    adam.beta2 = 0.5;
    both_dtypes("adam b2 0.5", &adam, NULL, 0.01, adam_want);
}

static void test_adagrad(void)
{
    /* h += g^2; w -= lr g/(sqrt(h) + 1e-6), lr 0.1:
     * t=1: h = g^2: step = 0.1 g/(|g| + 1e-6) = [0.09999900001,
     *      -0.0999995, 0.0999996667] */
    static const double want[3][3] = {
        {0.90000099999000005, -0.40000049999749998, 1.9000003333322222},
        {0.89005072709681599, -0.3900501776001043, 1.8900499944333131},
        {0.9345938705936917, -0.43459351950702707, 1.934593402477311}};
    dl4c_updater u = dl4c_updater_default(DL4C_UPDATER_ADAGRAD);
    both_dtypes("adagrad", &u, NULL, 0.1, want);
}

static void test_adadelta(void)
{
    /* rho 0.95, eps 1e-6, multiplier 1:
     * t=1: Eg = 0.05 g^2; dx = sqrt(0 + eps)/sqrt(Eg + eps) g;
     *      for g = 0.1: sqrt(1e-6)/sqrt(5e-4 + 1e-6) * 0.1 = 0.0044677;
     *      Edx = 0.05 dx^2 */
    static const double want[3][3] = {
        {0.99553232948391235, -0.49552898165990106, 1.9955283608661933},
        {0.99488782545341636, -0.49488373309900707, 1.9948829741890206},
        {0.99779597925355556, -0.4977948482625244, 1.9977946386225001}};
    dl4c_updater u = dl4c_updater_default(DL4C_UPDATER_ADADELTA);
    both_dtypes("adadelta", &u, NULL, 1.0, want);
}

static void test_rmsprop(void)
{
    /* r = 0.95 r + 0.05 g^2; w -= lr g/(sqrt(r) + 1e-8), lr 0.1:
     * t=1: sqrt(r) = 0.2236068 |g|: step = 0.1/0.2236068 sign(g)
     *      = 0.4472136 sign(g) -> w1 = [0.5527864, -0.0527864, 1.5527864] */
    static const double want[3][3] = {
        {0.55278660449995276, -0.052786504500019815, 1.552786471166699},
        {0.50714307887451271, -0.0071429684579202707, 1.5071429316523786},
        {0.7145779462272841, -0.21457787883992485, 1.7145778563774647}};
    dl4c_updater u = dl4c_updater_default(DL4C_UPDATER_RMSPROP);
    both_dtypes("rmsprop", &u, NULL, 0.1, want);
    /* with L2 0.1 (into g before the rule) and weight decay 0.02 (after):
     * t=1: g' = g + 0.1 w0 = [0.2, -0.25, 0.5]; the step is
     *      0.4472136 sign(g') as before; w1 = w0 - step - 0.1*0.02*w0 */
    static const double reg_want[3][3] = {
        {0.5507865045000198, -0.05178648450002793, 1.5487864445000388},
        {0.40806773064830476, -0.005716641192948201, 1.3870634519713094},
        {0.42775503506961726, -0.1776265745205995, 1.3942285257023588}};
    dl4c_regularization reg = {0, 0.1, 0.02};
    both_dtypes("rmsprop + l2 + weight decay", &u, &reg, 0.1, reg_want);
}

static void test_regularization(void)
{
    /* SGD lr 0.1, l1 0.01, l2 0.1, weight decay 0.05:
     * g' = g + 0.01 sign(w) + 0.1 w = [0.21, -0.26, 0.51]
     * w1 = w0 - 0.1 g' - 0.1*0.05 w0 = [1 - 0.021 - 0.005,
     *      -0.5 + 0.026 + 0.0025, 2 - 0.051 - 0.01] */
    dl4c_updater u = dl4c_updater_default(DL4C_UPDATER_SGD);
    dl4c_regularization reg = {0.01, 0.1, 0.05};
    dl4c_tensor *w = make1(DL4C_F64, 3, W0), *g = make1(DL4C_F64, 3, G);
    REQUIRE(w && g);
    CHECK_OK(dl4c_updater_apply(&u, &reg, 0.1, 1, w, g, NULL));
    CHECK_NEAR(dl4c_tensor_get(w, 0), 0.974, 1e-15);
    CHECK_NEAR(dl4c_tensor_get(w, 1), -0.4715, 1e-15);
    CHECK_NEAR(dl4c_tensor_get(w, 2), 1.939, 1e-15);
    /* the gradient itself is not regularized in place */
    CHECK(dl4c_tensor_get(g, 0) == 0.1);

    /* a zero regularization is no regularization */
    dl4c_regularization zero = {0, 0, 0};
    dl4c_tensor *w2 = make1(DL4C_F64, 3, W0), *w3 = make1(DL4C_F64, 3, W0);
    REQUIRE(w2 && w3);
    CHECK_OK(dl4c_updater_apply(&u, &zero, 0.1, 1, w2, g, NULL));
    CHECK_OK(dl4c_updater_apply(&u, NULL, 0.1, 1, w3, g, NULL));
    CHECK(dl4c_tensor_max_abs_diff(w2, w3) == 0);
    CHECK_NEAR(dl4c_tensor_get(w3, 0), 0.99, 1e-16);

    /* L2 enters ADAM's moments: m = 0.1 (g + 0.1 w0) = [0.02, -0.025,
     * 0.05], v = 0.001 (g + 0.1 w0)^2 */
    dl4c_updater adam = dl4c_updater_default(DL4C_UPDATER_ADAM);
    dl4c_regularization l2 = {0, 0.1, 0};
    dl4c_tensor *s = make1(DL4C_F64, 6, NULL);
    REQUIRE(s);
    dl4c_tensor_fill(w, 0);
    for (int i = 0; i < 3; i++)
        dl4c_tensor_set(w, i, W0[i]);
    CHECK_OK(dl4c_updater_apply(&adam, &l2, 0.01, 1, w, g, s));
    CHECK_NEAR(dl4c_tensor_get(s, 0), 0.02, 1e-16);
    CHECK_NEAR(dl4c_tensor_get(s, 1), -0.025, 1e-16);
    CHECK_NEAR(dl4c_tensor_get(s, 2), 0.05, 1e-16);
    CHECK_NEAR(dl4c_tensor_get(s, 4), 0.001 * 0.25 * 0.25, 1e-19);

    /* L1 follows sign(w): zero weights get no L1 pull */
    dl4c_regularization l1 = {0.5, 0, 0};
    dl4c_tensor *wz = make1(DL4C_F64, 3, (double[]){0, -1, 1});
    dl4c_tensor *gz = make1(DL4C_F64, 3, NULL);
    REQUIRE(wz && gz);
    CHECK_OK(dl4c_updater_apply(&u, &l1, 0.1, 1, wz, gz, NULL));
    CHECK(dl4c_tensor_get(wz, 0) == 0);
    CHECK_NEAR(dl4c_tensor_get(wz, 1), -0.95, 1e-16);
    CHECK_NEAR(dl4c_tensor_get(wz, 2), 0.95, 1e-16);
    dl4c_tensor *all[] = {w, g, w2, w3, s, wz, gz};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        dl4c_tensor_free(all[i]);
}

static void test_defaults(void)
{
    dl4c_updater u = dl4c_updater_default(DL4C_UPDATER_SGD);
    CHECK(u.learning_rate == 1e-3);
    u = dl4c_updater_default(DL4C_UPDATER_NESTEROVS);
    CHECK(u.learning_rate == 0.1 && u.momentum == 0.9);
    static const dl4c_updater_id adams[] = {
        DL4C_UPDATER_ADAM, DL4C_UPDATER_ADAMW, DL4C_UPDATER_ADAMAX,
        DL4C_UPDATER_NADAM, DL4C_UPDATER_AMSGRAD};
    for (int i = 0; i < 5; i++) {
        u = dl4c_updater_default(adams[i]);
        CHECK(u.learning_rate == 1e-3 && u.beta1 == 0.9 && u.beta2 == 0.999 &&
              u.epsilon == 1e-8);
        CHECK(u.weight_decay == (adams[i] == DL4C_UPDATER_ADAMW ? 0.01 : 0));
    }
    u = dl4c_updater_default(DL4C_UPDATER_ADAGRAD);
    CHECK(u.learning_rate == 0.1 && u.epsilon == 1e-6);
    u = dl4c_updater_default(DL4C_UPDATER_ADADELTA);
    CHECK(u.learning_rate == 1.0 && u.rho == 0.95 && u.epsilon == 1e-6);
    u = dl4c_updater_default(DL4C_UPDATER_RMSPROP);
    CHECK(u.learning_rate == 0.1 && u.rho == 0.95 && u.epsilon == 1e-8);
    CHECK(u.schedule.id == DL4C_SCHEDULE_NONE && u.schedule.warmup == 0);

    static const int counts[DL4C_UPDATER_COUNT] = {0, 1, 2, 2, 2,
                                                   2, 3, 1, 2, 1};
    for (int id = 0; id < DL4C_UPDATER_COUNT; id++)
        CHECK_MSG(dl4c_updater_state_count((dl4c_updater_id)id) == counts[id],
                  "%s", dl4c_updater_name((dl4c_updater_id)id));
}

static void test_names(void)
{
    static const struct {
        const char *name;
        dl4c_updater_id id;
    } names[] = {
        {"sgd", DL4C_UPDATER_SGD},
        {"nesterovs", DL4C_UPDATER_NESTEROVS},
        {"momentum", DL4C_UPDATER_NESTEROVS},
        {"adam", DL4C_UPDATER_ADAM},
        {"adamw", DL4C_UPDATER_ADAMW},
        {"adamax", DL4C_UPDATER_ADAMAX},
        {"nadam", DL4C_UPDATER_NADAM},
        {"amsgrad", DL4C_UPDATER_AMSGRAD},
        {"adagrad", DL4C_UPDATER_ADAGRAD},
        {"adadelta", DL4C_UPDATER_ADADELTA},
        {"rmsprop", DL4C_UPDATER_RMSPROP},
        {"RMSprop", DL4C_UPDATER_RMSPROP},
        {"Adam", DL4C_UPDATER_ADAM},
        {"SGD", DL4C_UPDATER_SGD},
        {"Nesterovs", DL4C_UPDATER_NESTEROVS},
        {"AdamW", DL4C_UPDATER_ADAMW},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        dl4c_updater u = {.id = DL4C_UPDATER_COUNT};
        CHECK_OK(dl4c_updater_parse(names[i].name, &u));
        CHECK_MSG(u.id == names[i].id, "%s", names[i].name);
        dl4c_updater d = dl4c_updater_default(names[i].id);
        CHECK(u.learning_rate == d.learning_rate);
    }
    for (int id = 0; id < DL4C_UPDATER_COUNT; id++) {
        dl4c_updater u;
        CHECK_OK(
            dl4c_updater_parse(dl4c_updater_name((dl4c_updater_id)id), &u));
        CHECK(u.id == (dl4c_updater_id)id);
    }
    dl4c_updater u;
    CHECK_ERR(dl4c_updater_parse("lbfgs", &u), DL4C_INVALID_ARG,
              "unknown updater 'lbfgs'");
}

static void test_clip_names(void)
{
    static const struct {
        const char *name;
        dl4c_clip_id id;
    } names[] = {
        {"none", DL4C_CLIP_NONE},
        {"value", DL4C_CLIP_VALUE},
        {"norm_layer", DL4C_CLIP_NORM_LAYER},
        {"norm_net", DL4C_CLIP_NORM_NET},
        {"clip_l2_per_layer", DL4C_CLIP_NORM_LAYER},
        {"ClipL2PerLayer", DL4C_CLIP_NORM_LAYER},
        {"ClipElementWiseAbsoluteValue", DL4C_CLIP_VALUE},
        {"global_norm", DL4C_CLIP_NORM_NET},
        {"global_clipnorm", DL4C_CLIP_NORM_NET},
        {"clipnorm", DL4C_CLIP_NORM_LAYER},
        {"clipvalue", DL4C_CLIP_VALUE},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        dl4c_clip c = {.id = DL4C_CLIP_COUNT};
        CHECK_OK(dl4c_clip_parse(names[i].name, &c));
        CHECK_MSG(c.id == names[i].id, "%s", names[i].name);
        CHECK(c.threshold == (c.id == DL4C_CLIP_NONE ? 0.0 : 1.0));
    }
    for (int id = 0; id < DL4C_CLIP_COUNT; id++) {
        dl4c_clip c;
        CHECK_OK(dl4c_clip_parse(dl4c_clip_name((dl4c_clip_id)id), &c));
        CHECK(c.id == (dl4c_clip_id)id);
    }
    dl4c_clip c;
    /* renormalizing is not clipping */
    CHECK_ERR(dl4c_clip_parse("RenormalizeL2PerLayer", &c), DL4C_INVALID_ARG,
              "unknown gradient clipping 'RenormalizeL2PerLayer'");
}

static void test_bad_args(void)
{
    dl4c_updater adam = dl4c_updater_default(DL4C_UPDATER_ADAM);
    dl4c_tensor *w = make1(DL4C_F64, 3, W0), *g = make1(DL4C_F64, 3, G);
    dl4c_tensor *g4 = make1(DL4C_F64, 4, NULL);
    dl4c_tensor *g32 = make1(DL4C_F32, 3, NULL);
    dl4c_tensor *s = make1(DL4C_F64, 6, NULL);
    dl4c_tensor *s3 = make1(DL4C_F64, 3, NULL);
    REQUIRE(w && g && g4 && g32 && s && s3);
    CHECK_ERR(dl4c_updater_apply(&adam, NULL, 0.01, 0, w, g, s),
              DL4C_INVALID_ARG, "iteration 0, must be >= 1");
    CHECK_ERR(dl4c_updater_apply(&adam, NULL, 0.01, 1, w, g, NULL),
              DL4C_INVALID_ARG, "state is NULL, needs 2 arrays");
    CHECK_ERR(dl4c_updater_apply(&adam, NULL, 0.01, 1, w, g, s3), DL4C_SHAPE,
              "state has 3 elements, expected 6");
    CHECK_ERR(dl4c_updater_apply(&adam, NULL, 0.01, 1, w, g4, s), DL4C_SHAPE,
              "grad has 4 elements, expected 3");
    CHECK_ERR(dl4c_updater_apply(&adam, NULL, 0.01, 1, w, g32, s),
              DL4C_INVALID_ARG, "grad is float32, param is float64");
    CHECK_ERR(dl4c_updater_apply(&adam, NULL, NAN, 1, w, g, s),
              DL4C_INVALID_ARG, "learning rate nan is not finite");
    CHECK_ERR(dl4c_updater_apply(&adam, NULL, 0.01, 1, NULL, g, s),
              DL4C_INVALID_ARG, "param is NULL");
    dl4c_updater bad = adam;
    bad.beta1 = 1.0;
    CHECK_ERR(dl4c_updater_apply(&bad, NULL, 0.01, 1, w, g, s),
              DL4C_INVALID_ARG, "beta1 1 / beta2 0.999 outside [0, 1)");
    bad = dl4c_updater_default(DL4C_UPDATER_RMSPROP);
    bad.epsilon = 0;
    CHECK_ERR(dl4c_updater_apply(&bad, NULL, 0.01, 1, w, g, s3),
              DL4C_INVALID_ARG, "rmsprop: epsilon 0 must be > 0");
    bad = dl4c_updater_default(DL4C_UPDATER_NESTEROVS);
    bad.momentum = 1.5;
    CHECK_ERR(dl4c_updater_apply(&bad, NULL, 0.01, 1, w, g, s3),
              DL4C_INVALID_ARG, "momentum 1.5 outside [0, 1)");
    bad.id = DL4C_UPDATER_COUNT;
    CHECK_ERR(dl4c_updater_apply(&bad, NULL, 0.01, 1, w, g, s3),
              DL4C_INVALID_ARG, "unknown updater id");
    /* SGD keeps no state: none needed, none touched */
    dl4c_updater sgd = dl4c_updater_default(DL4C_UPDATER_SGD);
    CHECK_OK(dl4c_updater_apply(&sgd, NULL, 0.01, 1, w, g, NULL));
    dl4c_tensor *all[] = {w, g, g4, g32, s, s3};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        dl4c_tensor_free(all[i]);
}

TEST_MAIN(test_sgd, test_nesterovs, test_adam, test_adamw, test_adamax,
          test_nadam, test_amsgrad, test_adagrad, test_adadelta, test_rmsprop,
          test_regularization, test_defaults, test_names, test_clip_names,
          test_bad_args)
