# SPDX-License-Identifier: MIT
# Stored-answer regression of a whole small trial (tests/regression/; regenerate the answer with
# scripts/regen-regression after a deliberate model change).
add_test(NAME regression_trial_small
         COMMAND sh ${CMAKE_SOURCE_DIR}/tests/regression/run.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR})
set_tests_properties(regression_trial_small PROPERTIES LABELS "regression" TIMEOUT 300)
set_property(TEST regression_trial_small APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/report/lsan.supp:print_suppressions=0")
