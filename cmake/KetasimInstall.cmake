# SPDX-License-Identifier: MIT
# `cmake --install`: libketasim (shared and static), the public headers, ketasim.pc and a CMake
# package (find_package(ketasim) -> ketasim::ketasim, shared; ketasim::ketasim_static), and the CLI.
# The dependencies are declared for static linking (pkg-config Requires.private/Libs.private, the
# static target's INTERFACE_LINK_LIBRARIES); the shared library carries them itself.
if(KETASIM_ONLY)
  return()
endif()
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Public headers: every include/ketasim/*.h except the CLI's internal helpers (core.h explains).
set(KS_INTERNAL_HEADERS io.h report.h linalg.h)
file(GLOB _ks_headers ${CMAKE_SOURCE_DIR}/include/ketasim/*.h)
set(_ks_public_headers)
foreach(h IN LISTS _ks_headers)
  get_filename_component(_name ${h} NAME)
  if(NOT _name IN_LIST KS_INTERNAL_HEADERS)
    list(APPEND _ks_public_headers ${h})
  endif()
endforeach()
install(FILES ${_ks_public_headers} ${CMAKE_BINARY_DIR}/include/ketasim/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ketasim)
install(TARGETS ketasim ketasim_shared
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET ketasim_cli)
  install(TARGETS ketasim_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# The static library's dependencies, as pkg-config modules and as plain libraries.
set(KS_PC_REQUIRES_PRIVATE "libfyaml lapacke libcjson plplot nlopt gsl")
set(KS_STATIC_LIBS ${KSPKG_fyaml_LINK_LIBRARIES} ${KSPKG_lapacke_LINK_LIBRARIES} ${KSPKG_cjson_LINK_LIBRARIES}
    ${KSPKG_plplot_LINK_LIBRARIES} ${KSPKG_nlopt_LINK_LIBRARIES} ${GSL_LIBRARIES} ${_sundials_libs})
set(KS_PC_LIBS_PRIVATE "")
foreach(lib IN LISTS _sundials_libs)
  get_filename_component(_n ${lib} NAME_WE)
  string(REGEX REPLACE "^lib" "" _n ${_n})
  string(APPEND KS_PC_LIBS_PRIVATE " -l${_n}")
endforeach()
if(TARGET ks_dep_sbml)
  list(APPEND KS_STATIC_LIBS ${SBML_LIB})
  string(APPEND KS_PC_LIBS_PRIVATE " -lsbml")
endif()
if(KETASIM_WITH_HDF5)
  string(APPEND KS_PC_REQUIRES_PRIVATE " hdf5-serial")
  list(APPEND KS_STATIC_LIBS ${KS_HDF5_HL_LIB} ${KSPKG_hdf5_LINK_LIBRARIES})
  if(KS_HDF5_HL_LIB)  # dimension scales (H5DS): the high-level library beside hdf5-serial
    string(APPEND KS_PC_LIBS_PRIVATE " ${KS_HDF5_HL_LIB}")
  endif()
endif()
if(KETASIM_WITH_OPENMP)
  list(APPEND KS_STATIC_LIBS ${OpenMP_C_LIBRARIES})
  string(APPEND KS_PC_LIBS_PRIVATE " ${OpenMP_C_FLAGS}")
endif()
if(KETASIM_WITH_MPI)
  list(APPEND KS_STATIC_LIBS ${MPI_C_LIBRARIES})
  foreach(lib IN LISTS MPI_C_LIBRARIES)
    string(APPEND KS_PC_LIBS_PRIVATE " ${lib}")
  endforeach()
endif()
string(APPEND KS_PC_LIBS_PRIVATE " -lpthread -lm")
list(REMOVE_DUPLICATES KS_STATIC_LIBS)

# Relocatable: the prefix is found from where the .pc file lies (cmake --install --prefix P).
file(RELATIVE_PATH KS_PC_PREFIX_FROM_PCDIR /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" KS_PC_PREFIX_FROM_PCDIR "${KS_PC_PREFIX_FROM_PCDIR}")
set(KS_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
set(KS_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
configure_file(${CMAKE_SOURCE_DIR}/cmake/ketasim.pc.in ${CMAKE_BINARY_DIR}/ketasim.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/ketasim.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

set(KS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ketasim)
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/ketasimConfig.cmake.in
  ${CMAKE_BINARY_DIR}/ketasimConfig.cmake INSTALL_DESTINATION ${KS_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/ketasimConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/ketasimConfig.cmake ${CMAKE_BINARY_DIR}/ketasimConfigVersion.cmake
        DESTINATION ${KS_CMAKE_DIR})
