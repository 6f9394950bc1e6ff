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
# The sweeps over MPI (issue 17 part 4): optimize and sensitivity under 1-3 processes x 1-2 threads
# give the bytes of one process; a sensitivity run whose rank 0 is killed resumes under MPI.
if(TARGET ketasim_cli)
  add_test(NAME cli_mpi_sweeps
           COMMAND ${CMAKE_SOURCE_DIR}/tests/scale/sweep_mpi.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR})
  set_tests_properties(cli_mpi_sweeps PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900 RUN_SERIAL TRUE LABELS sweep)
  if(KETASIM_SANITIZE OR NOT KETASIM_WITH_MPI)
    set_property(TEST cli_mpi_sweeps APPEND PROPERTY ENVIRONMENT
      "KS_MPI_SKIP_REASON=Open MPI leaks under LeakSanitizer at MPI_Finalize, or the build has no MPI")
  endif()
endif()
# A host program that starts MPI itself: ks_par_finalize leaves the host's MPI running.
if(KETASIM_WITH_MPI AND NOT KETASIM_SANITIZE)
  add_executable(test_host_mpi ${CMAKE_SOURCE_DIR}/tests/scale/host_mpi.c)
  target_link_libraries(test_host_mpi PRIVATE ketasim MPI::MPI_C)
  find_program(KS_MPIRUN NAMES mpirun mpiexec)
  if(KS_MPIRUN)
    add_test(NAME host_mpi_not_finalized
             COMMAND ${KS_MPIRUN} --oversubscribe --allow-run-as-root -np 2 $<TARGET_FILE:test_host_mpi>)
    set_tests_properties(host_mpi_not_finalized PROPERTIES TIMEOUT 120 RUN_SERIAL TRUE ENVIRONMENT
      "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_rmaps_base_oversubscribe=1")
  endif()
endif()
