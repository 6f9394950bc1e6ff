# SPDX-License-Identifier: MIT
# Checkpoints and --resume (issue 8): kill -9 at a random point, SIGINT, foreign checkpoint; and
# the streamed (batched) run gives the same bytes as the in-memory one (unit test).
add_test(NAME cli_resume
         COMMAND ${CMAKE_SOURCE_DIR}/tests/scale/resume.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR}/examples/feder2021.yaml)
set_tests_properties(cli_resume PROPERTIES TIMEOUT 600 RUN_SERIAL TRUE)
set_property(TEST cli_resume APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/report/lsan.supp:print_suppressions=0")
ks_add_test(test_trial_stream ${CMAKE_SOURCE_DIR}/tests/unit/test_trial_stream.c LIBS ketasim)
