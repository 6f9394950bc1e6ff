# SPDX-License-Identifier: MIT
# Invariants under extreme but valid inputs (issue 8): the PK layer through its public API
# (tests/invariants_pk.c) and whole runs through the CLI (tests/invariants_cli.sh).
if(TARGET ks_population)
  ks_add_test(test_invariants_pk ${CMAKE_SOURCE_DIR}/tests/invariants_pk.c LIBS ks_population ks_pk
              LABELS invariants)
endif()
add_test(NAME cli_invariants
         COMMAND ${CMAKE_SOURCE_DIR}/tests/invariants_cli.sh $<TARGET_FILE:ketasim_cli>)
set_tests_properties(cli_invariants PROPERTIES LABELS invariants TIMEOUT 300)
# fontconfig (behind PLplot's cairo driver, used for report.html) never frees its cache.
set_property(TEST cli_invariants APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/report/lsan.supp:print_suppressions=0")
