# SPDX-License-Identifier: MIT
# `ketasim patient` (one patient's trajectory) against `ketasim run` on the same scenario.
add_test(NAME cli_patient_matches_run
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/patient.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR}/examples/feder2021.yaml)
set_tests_properties(cli_patient_matches_run PROPERTIES TIMEOUT 300)
# fontconfig (behind PLplot's cairo driver) never frees its cache.
set_property(TEST cli_patient_matches_run APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/report/lsan.supp:print_suppressions=0")
# `ketasim cascade --plot FILE`.
add_test(NAME cli_cascade_plot COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cascade_plot.sh $<TARGET_FILE:ketasim_cli>)
set_property(TEST cli_cascade_plot APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/report/lsan.supp:print_suppressions=0")
