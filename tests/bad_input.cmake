# SPDX-License-Identifier: MIT
# The bad-input catalogue (tests/bad_input/): every malformed scenario or command line must make
# `ketasim` exit 2 with exactly the one-line message of its NAME.expect and nothing on stdout.
# KETASIM_BAD_INPUT_CLI overrides the binary under test (default: the ketasim_cli target).
set(KETASIM_BAD_INPUT_CLI "" CACHE FILEPATH "ketasim binary for the bad-input catalogue (default: ketasim_cli)")
if(KETASIM_BAD_INPUT_CLI)
  set(_ks_bad_cli ${KETASIM_BAD_INPUT_CLI})
else()
  set(_ks_bad_cli $<TARGET_FILE:ketasim_cli>)
endif()
find_program(KS_BASH bash REQUIRED)
file(GLOB _ks_bad_cases CONFIGURE_DEPENDS
     ${CMAKE_SOURCE_DIR}/tests/bad_input/*.yaml
     ${CMAKE_SOURCE_DIR}/tests/bad_input/*.args
     ${CMAKE_SOURCE_DIR}/tests/bad_input/*.gen)
foreach(f IN LISTS _ks_bad_cases)
  get_filename_component(_name ${f} NAME_WLE)
  add_test(NAME bad_input.${_name}
           COMMAND ${KS_BASH} ${CMAKE_SOURCE_DIR}/tests/bad_input/run.sh ${_ks_bad_cli}
                   ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR} ${_name})
  set_tests_properties(bad_input.${_name} PROPERTIES LABELS bad_input TIMEOUT 60)
endforeach()
