# SPDX-License-Identifier: MIT
# --hdf5 (issue 8): the file read back with h5py and checked against patients.csv. Skipped (77)
# without python3-h5py or without HDF5 in the build.
add_test(NAME cli_hdf5
         COMMAND ${CMAKE_SOURCE_DIR}/tests/scale/hdf5.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR}/examples/feder2021.yaml)
set_tests_properties(cli_hdf5 PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
set_property(TEST cli_hdf5 APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/report/lsan.supp:print_suppressions=0")
# Identical runs give byte-identical HDF5 files (no object timestamps).
add_test(NAME cli_hdf5_identical
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/hdf5_identical.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR}/examples/feder2021.yaml)
set_tests_properties(cli_hdf5_identical PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
