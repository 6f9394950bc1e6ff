# SPDX-License-Identifier: MIT
# Headless-Chromium render test of the HTML report (issue 9): a small program writes a sample
# report with every figure kind; Chromium loads it (--dump-dom) and screenshots it. The test is
# skipped (exit 77, SKIP_RETURN_CODE) when /usr/bin/chromium is absent. Artifacts, including the
# screenshot, stay in <build>/report_chromium/.
if(TARGET ks_report)
  add_executable(ks_sample_report ${CMAKE_CURRENT_SOURCE_DIR}/report/sample_report.c)
  target_compile_options(ks_sample_report PRIVATE ${KS_WARNINGS})
  target_link_libraries(ks_sample_report PRIVATE ks_report m)
  add_test(NAME report_chromium
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/report/chromium_check.sh
                   $<TARGET_FILE:ks_sample_report> ${CMAKE_BINARY_DIR}/report_chromium)
  set_tests_properties(report_chromium PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300
                       LABELS "report;browser"
                       ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/report/lsan.supp:print_suppressions=0")
endif()
# `ketasim run --figures-pdf`: the report's figures as PDF too.
add_test(NAME cli_figures_pdf
         COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/figures_pdf.sh $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR}/examples/feder2021.yaml)
set_tests_properties(cli_figures_pdf PROPERTIES TIMEOUT 300)
set_property(TEST cli_figures_pdf APPEND PROPERTY ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/report/lsan.supp:print_suppressions=0")

# The report of a real run (tests/report/trial_report_check.py): Chromium at two widths, every
# figure rendered, the chain's sections present, the arms table equal to summary.json.
if(EXISTS /usr/bin/python3)
  add_test(NAME report_trial_chromium
           COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/report/trial_report_check.py
                   $<TARGET_FILE:ketasim_cli> ${CMAKE_SOURCE_DIR}/examples/feder2021.yaml
                   ${CMAKE_BINARY_DIR}/report_trial_chromium)
  set_tests_properties(report_trial_chromium PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600 LABELS "report;browser;slow")
endif()
