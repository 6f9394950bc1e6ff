# SPDX-License-Identifier: MIT
# Tests that drive the ketasim command as a user would.
add_test(NAME cli_determinism_threads
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/determinism.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR}/examples/feder2021.yaml)
add_test(NAME cli_examples_check
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/examples_check.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR})
set_tests_properties(cli_determinism_threads PROPERTIES TIMEOUT 600)
# fontconfig (behind PLplot's cairo driver, used for report.html) never frees its cache.
set_property(TEST cli_determinism_threads APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/report/lsan.supp:print_suppressions=0")
add_test(NAME cli_man_page_in_step
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/man_in_step.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR}/docs/ketasim.1)
add_test(NAME docs_model_in_step COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/model_doc_in_step.sh ${CMAKE_SOURCE_DIR})
# The trial library, calibration and the declared target lists (issues 13, 14).
add_test(NAME cli_trial_library
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/trial_library.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR})
add_test(NAME cli_calibrate_tiny
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/calibrate_tiny.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR})
add_test(NAME cli_visit_measures
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/visit_measures.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR})
set_tests_properties(cli_visit_measures PROPERTIES TIMEOUT 300)
add_test(NAME target_lists_in_step COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/target_lists.sh ${CMAKE_SOURCE_DIR})
set_tests_properties(cli_trial_library cli_calibrate_tiny PROPERTIES TIMEOUT 900)
add_test(NAME cli_run_uncertainty
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/run_uncertainty.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR})
set_tests_properties(cli_run_uncertainty PROPERTIES TIMEOUT 600)
# `ketasim run` doses.csv -> `ketasim pk --data` -> `ketasim fit` (NONMEM-layout round trip).
add_test(NAME cli_fit_roundtrip
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/fit_roundtrip.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR})
set_tests_properties(cli_fit_roundtrip PROPERTIES TIMEOUT 300)
set_property(TEST cli_fit_roundtrip APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/report/lsan.supp:print_suppressions=0")
# `ketasim run --layout long`: patients_long.csv against patients.csv, dropout flag.
add_test(NAME cli_long_layout
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/long_layout.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR})
set_tests_properties(cli_long_layout PROPERTIES TIMEOUT 300)
set_property(TEST cli_long_layout APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/report/lsan.supp:print_suppressions=0")
# `ketasim run/patient --population-csv`: a population from a table of covariates.
add_test(NAME cli_population_csv
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/population_csv.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR})
set_tests_properties(cli_population_csv PROPERTIES TIMEOUT 300)
set_property(TEST cli_population_csv APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/report/lsan.supp:print_suppressions=0")
# `ketasim run/patient --data`: give these patients these doses (a run's doses.csv reproduces it).
add_test(NAME cli_given_doses
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/given_doses.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR})
set_tests_properties(cli_given_doses PROPERTIES TIMEOUT 300)
set_property(TEST cli_given_doses APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/report/lsan.supp:print_suppressions=0")
add_test(NAME cli_ablation COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/ablation.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR})
set_tests_properties(cli_ablation PROPERTIES TIMEOUT 600)
# The mood model's comparator-arm terms: calibration figures and design wiring (docs/model/mood.md).
add_test(NAME cli_mood_calibration
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/mood_calibration.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR})
set_tests_properties(cli_mood_calibration PROPERTIES TIMEOUT 600)
# Randomized withdrawal (scenario induction): shared induction doses, selection, resolved round trip.
add_test(NAME cli_withdrawal
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/withdrawal.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR})
set_tests_properties(cli_withdrawal PROPERTIES TIMEOUT 600)
add_test(NAME cli_response_spread
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/response_spread.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR})
set_tests_properties(cli_response_spread PROPERTIES TIMEOUT 300)
