# SPDX-License-Identifier: MIT
# MPI determinism (issue 8): 1, 2, 3 processes x 1, 2 threads, identical bytes. Skipped (77) when
# mpirun or MPI is missing. Under sanitizers Open MPI's own allocations (hwloc, PMIx, the TCP BTL)
# are reported as leaks at MPI_Finalize, so the test is skipped there.
add_test(NAME cli_mpi_determinism
         COMMAND ${CMAKE_SOURCE_DIR}/tests/scale/mpi.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR}/examples/feder2021.yaml)
set_tests_properties(cli_mpi_determinism PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600 RUN_SERIAL TRUE)
if(KETASIM_SANITIZE OR NOT KETASIM_WITH_MPI)
  set_property(TEST cli_mpi_determinism APPEND PROPERTY ENVIRONMENT
    "KS_MPI_SKIP_REASON=Open MPI leaks under LeakSanitizer at MPI_Finalize, or the build has no MPI")
endif()
