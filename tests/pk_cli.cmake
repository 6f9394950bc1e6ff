# SPDX-License-Identifier: MIT
# `ketasim pk --plot FILE` writes a PNG or SVG figure (single patient and population band) and
# refuses other extensions with exit code 2 and nothing written.
add_test(NAME pk_cli_plot
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/pk_plot.sh $<TARGET_FILE:ketasim_cli>
                 ${CMAKE_BINARY_DIR}/pk_cli_plot)
set_property(TEST pk_cli_plot APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/report/lsan.supp:print_suppressions=0")
