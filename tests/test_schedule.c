// labels: unit
/* Learning-rate schedules: each formula of include/dl4c/updater.h at a
 * few iterations against hand-computed values (base rate 0.1), warm-up,
 * map schedules, per-epoch counting, degenerate parameters and names. */
#include "test.h"

#define LR 0.1

static dl4c_schedule sched(dl4c_schedule_id id)
{
    dl4c_schedule s;
    memset(&s, 0, sizeof s);
    s.id = id;
    return s;
}

static double at(const dl4c_schedule *s, int64_t i)
{
    return dl4c_schedule_value(s, LR, i, 0);
}

static void test_none(void)
{
    dl4c_schedule s = sched(DL4C_SCHEDULE_NONE);
    CHECK(at(&s, 0) == LR);
    CHECK(at(&s, 123456) == LR);
    CHECK(dl4c_schedule_value(NULL, 0.3, 5, 5) == 0.3);
}

static void test_step(void)
{
    /* lr * gamma^floor(i/step), gamma 0.5, step 10 */
    dl4c_schedule s = sched(DL4C_SCHEDULE_STEP);
    s.gamma = 0.5;
    s.step = 10;
    CHECK_NEAR(at(&s, 0), 0.1, 1e-15);
    CHECK_NEAR(at(&s, 9), 0.1, 1e-15);
    CHECK_NEAR(at(&s, 10), 0.05, 1e-15);
    CHECK_NEAR(at(&s, 25), 0.025, 1e-15);
    s.step = 0; /* no step length: no decay */
    CHECK(at(&s, 25) == LR);
}

static void test_exponential(void)
{
    /* lr * gamma^i, gamma 0.9: 0.1, 0.09, 0.081, 0.1 * 0.9^10 */
    dl4c_schedule s = sched(DL4C_SCHEDULE_EXPONENTIAL);
    s.gamma = 0.9;
    CHECK_NEAR(at(&s, 0), 0.1, 1e-15);
    CHECK_NEAR(at(&s, 1), 0.09, 1e-15);
    CHECK_NEAR(at(&s, 2), 0.081, 1e-15);
    CHECK_NEAR(at(&s, 10), 0.03486784401000001, 1e-15);
}

static void test_inverse(void)
{
    /* lr / (1 + gamma i)^power, gamma 0.1, power 2: i = 10: 0.1/2^2;
     * i = 30: 0.1/4^2 */
    dl4c_schedule s = sched(DL4C_SCHEDULE_INVERSE);
    s.gamma = 0.1;
    s.power = 2;
    CHECK_NEAR(at(&s, 0), 0.1, 1e-15);
    CHECK_NEAR(at(&s, 10), 0.025, 1e-15);
    CHECK_NEAR(at(&s, 30), 0.00625, 1e-15);
}

static void test_poly(void)
{
    /* lr * (1 - i/max_iter)^power, power 2, max_iter 100: i = 50:
     * 0.1 * 0.5^2; zero from max_iter on */
    dl4c_schedule s = sched(DL4C_SCHEDULE_POLY);
    s.power = 2;
    s.max_iter = 100;
    CHECK_NEAR(at(&s, 0), 0.1, 1e-15);
    CHECK_NEAR(at(&s, 50), 0.025, 1e-15);
    CHECK_NEAR(at(&s, 90), 0.001, 1e-15);
    CHECK(at(&s, 100) == 0);
    CHECK(at(&s, 150) == 0);
    s.max_iter = 0;
    CHECK(at(&s, 50) == LR);
}

static void test_sigmoid(void)
{
    /* lr / (1 + exp(-gamma (i - step))), gamma 0.5, step 10: half the
     * rate at i = step; 0.1/(1 + e^5) at 0, 0.1/(1 + e^-5) at 20 */
    dl4c_schedule s = sched(DL4C_SCHEDULE_SIGMOID);
    s.gamma = 0.5;
    s.step = 10;
    CHECK_NEAR(at(&s, 10), 0.05, 1e-15);
    CHECK_NEAR(at(&s, 0), 0.0006692850924284856, 1e-15);
    CHECK_NEAR(at(&s, 20), 0.09933071490757153, 1e-15);
}

static void test_cosine(void)
{
    /* min + (lr - min)(1 + cos(pi i/max_iter))/2, min 0.01, max_iter 100:
     * i = 25: 0.01 + 0.09 (1 + cos(pi/4))/2; i = 50: 0.01 + 0.045; min
     * from max_iter on */
    dl4c_schedule s = sched(DL4C_SCHEDULE_COSINE);
    s.max_iter = 100;
    s.min_value = 0.01;
    CHECK_NEAR(at(&s, 0), 0.1, 1e-15);
    CHECK_NEAR(at(&s, 25), 0.08681980515339463, 1e-15);
    CHECK_NEAR(at(&s, 50), 0.055, 1e-15);
    CHECK_NEAR(at(&s, 100), 0.01, 1e-15);
    CHECK_NEAR(at(&s, 200), 0.01, 1e-15);
}

static void test_map(void)
{
    /* the value of the largest key <= i; the base rate before the first
     * key */
    dl4c_schedule s = sched(DL4C_SCHEDULE_MAP);
    s.map_count = 3;
    s.map_at[0] = 5;
    s.map_value[0] = 0.5;
    s.map_at[1] = 10;
    s.map_value[1] = 0.2;
    s.map_at[2] = 20;
    s.map_value[2] = 0.05;
    CHECK(at(&s, 0) == LR);
    CHECK(at(&s, 4) == LR);
    CHECK(at(&s, 5) == 0.5);
    CHECK(at(&s, 9) == 0.5);
    CHECK(at(&s, 10) == 0.2);
    CHECK(at(&s, 19) == 0.2);
    CHECK(at(&s, 20) == 0.05);
    CHECK(at(&s, 1000000) == 0.05);
    s.map_count = 0;
    CHECK(at(&s, 30) == LR);
}

