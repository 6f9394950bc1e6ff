# SPDX-License-Identifier: MIT
# The installed library: `cmake --install` into a temporary prefix, examples/c built against it with
# pkg-config and with find_package(ketasim), and run (tests/install_test.sh).
# Not under sanitizers: an instrumented libketasim.so needs the sanitizer runtime first in the
# program that loads it, which a user's plain build of examples/c does not have.
if(NOT KETASIM_SANITIZE)
  add_test(NAME install_example COMMAND sh ${CMAKE_SOURCE_DIR}/tests/install_test.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR})
  set_tests_properties(install_example PROPERTIES LABELS "install" TIMEOUT 600)
endif()
