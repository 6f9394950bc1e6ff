# SPDX-License-Identifier: MIT
# Every third-party dependency, as one imported or interface target each (ks_dep_<name>).
# A library is used by exactly one module (DESIGN.md); the module names its ks_dep_ target.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

function(ks_pkg name module)
  pkg_check_modules(KSPKG_${name} REQUIRED IMPORTED_TARGET ${module})
  add_library(ks_dep_${name} INTERFACE)
  target_link_libraries(ks_dep_${name} INTERFACE PkgConfig::KSPKG_${name})
endfunction()

ks_pkg(fyaml libfyaml)
ks_pkg(lapacke lapacke)
ks_pkg(cjson libcjson)
ks_pkg(plplot plplot)
ks_pkg(nlopt nlopt)

find_package(GSL REQUIRED)
add_library(ks_dep_gsl INTERFACE)
target_link_libraries(ks_dep_gsl INTERFACE GSL::gsl)

# SUNDIALS: the plain libraries (Debian's CMake config drags in Trilinos and MPI checks).
find_path(SUNDIALS_INCLUDE_DIR cvode/cvode.h REQUIRED)
foreach(lib cvode nvecserial sunmatrixdense sunlinsoldense)
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
