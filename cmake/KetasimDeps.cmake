# SPDX-License-Identifier: MIT
# Every third-party dependency, as one imported or interface target each (ks_dep_<name>).
# A library is used by exactly one module (DESIGN.md); the module names its ks_dep_ target.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

function(ks_pkg name module)
  pkg_check_modules(KSPKG_${name} REQUIRED IMPORTED_TARGET ${module})
  add_library(ks_dep_${name} INTERFACE)
  target_link_libraries(ks_dep_${name} INTERFACE PkgConfig::KSPKG_${name})
  # For the installed static library's declared dependencies (cmake/KetasimInstall.cmake).
  set(KSPKG_${name}_LINK_LIBRARIES ${KSPKG_${name}_LINK_LIBRARIES} PARENT_SCOPE)
endfunction()

ks_pkg(fyaml libfyaml)
ks_pkg(lapacke lapacke)
ks_pkg(cjson libcjson)
ks_pkg(plplot plplot)
ks_pkg(nlopt nlopt)
ks_pkg(microhttpd libmicrohttpd)  # `ketasim explore` (src/cli/cmd_explore.c) only

find_package(GSL REQUIRED)
add_library(ks_dep_gsl INTERFACE)
target_link_libraries(ks_dep_gsl INTERFACE GSL::gsl)

# SUNDIALS: the plain libraries (Debian's CMake config drags in Trilinos and MPI checks).
find_path(SUNDIALS_INCLUDE_DIR cvode/cvode.h REQUIRED)
foreach(lib cvode nvecserial sunmatrixdense)  # the linear solver is our own (src/ode/ode.c)
  find_library(SUNDIALS_${lib}_LIB sundials_${lib} REQUIRED)
  list(APPEND _sundials_libs ${SUNDIALS_${lib}_LIB})
endforeach()
add_library(ks_dep_sundials INTERFACE)
target_include_directories(ks_dep_sundials INTERFACE ${SUNDIALS_INCLUDE_DIR})
target_link_libraries(ks_dep_sundials INTERFACE ${_sundials_libs})

# Random123 is header-only.
find_path(RANDOM123_INCLUDE_DIR Random123/philox.h REQUIRED)
add_library(ks_dep_random123 INTERFACE)
target_include_directories(ks_dep_random123 INTERFACE ${RANDOM123_INCLUDE_DIR})

# libSBML (C API).
find_path(SBML_INCLUDE_DIR sbml/SBMLTypes.h)
find_library(SBML_LIB sbml)
if(SBML_INCLUDE_DIR AND SBML_LIB)
  add_library(ks_dep_sbml INTERFACE)
  target_include_directories(ks_dep_sbml INTERFACE ${SBML_INCLUDE_DIR})
  target_link_libraries(ks_dep_sbml INTERFACE ${SBML_LIB})
endif()

if(KETASIM_WITH_HDF5)
  pkg_check_modules(KSPKG_hdf5 IMPORTED_TARGET hdf5-serial)
  if(KSPKG_hdf5_FOUND)
    add_library(ks_dep_hdf5 INTERFACE)
    target_link_libraries(ks_dep_hdf5 INTERFACE PkgConfig::KSPKG_hdf5)
    # The high-level library (same package, libhdf5-dev) for dimension scales (H5DS).
    find_library(KS_HDF5_HL_LIB NAMES hdf5_serial_hl hdf5_hl HINTS ${KSPKG_hdf5_LIBRARY_DIRS})
    if(KS_HDF5_HL_LIB)
      target_link_libraries(ks_dep_hdf5 INTERFACE ${KS_HDF5_HL_LIB})
    else()
      set(KETASIM_WITH_HDF5 OFF)
    endif()
  else()
    set(KETASIM_WITH_HDF5 OFF)
  endif()
endif()

if(KETASIM_WITH_OPENMP)
  find_package(OpenMP COMPONENTS C)
  if(NOT OpenMP_C_FOUND)
    set(KETASIM_WITH_OPENMP OFF)
  endif()
endif()
if(KETASIM_WITH_MPI)
  find_package(MPI COMPONENTS C)
  if(NOT MPI_C_FOUND)
    set(KETASIM_WITH_MPI OFF)
  endif()
endif()

# Provenance written into output files (the JSON provenance block, HDF5 attributes; src/core/ctx.c):
# dependency versions as configured, and
# the git revision when the source is a git checkout (read from .git, no git command needed).
set(_sun_ver "?")
if(EXISTS ${SUNDIALS_INCLUDE_DIR}/sundials/sundials_config.h)
  file(STRINGS ${SUNDIALS_INCLUDE_DIR}/sundials/sundials_config.h _sun_line REGEX "define SUNDIALS_VERSION ")
  string(REGEX REPLACE ".*\"([^\"]*)\".*" "\\1" _sun_ver "${_sun_line}")
endif()
set(KS_DEP_VERSIONS "SUNDIALS ${_sun_ver}, libfyaml ${KSPKG_fyaml_VERSION}, GSL ${GSL_VERSION}, cJSON ${KSPKG_cjson_VERSION}, PLplot ${KSPKG_plplot_VERSION}, NLopt ${KSPKG_nlopt_VERSION}")
if(KETASIM_WITH_MPI)
  string(APPEND KS_DEP_VERSIONS ", MPI ${MPI_C_VERSION}")
endif()
set(KS_GIT_REVISION "unknown")
# A git worktree (or submodule) has a .git file; ask git when it is installed.
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS ${CMAKE_SOURCE_DIR}/.git AND NOT IS_DIRECTORY ${CMAKE_SOURCE_DIR}/.git)
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse HEAD WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                  OUTPUT_VARIABLE _head OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _rc)
  if(_rc EQUAL 0 AND _head MATCHES "^[0-9a-f]+$")
    set(KS_GIT_REVISION ${_head})
  endif()
elseif(EXISTS ${CMAKE_SOURCE_DIR}/.git/HEAD)
  file(READ ${CMAKE_SOURCE_DIR}/.git/HEAD _head)
  string(STRIP "${_head}" _head)
  if(_head MATCHES "^ref: (.*)$")
    set(_ref ${CMAKE_MATCH_1})
    if(EXISTS ${CMAKE_SOURCE_DIR}/.git/${_ref})
      file(READ ${CMAKE_SOURCE_DIR}/.git/${_ref} _head)
      string(STRIP "${_head}" _head)
    elseif(EXISTS ${CMAKE_SOURCE_DIR}/.git/packed-refs)
      file(STRINGS ${CMAKE_SOURCE_DIR}/.git/packed-refs _packed REGEX " ${_ref}$")
      string(REGEX REPLACE " .*" "" _head "${_packed}")
    endif()
  endif()
  if(_head MATCHES "^[0-9a-f]+$")
    set(KS_GIT_REVISION ${_head})
  endif()
endif()
