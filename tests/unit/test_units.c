/* SPDX-License-Identifier: MIT */
/* The unit parser: spellings, conversions, dimension checks and messages. */
#include "harness.h"
#include <ketasim/units.h>

static double parse_ok(const char *t, ks_dim d, int *failed) {
  double v = NAN;
  char err[200];
  if (ks_units_parse(t, d, &v, err, sizeof err) != KS_OK) {
    fprintf(stderr, "parse '%s' failed: %s\n", t, err);
    *failed = 1;
  }
  return v;
}

KS_TEST(issue_examples) {
  KS_ASSERT_NEAR(parse_ok("0.5 mg/kg", KS_DIM_MASS_PER_BODY_MASS, ks_failed_), 0.5, 0);
  KS_ASSERT_NEAR(parse_ok("0.5mg/kg", KS_DIM_MASS_PER_BODY_MASS, ks_failed_), 0.5, 0);
  KS_ASSERT_NEAR(parse_ok("84 mg", KS_DIM_MASS, ks_failed_), 84, 0);
  KS_ASSERT_NEAR(parse_ok("40 min", KS_DIM_TIME, ks_failed_), 40.0 / 60.0, 1e-15);
  KS_ASSERT_NEAR(parse_ok("2 h", KS_DIM_TIME, ks_failed_), 2, 0);
  KS_ASSERT_NEAR(parse_ok("14 d", KS_DIM_TIME, ks_failed_), 336, 0);
  KS_ASSERT_NEAR(parse_ok("70 kg", KS_DIM_BODY_MASS, ks_failed_), 70, 0);
  KS_ASSERT_NEAR(parse_ok("185 ng/mL", KS_DIM_MASS_CONC, ks_failed_), 185, 0);
  KS_ASSERT_NEAR(parse_ok("0.78 uM", KS_DIM_MOLAR_CONC, ks_failed_), 0.78, 0);
  KS_ASSERT_NEAR(parse_ok("30 %", KS_DIM_NONE, ks_failed_), 0.3, 1e-15);
  KS_ASSERT_NEAR(parse_ok("1.5 g", KS_DIM_MASS, ks_failed_), 1500, 0);
  KS_ASSERT_NEAR(parse_ok("154 lb", KS_DIM_BODY_MASS, ks_failed_), 154.0 * 0.45359237, 1e-9); /* the international pound is 0.45359237 kg exactly */
  KS_ASSERT_NEAR(parse_ok("2 per day", KS_DIM_RATE, ks_failed_), 2.0 / 24.0, 1e-15);
  KS_ASSERT_NEAR(parse_ok("1.48 L/min", KS_DIM_CLEARANCE, ks_failed_), 88.8, 1e-12);
}

KS_TEST(kg_is_body_mass_unless_mass_expected) {
  ks_dim d;
  double v;
  KS_ASSERT_OK(ks_units_parse_any("70 kg", &d, &v, NULL, 0));
  KS_ASSERT_EQ_INT(d, KS_DIM_BODY_MASS);
  KS_ASSERT_NEAR(v, 70, 0);
  KS_ASSERT_OK(ks_units_parse("0.1 kg", KS_DIM_MASS, &v, NULL, 0));
  KS_ASSERT_NEAR(v, 1e5, 0);
}

KS_TEST(case_matters_only_where_it_must) {
  double v;
  KS_ASSERT_OK(ks_units_parse("5 mM", KS_DIM_MOLAR_CONC, &v, NULL, 0));
  KS_ASSERT_NEAR(v, 5000, 0);
  KS_ASSERT_OK(ks_units_parse("5 MIN", KS_DIM_TIME, &v, NULL, 0));
  KS_ASSERT_NEAR(v, 5.0 / 60.0, 1e-15);
}

KS_TEST(errors_say_what_was_expected) {
  double v = 42;
  char err[200];
  KS_ASSERT_EQ_INT(ks_units_parse("40 mg", KS_DIM_TIME, &v, err, sizeof err), KS_EINPUT);
  KS_ASSERT_EQ_STR(err, "'40 mg' is a mass, not a time (expected a time such as 40 min, 2 h or 14 d)");
  KS_ASSERT_NEAR(v, 42, 0); /* untouched on failure */
  KS_ASSERT_EQ_INT(ks_units_parse("0.5 furlongs", KS_DIM_MASS_PER_BODY_MASS, &v, err, sizeof err), KS_EINPUT);
  KS_ASSERT_EQ_STR(err, "unknown unit 'furlongs' (expected a dose such as 0.5 mg/kg)");
  KS_ASSERT_EQ_INT(ks_units_parse("nan mg", KS_DIM_MASS, &v, err, sizeof err), KS_EINPUT);
  KS_ASSERT_EQ_INT(ks_units_parse("inf mg", KS_DIM_MASS, &v, err, sizeof err), KS_EINPUT);
  KS_ASSERT_EQ_INT(ks_units_parse("1e999 mg", KS_DIM_MASS, &v, err, sizeof err), KS_EINPUT);
  KS_ASSERT_EQ_INT(ks_units_parse("", KS_DIM_MASS, &v, err, sizeof err), KS_EINPUT);
  KS_ASSERT_EQ_INT(ks_units_parse("40", KS_DIM_TIME, &v, err, sizeof err), KS_EINPUT);
  KS_ASSERT_EQ_STR(err, "'40' has no unit (expected a time such as 40 min, 2 h or 14 d)");
  KS_ASSERT_EQ_INT(ks_units_parse(NULL, KS_DIM_TIME, &v, err, sizeof err), KS_EINPUT);
  KS_ASSERT_EQ_INT(ks_units_parse("mg", KS_DIM_MASS, &v, err, sizeof err), KS_EINPUT);
}

KS_TEST(molar_conversion) {
  KS_ASSERT_NEAR(ks_units_uM_to_ng_per_mL(1.0, 237.7), 237.7, 1e-12);
  KS_ASSERT_NEAR(ks_units_ng_per_mL_to_uM(185.0, 237.7), 185.0 / 237.7, 1e-12); /* ng/mL = ug/L, / g/mol = umol/L */
}

KS_TEST(format_round_trips) {
  char buf[64];
  ks_units_format(buf, sizeof buf, 0.5, KS_DIM_MASS_PER_BODY_MASS);
  KS_ASSERT_EQ_STR(buf, "0.5 mg/kg");
  double v;
  KS_ASSERT_OK(ks_units_parse(buf, KS_DIM_MASS_PER_BODY_MASS, &v, NULL, 0));
  KS_ASSERT_NEAR(v, 0.5, 0);
}

KS_TEST_MAIN()
