# `ketasim explore` end to end (tests/explore/test_explore.py): loopback binding, malformed
# requests, and a browser test in headless Chromium driven by selenium (Debian's chromium,
# chromium-driver and python3-selenium from scripts/install-deps). Labelled slow (a browser start).
if(EXISTS /usr/bin/python3 AND EXISTS /usr/bin/chromedriver)
  add_test(NAME explore
    COMMAND ${CMAKE_COMMAND} -E env KETASIM_CLI=$<TARGET_FILE:ketasim_cli>
            /usr/bin/python3 -m pytest -q -p no:cacheprovider ${CMAKE_SOURCE_DIR}/tests/explore)
  set_tests_properties(explore PROPERTIES LABELS slow TIMEOUT 600)
endif()
