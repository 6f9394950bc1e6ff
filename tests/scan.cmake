# SPDX-License-Identifier: MIT
# `ketasim scan`: baseline and after-regimen scans (CSV with region names, heatmaps, FC change)
# and refusal of bad regimen flags (exit 2, one message, nothing written).
add_test(NAME scan_cli
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/scan.sh $<TARGET_FILE:ketasim_cli>
                 ${CMAKE_BINARY_DIR}/scan_cli)
set_tests_properties(scan_cli PROPERTIES TIMEOUT 300)
set_property(TEST scan_cli APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/report/lsan.supp:print_suppressions=0")
