# SPDX-License-Identifier: MIT
# `ketasim pk --plot FILE` writes a PNG or SVG figure (single patient and population band) and
# refuses other extensions with exit code 2 and nothing written.
add_test(NAME pk_cli_plot
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/pk_plot.sh $<TARGET_FILE:ketasim_cli>
                 ${CMAKE_BINARY_DIR}/pk_cli_plot)
set_property(TEST pk_cli_plot APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/report/lsan.supp:print_suppressions=0")
# One studied-dose table: `ketasim pk` and `ketasim check` accept and refuse the same doses.
add_test(NAME pk_cli_studied_range
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/pk_studied_range.sh $<TARGET_FILE:ketasim_cli>
                 ${CMAKE_SOURCE_DIR}/tests/bad_input/route-unstudied.yaml
                 ${CMAKE_BINARY_DIR}/pk_cli_studied_range)
# pk_model in a scenario regimen reaches the trial's PK and the resolved scenario.
add_test(NAME pk_cli_model_in_scenario
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/pk_model_scenario.sh $<TARGET_FILE:ketasim_cli>
                 ${CMAKE_SOURCE_DIR}/tests/bad_input/route-unstudied.yaml
                 ${CMAKE_BINARY_DIR}/pk_cli_model_in_scenario)
