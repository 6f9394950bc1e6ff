# SPDX-License-Identifier: MIT
# The brain layer through the CLI (run, patient, scan): tests/brain/brain_cli.sh.
add_test(NAME cli_brain_outputs COMMAND ${CMAKE_SOURCE_DIR}/tests/brain/brain_cli.sh $<TARGET_FILE:ketasim_cli>)
set_tests_properties(cli_brain_outputs PROPERTIES TIMEOUT 300)
set_property(TEST cli_brain_outputs APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/report/lsan.supp:print_suppressions=0")
