# pytest over the Python binding (python/ketasim, docs/python.md) against the shared library:
# Debian's python3 with python3-numpy, python3-pandas and python3-pytest (scripts/install-deps).
# Not under sanitizers: an instrumented libketasim.so cannot be loaded into an uninstrumented python.
if(TARGET ketasim_shared AND EXISTS /usr/bin/python3 AND NOT KETASIM_SANITIZE)
  add_test(NAME python
    COMMAND ${CMAKE_COMMAND} -E env PYTHONPATH=${CMAKE_SOURCE_DIR}/python
            KETASIM_LIB=$<TARGET_FILE:ketasim_shared> KETASIM_CLI=$<TARGET_FILE:ketasim_cli>
            KETASIM_SOURCE=${CMAKE_SOURCE_DIR}
            /usr/bin/python3 -m pytest -q -p no:cacheprovider ${CMAKE_SOURCE_DIR}/tests/python)
endif()
