# SPDX-License-Identifier: MIT
# Global sensitivity and optimisation (issue 17): the stats-layer estimators on functions with
# analytic indices (tests/unit/test_sensitivity.c).
ks_add_test(test_sensitivity ${CMAKE_SOURCE_DIR}/tests/unit/test_sensitivity.c LIBS ks_stats)
