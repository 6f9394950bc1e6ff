# SPDX-License-Identifier: MIT
# Helpers that make every layer a module: an object library ks_<name>_obj (compiled once), a static
# library ks_<name> for tests that need only that layer and those below it, and a share of the
# combined library libketasim.
set_property(GLOBAL PROPERTY KS_ALL_OBJECTS "")
set_property(GLOBAL PROPERTY KS_ALL_LIBS "")

# ks_add_module(NAME [DEPS mod...] [LIBS target...] [SOURCES file...])
# Without SOURCES, every *.c in the module directory is compiled.
function(ks_add_module name)
  cmake_parse_arguments(A "" "" "DEPS;LIBS;SOURCES" ${ARGN})
  if(NOT A_SOURCES)
    file(GLOB A_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.c)
  endif()
  add_library(ks_${name}_obj OBJECT ${A_SOURCES})
  target_include_directories(ks_${name}_obj
    PUBLIC ${CMAKE_SOURCE_DIR}/include ${CMAKE_BINARY_DIR}/include
    PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_options(ks_${name}_obj PRIVATE ${KS_WARNINGS})
  target_compile_definitions(ks_${name}_obj PRIVATE KS_BUILDING_LIBRARY)
  set_target_properties(ks_${name}_obj PROPERTIES POSITION_INDEPENDENT_CODE ON)
  foreach(l IN LISTS A_LIBS)
    target_link_libraries(ks_${name}_obj PUBLIC ${l})
  endforeach()
  add_library(ks_${name} STATIC $<TARGET_OBJECTS:ks_${name}_obj>)
  target_include_directories(ks_${name} PUBLIC ${CMAKE_SOURCE_DIR}/include ${CMAKE_BINARY_DIR}/include)
  foreach(d IN LISTS A_DEPS)
    target_link_libraries(ks_${name}_obj PUBLIC ks_${d}_obj)
    target_link_libraries(ks_${name} PUBLIC ks_${d})
  endforeach()
  target_link_libraries(ks_${name} PUBLIC ${A_LIBS} m)
  set_property(GLOBAL APPEND PROPERTY KS_ALL_OBJECTS $<TARGET_OBJECTS:ks_${name}_obj>)
  set_property(GLOBAL APPEND PROPERTY KS_ALL_LIBS ${A_LIBS})
endfunction()

# The combined library: libketasim.a (static: the CLI and the tests link it, with the internal
# helpers) and libketasim.so (shared: exports only KS_API, see include/ketasim/core.h). Both carry
# every module's objects and declare every module's dependencies.
function(ks_finish_library)
  get_property(objs GLOBAL PROPERTY KS_ALL_OBJECTS)
  get_property(libs GLOBAL PROPERTY KS_ALL_LIBS)
  list(REMOVE_DUPLICATES libs)
  add_library(ketasim STATIC ${objs})
  set_target_properties(ketasim PROPERTIES OUTPUT_NAME ketasim)
  target_include_directories(ketasim PUBLIC ${CMAKE_SOURCE_DIR}/include ${CMAKE_BINARY_DIR}/include)
  target_link_libraries(ketasim PUBLIC ${libs} m)
  add_library(ketasim_shared SHARED ${objs})
  set_target_properties(ketasim_shared PROPERTIES OUTPUT_NAME ketasim VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
  target_include_directories(ketasim_shared PUBLIC ${CMAKE_SOURCE_DIR}/include ${CMAKE_BINARY_DIR}/include)
  target_link_libraries(ketasim_shared PRIVATE ${libs} m)
  # A shared library that resolves every symbol itself (no undefined references left to the host).
  target_link_options(ketasim_shared PRIVATE LINKER:--no-undefined)
endfunction()

# ks_add_test(NAME SOURCE LIBS lib... [LABELS l...]): one executable, one CTest process.
function(ks_add_test name source)
  cmake_parse_arguments(A "" "" "LIBS;LABELS" ${ARGN})
  add_executable(${name} ${source})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests ${CMAKE_SOURCE_DIR}/src)
  target_compile_options(${name} PRIVATE ${KS_WARNINGS})
  target_link_libraries(${name} PRIVATE ${A_LIBS} m)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES
    ENVIRONMENT "KS_SOURCE_DIR=${CMAKE_SOURCE_DIR};KS_BINARY_DIR=${CMAKE_BINARY_DIR}")
  if(A_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${A_LABELS}")
  endif()
endfunction()
