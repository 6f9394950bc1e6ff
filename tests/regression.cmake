# SPDX-License-Identifier: MIT
# Stored-answer regression of a whole small trial (tests/regression/; regenerate the answer with
# scripts/regen-regression after a deliberate model change).
add_test(NAME regression_trial_small
         COMMAND sh ${CMAKE_SOURCE_DIR}/tests/regression/run.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR})
set_tests_properties(regression_trial_small PROPERTIES LABELS "regression" TIMEOUT 300)
set_property(TEST regression_trial_small APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/report/lsan.supp:print_suppressions=0")
# The module graph from the build: acyclic, in KS_MODULE_ORDER, includes agree, diagram current.
add_test(NAME module_graph COMMAND python3 ${CMAKE_SOURCE_DIR}/scripts/module-graph --check ${CMAKE_SOURCE_DIR})
set_tests_properties(module_graph PROPERTIES LABELS "architecture" TIMEOUT 300)
# data/*.tsv tables that repeat figures of the code agree with it.
ks_add_test(test_data_tables ${CMAKE_SOURCE_DIR}/tests/unit/test_data_tables.c LIBS ketasim)
