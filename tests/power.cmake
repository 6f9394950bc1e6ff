# SPDX-License-Identifier: MIT
# `ketasim power` (issue 7, "Replicates and power"). Included by tests/CMakeLists.txt, this file
# registers the tests; run with `cmake -P` (CMAKE_SCRIPT_MODE_FILE set) it performs one of them:
#   power_null_type1    tests/data/null.yaml (both arms the same regimen): 2000 replicates per n
#                       from a 1000-per-arm pool; the type-I error at each n must lie within
#                       0.05 +- 3 binomial SDs; the pool's analysis by ks_trial_primary_test equals
#                       ks_trial_summarise's; power.png/.svg are written.
#   power_rises_threads examples/feder2021.yaml: power rises with n, the mean difference favours
#                       ketamine, and --threads 1 and 2 give byte-identical power.csv.
#   power_fresh         --fresh on the null scenario: one fresh trial per replicate.
#   power_crossover     examples/feder2014.yaml (paired analysis): the pool's analysis by
#                       ks_trial_primary_test equals ks_trial_summarise's, n counts per sequence.
#   power_three_arms    examples/dose-response.yaml (5 arms, contrasts against midazolam): the
#                       replicates test the primary contrast contrasts[0] (ketamine-0.1 vs midazolam,
#                       not arm 0 vs arm 1): the pool's difference and p equal ks_trial_summarise's.
#   power_bad_input     bad options exit 2 with one "ketasim: ..." line and write nothing.
#   validate_plot       `ketasim validate --layer pk --plot F.png|F.svg` draws the forest plot (issue 9;
#                       kept here with the other figure commands of this helper's task).
if(NOT CMAKE_SCRIPT_MODE_FILE)
  if(TARGET ketasim_cli)
    foreach(_mode null_type1 rises_threads fresh crossover three_arms bad_input)
      add_test(NAME power_${_mode}
               COMMAND ${CMAKE_COMMAND} -DKS=$<TARGET_FILE:ketasim_cli> -DSRC=${CMAKE_SOURCE_DIR}
                       -DOUT=${CMAKE_BINARY_DIR}/power_test/${_mode} -DMODE=${_mode}
                       -P ${CMAKE_CURRENT_LIST_FILE})
      set_tests_properties(power_${_mode} PROPERTIES TIMEOUT 900 LABELS power
        ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/report/lsan.supp:print_suppressions=0")
    endforeach()
    add_test(NAME validate_plot
             COMMAND ${CMAKE_COMMAND} -DKS=$<TARGET_FILE:ketasim_cli> -DSRC=${CMAKE_SOURCE_DIR}
                     -DOUT=${CMAKE_BINARY_DIR}/power_test/validate_plot -DMODE=validate_plot
                     -P ${CMAKE_CURRENT_LIST_FILE})
    set_tests_properties(validate_plot PROPERTIES TIMEOUT 300 LABELS "report"
      ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/report/lsan.supp:print_suppressions=0")
  endif()
  return()
endif()

# ---- script mode ---------------------------------------------------------------------------

function(fail msg)
  message(FATAL_ERROR "FAIL: ${msg}")
endfunction()

# run_power(<outdir> args...): run `ketasim power`, fail unless it exits 0.
function(run_power dir)
  file(REMOVE_RECURSE ${dir})
  execute_process(COMMAND ${KS} power ${ARGN} --out ${dir} --quiet
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("ketasim power ${ARGN} exited ${rc}: ${err}")
  endif()
  set(POWER_STDOUT "${out}" PARENT_SCOPE)
endfunction()

# read_csv(<file> <prefix>): rows after the header into <prefix>_N, <prefix>_POWER, <prefix>_DIFF
# (lists), and <prefix>_ROWS.
function(read_csv file prefix)
  file(STRINGS ${file} lines)
  list(POP_FRONT lines header)
  if(NOT header STREQUAL "n_per_group,replicates,rejected,invalid,power,power_ci95_lo,power_ci95_hi,mean_difference")
    fail("${file}: unexpected header '${header}'")
  endif()
  set(ns)
  set(ps)
  set(ds)
  set(reps)
  foreach(l IN LISTS lines)
    string(REPLACE "," ";" f "${l}")
    list(GET f 0 n)
    list(GET f 1 r)
    list(GET f 4 p)
    list(GET f 7 d)
    list(APPEND ns ${n})
    list(APPEND reps ${r})
    list(APPEND ps ${p})
    list(APPEND ds ${d})
  endforeach()
  list(LENGTH lines nrows)
  set(${prefix}_N ${ns} PARENT_SCOPE)
  set(${prefix}_REPS ${reps} PARENT_SCOPE)
  set(${prefix}_POWER ${ps} PARENT_SCOPE)
  set(${prefix}_DIFF ${ds} PARENT_SCOPE)
  set(${prefix}_ROWS ${nrows} PARENT_SCOPE)
endfunction()

function(check_figures dir)
  foreach(ext png svg)
    if(NOT EXISTS ${dir}/power.${ext})
      fail("${dir}/power.${ext} missing")
    endif()
  endforeach()
  file(READ ${dir}/power.png magic LIMIT 8 HEX)
  if(NOT magic STREQUAL "89504e470d0a1a0a")
    fail("power.png is not a PNG (${magic})")
  endif()
  file(READ ${dir}/power.svg svg)
  if(NOT svg MATCHES "<svg" OR NOT svg MATCHES "</svg>")
    fail("power.svg is not an SVG document")
  endif()
endfunction()

# The same number to about 8 significant digits (both are printed with %.10g; CMake has no
# floating-point arithmetic, so the printed forms are compared).
function(check_same what a b)
  string(SUBSTRING "${a}" 0 9 a9)
  string(SUBSTRING "${b}" 0 9 b9)
  if(NOT a9 STREQUAL b9)
    fail("${what}: ${a} differs from ${b}")
  endif()
endfunction()

if(MODE STREQUAL "null_type1")
  # 2000 replicates: SD of an estimate of 0.05 is sqrt(.05 .95 / 2000) = 0.0049; 3 SD = 0.0146.
  run_power(${OUT} ${SRC}/tests/data/null.yaml --n 10,20,40 --replicates 2000 --pool 1000 --threads 2)
  read_csv(${OUT}/power.csv P)
  if(NOT P_ROWS EQUAL 3)
    fail("expected 3 rows in power.csv, got ${P_ROWS}")
  endif()
  foreach(p IN LISTS P_POWER)
    if(p LESS 0.0354 OR p GREATER 0.0646)
      fail("type-I error ${p} outside 0.05 +- 3 binomial SDs [0.0354, 0.0646] (n = ${P_N})")
    endif()
  endforeach()
  file(READ ${OUT}/power.json js)
  string(JSON pool_n GET "${js}" pool n_total)
  string(JSON d_test GET "${js}" pool difference)
  string(JSON d_sum GET "${js}" pool summary_difference)
  string(JSON p_test GET "${js}" pool p)
  string(JSON p_sum GET "${js}" pool summary_p)
  if(NOT pool_n EQUAL 2000)
    fail("pool of ${pool_n} patients, expected 2000")
  endif()
  check_same("pool difference (ks_trial_primary_test vs ks_trial_summarise)" "${d_test}" "${d_sum}")
  check_same("pool p (ks_trial_primary_test vs ks_trial_summarise)" "${p_test}" "${p_sum}")
  check_figures(${OUT})
  string(REGEX MATCHALL "n = [0-9]+ per group: power" lines "${POWER_STDOUT}")
  list(LENGTH lines nl)
  if(NOT nl EQUAL 3)
    fail("expected one stdout line per n, got: ${POWER_STDOUT}")
  endif()
  message(STATUS "type-I error at n = ${P_N}: ${P_POWER}; pool difference ${d_test}")

elseif(MODE STREQUAL "rises_threads")
  set(args ${SRC}/examples/feder2021.yaml --n 3,5,8 --replicates 400 --pool 100)
  run_power(${OUT}/t1 ${args} --threads 1)
  run_power(${OUT}/t2 ${args} --threads 2)
  file(READ ${OUT}/t1/power.csv c1)
  file(READ ${OUT}/t2/power.csv c2)
  if(NOT c1 STREQUAL c2)
    fail("power.csv differs between 1 and 2 threads:\n${c1}\n${c2}")
  endif()
  read_csv(${OUT}/t1/power.csv P)
  list(GET P_POWER 0 p0)
  list(GET P_POWER 1 p1)
  list(GET P_POWER 2 p2)
  if(NOT (p0 LESS p1 AND p1 LESS p2))
    fail("power does not rise with n: ${P_N} -> ${P_POWER}")
  endif()
  if(NOT p2 GREATER 0.5)
    fail("power at n = 8 per arm is ${p2}; Feder 2021's effect (d about 1) should give more than 0.5")
  endif()
  foreach(d IN LISTS P_DIFF)
    if(NOT d LESS 0)
      fail("mean difference ${d} does not favour ketamine (expected < 0: ketamine - midazolam)")
    endif()
  endforeach()
  check_figures(${OUT}/t1)
  message(STATUS "feder2021 power at n = ${P_N}: ${P_POWER}")

elseif(MODE STREQUAL "fresh")
  run_power(${OUT} ${SRC}/tests/data/null.yaml --n 6 --replicates 6 --fresh --threads 2)
  read_csv(${OUT}/power.csv P)
  if(NOT P_ROWS EQUAL 1 OR NOT P_REPS EQUAL 6)
    fail("expected one row of 6 replicates, got ${P_ROWS} rows, ${P_REPS} replicates")
  endif()
  file(READ ${OUT}/power.json js)
  string(JSON method GET "${js}" method)
  if(NOT method STREQUAL "fresh trials")
    fail("method '${method}', expected 'fresh trials'")
  endif()
  check_figures(${OUT})

elseif(MODE STREQUAL "crossover")
  run_power(${OUT} ${SRC}/examples/feder2014.yaml --n 5,10 --replicates 200 --pool 30 --threads 2)
  file(READ ${OUT}/power.json js)
  string(JSON analysis GET "${js}" analysis)
  string(JSON d_test GET "${js}" pool difference)
  string(JSON d_sum GET "${js}" pool summary_difference)
  string(JSON p_test GET "${js}" pool p)
  string(JSON p_sum GET "${js}" pool summary_p)
  if(NOT analysis MATCHES "paired")
    fail("feder2014 is a crossover; analysis '${analysis}' (expected the paired t test)")
  endif()
  check_same("crossover pool difference (ks_trial_primary_test vs ks_trial_summarise)" "${d_test}" "${d_sum}")
  check_same("crossover pool p (ks_trial_primary_test vs ks_trial_summarise)" "${p_test}" "${p_sum}")
  if(NOT POWER_STDOUT MATCHES "n = 5 per sequence: power")
    fail("expected lines per sequence for a crossover, got: ${POWER_STDOUT}")
  endif()

elseif(MODE STREQUAL "three_arms")
  run_power(${OUT} ${SRC}/examples/dose-response.yaml --n 10 --replicates 50 --pool 20 --threads 2)
  file(READ ${OUT}/power.json js)
  string(JSON contrast GET "${js}" pool contrast)
  string(JSON d_test GET "${js}" pool difference)
  string(JSON d_sum GET "${js}" pool summary_difference)
  string(JSON p_test GET "${js}" pool p)
  string(JSON p_sum GET "${js}" pool summary_p)
  if(NOT contrast STREQUAL "ketamine-0.1 - midazolam")
    fail("the primary contrast of dose-response is '${contrast}' (expected ketamine-0.1 - midazolam)")
  endif()
  check_same("5-arm pool difference (power's test vs ks_trial_summarise)" "${d_test}" "${d_sum}")
  check_same("5-arm pool p (power's test vs ks_trial_summarise)" "${p_test}" "${p_sum}")

elseif(MODE STREQUAL "bad_input")
  set(null ${SRC}/tests/data/null.yaml)
  set(cases
    "--n 1:5|--n: '1:5' is not a list of sample sizes"
    "--n 10:5:1|--n: '10:5:1' is not a list of sample sizes"
    "--n ten|--n: 'ten' is not a list of sample sizes"
    "--n 10 --alpha 1.5|--alpha: '1.5' is not a significance level"
    "--n 10 --replicates 0|--replicates: '0' is not a valid count"
    "--n 50 --pool 20|power: pool of 20 per group is smaller than the largest n, 50"
    "--n 10 --pool 30 --fresh|--pool: not used with --fresh"
    "--n 10 --nn 3|--nn: unknown option for 'power'")
  foreach(c IN LISTS cases)
    string(REPLACE "|" ";" parts "${c}")
    list(GET parts 0 a)
    list(GET parts 1 want)
    separate_arguments(a UNIX_COMMAND "${a}")
    file(REMOVE_RECURSE ${OUT})
    execute_process(COMMAND ${KS} power ${null} ${a} --out ${OUT}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    string(STRIP "${err}" err)
    if(NOT rc EQUAL 2)
      fail("ketasim power ${a}: exit ${rc}, expected 2 (${err})")
    endif()
    if(NOT out STREQUAL "")
      fail("ketasim power ${a}: printed on stdout: ${out}")
    endif()
    string(FIND "${err}" "ketasim: ${want}" at)
    string(FIND "${err}" "\n" nl)
    if(NOT at EQUAL 0 OR NOT nl EQUAL -1)
      fail("ketasim power ${a}: expected one line 'ketasim: ${want}...', got '${err}'")
    endif()
    if(EXISTS ${OUT})
      fail("ketasim power ${a}: created ${OUT} although it failed")
    endif()
  endforeach()
  # A single-arm design has no contrast.
  file(MAKE_DIRECTORY ${OUT}_tmp)
  file(READ ${null} y)
  string(REGEX REPLACE "design: parallel" "design: single-arm" y "${y}")
  string(REGEX REPLACE "  - name: midazolam-b\n    regimen:\n[^\n]*\n" "" y "${y}")
  file(WRITE ${OUT}_tmp/single.yaml "${y}")
  execute_process(COMMAND ${KS} power ${OUT}_tmp/single.yaml --n 10 --out ${OUT}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 2 OR NOT err MATCHES "^ketasim: .*(single-arm|single arm|two or more arms)")
    fail("single-arm scenario: exit ${rc}, '${err}' (expected 2 and a message naming the design)")
  endif()
  file(REMOVE_RECURSE ${OUT}_tmp)
elseif(MODE STREQUAL "validate_plot")
  file(REMOVE_RECURSE ${OUT})
  file(MAKE_DIRECTORY ${OUT})
  foreach(ext png svg)
    execute_process(COMMAND ${KS} validate --layer pk --plot ${OUT}/forest.${ext}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    # Exit 1 is a completed run with failing targets (the pk layer reports honest misses against
    # the oral/sublingual studies, docs/model/pk.md); the figure must be drawn either way.
    if(NOT (rc EQUAL 0 OR rc EQUAL 1) OR NOT EXISTS ${OUT}/forest.${ext})
      fail("ketasim validate --layer pk --plot forest.${ext}: exit ${rc}, ${err}")
    endif()
  endforeach()
  file(READ ${OUT}/forest.png magic LIMIT 8 HEX)
  file(READ ${OUT}/forest.svg svg)
  if(NOT magic STREQUAL "89504e470d0a1a0a" OR NOT svg MATCHES "</svg>")
    fail("forest.png/.svg are not a PNG and an SVG")
  endif()
  # Every target of the table is a row: its id is drawn in the SVG (as glyphs, so count rows of
  # the table instead and check the plot grew with them: at least 34 px per row).
  string(REGEX MATCHALL "\n(pk[.][^ ]+)" ids "${out}")
  list(LENGTH ids n_ids)
  string(REGEX MATCH "viewBox=\"0 0 [0-9.]+ ([0-9.]+)\"" vb "${svg}")
  if(n_ids LESS 5 OR CMAKE_MATCH_1 LESS 170)
    fail("forest plot of ${n_ids} targets has height '${CMAKE_MATCH_1}'")
  endif()
  execute_process(COMMAND ${KS} validate --plot ${OUT}/forest.jpg RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 2 OR NOT err MATCHES "^ketasim: --plot: '.*forest.jpg' has no figure extension")
    fail("--plot forest.jpg: exit ${rc}, '${err}' (expected 2 and a message naming --plot)")
  endif()
else()
  fail("unknown MODE '${MODE}'")
endif()