static void test_warmup(void)
{
    /* linear lr (i+1)/warmup for i < warmup, then the schedule from 0:
     * warm-up 4, then EXPONENTIAL 0.5 */
    dl4c_schedule s = sched(DL4C_SCHEDULE_EXPONENTIAL);
    s.gamma = 0.5;
    s.warmup = 4;
    CHECK_NEAR(at(&s, 0), 0.025, 1e-15);
    CHECK_NEAR(at(&s, 1), 0.05, 1e-15);
    CHECK_NEAR(at(&s, 2), 0.075, 1e-15);
    CHECK_NEAR(at(&s, 3), 0.1, 1e-15);
    CHECK_NEAR(at(&s, 4), 0.1, 1e-15);
    CHECK_NEAR(at(&s, 5), 0.05, 1e-15);
    CHECK_NEAR(at(&s, 6), 0.025, 1e-15);
    /* warm-up alone */
    s = sched(DL4C_SCHEDULE_NONE);
    s.warmup = 10;
    CHECK_NEAR(at(&s, 0), 0.01, 1e-15);
    CHECK_NEAR(at(&s, 4), 0.05, 1e-15);
    CHECK(at(&s, 10) == LR);
    CHECK(at(&s, 500) == LR);
    /* a map counts its keys from the end of the warm-up */
    s = sched(DL4C_SCHEDULE_MAP);
    s.warmup = 2;
    s.map_count = 1;
    s.map_at[0] = 3;
    s.map_value[0] = 0.7;
    CHECK_NEAR(at(&s, 1), 0.1, 1e-15);
    CHECK(at(&s, 4) == LR);
    CHECK(at(&s, 5) == 0.7);
}

static void test_per_epoch(void)
{
    /* i is the epoch: STEP 0.5 every epoch, whatever the iteration */
    dl4c_schedule s = sched(DL4C_SCHEDULE_STEP);
    s.per_epoch = true;
    s.gamma = 0.5;
    s.step = 1;
    CHECK_NEAR(dl4c_schedule_value(&s, LR, 1000, 0), 0.1, 1e-15);
    CHECK_NEAR(dl4c_schedule_value(&s, LR, 0, 2), 0.025, 1e-15);
    CHECK_NEAR(dl4c_schedule_value(&s, LR, 77, 2), 0.025, 1e-15);
    /* the warm-up counts epochs too */
    s.warmup = 2;
    CHECK_NEAR(dl4c_schedule_value(&s, LR, 500, 0), 0.05, 1e-15);
    CHECK_NEAR(dl4c_schedule_value(&s, LR, 500, 1), 0.1, 1e-15);
    CHECK_NEAR(dl4c_schedule_value(&s, LR, 500, 2), 0.1, 1e-15);
    CHECK_NEAR(dl4c_schedule_value(&s, LR, 500, 3), 0.05, 1e-15);
    /* without per_epoch the epoch is ignored */
    s.per_epoch = false;
    s.warmup = 0;
    CHECK_NEAR(dl4c_schedule_value(&s, LR, 1, 50), 0.05, 1e-15);
}

static void test_names(void)
{
    static const struct {
        const char *name;
        dl4c_schedule_id id;
    } names[] = {
        {"none", DL4C_SCHEDULE_NONE},
        {"step", DL4C_SCHEDULE_STEP},
        {"exponential", DL4C_SCHEDULE_EXPONENTIAL},
        {"inverse", DL4C_SCHEDULE_INVERSE},
        {"poly", DL4C_SCHEDULE_POLY},
        {"sigmoid", DL4C_SCHEDULE_SIGMOID},
        {"cosine", DL4C_SCHEDULE_COSINE},
        {"map", DL4C_SCHEDULE_MAP},
        {"fixed", DL4C_SCHEDULE_NONE},
        {"StepSchedule", DL4C_SCHEDULE_STEP},
        {"ExponentialSchedule", DL4C_SCHEDULE_EXPONENTIAL},
        {"MapSchedule", DL4C_SCHEDULE_MAP},
        {"ExponentialDecay", DL4C_SCHEDULE_EXPONENTIAL},
        {"PolynomialDecay", DL4C_SCHEDULE_POLY},
        {"CosineDecay", DL4C_SCHEDULE_COSINE},
        {"PiecewiseConstantDecay", DL4C_SCHEDULE_MAP},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        dl4c_schedule s;
        s.id = DL4C_SCHEDULE_COUNT;
        CHECK_OK(dl4c_schedule_parse(names[i].name, &s));
        CHECK_MSG(s.id == names[i].id, "%s", names[i].name);
        CHECK(s.warmup == 0 && s.map_count == 0 && !s.per_epoch);
    }
    for (int id = 0; id < DL4C_SCHEDULE_COUNT; id++) {
        dl4c_schedule s;
        CHECK_OK(
            dl4c_schedule_parse(dl4c_schedule_name((dl4c_schedule_id)id), &s));
        CHECK(s.id == (dl4c_schedule_id)id);
    }
    dl4c_schedule s;
    CHECK_OK(dl4c_schedule_parse("inverse", &s));
    CHECK(s.power == 1.0); /* a missing power is linear */
    CHECK_ERR(dl4c_schedule_parse("cyclic", &s), DL4C_INVALID_ARG,
              "unknown schedule 'cyclic'");
    CHECK(
        !strcmp(dl4c_schedule_name(DL4C_SCHEDULE_EXPONENTIAL), "exponential"));
}

TEST_MAIN(test_none, test_step, test_exponential, test_inverse, test_poly,
          test_sigmoid, test_cosine, test_map, test_warmup, test_per_epoch,
          test_names)
