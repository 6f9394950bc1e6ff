# SPDX-License-Identifier: MIT
# `ketasim sensitivity` and `ketasim optimize` (issue 17). Included by tests/CMakeLists.txt, this
# file registers the tests; run with `cmake -P` (CMAKE_SCRIPT_MODE_FILE set) it performs one:
#   optimize_rerun     tests/data/sweep/optimize-small.yaml: the best regimen's objective (mean
#                      CAPS-5 change of the ketamine arm at day 14) in regimens.csv equals what
#                      `ketasim run best.yaml` reports in summary.json; --threads 1 and 2 give
#                      byte-identical regimens.csv; every constraint of a feasible row holds.
#   optimize_pareto    the same scenario with a second objective (mean CADSS): a Pareto column with
#                      at least one front member, pareto.png and objective.png written.
#   sensitivity_sobol  Sobol (N = 4) over dose and caps5_mean on the same scenario: 16 trials in
#                      evaluations.csv, 2 rows of indices with CI bounds around the estimates,
#                      indices.png; --covariates: 11 covariate rows.
# The unit tests of the estimators (Ishigami, g-function, planted optima) are test_sensitivity;
# the sweep layer's own are test_sweep; resume after a kill is tests/sweep_resume.sh.
if(NOT CMAKE_SCRIPT_MODE_FILE)
  ks_add_test(test_sensitivity ${CMAKE_SOURCE_DIR}/tests/unit/test_sensitivity.c LIBS ks_stats)
  if(TARGET ketasim_cli)
    foreach(_mode optimize_rerun optimize_pareto sensitivity_sobol)
      add_test(NAME sweep_${_mode}
               COMMAND ${CMAKE_COMMAND} -DKS=$<TARGET_FILE:ketasim_cli> -DSRC=${CMAKE_SOURCE_DIR}
                       -DOUT=${CMAKE_BINARY_DIR}/sweep_test/${_mode} -DMODE=${_mode}
                       -P ${CMAKE_CURRENT_LIST_FILE})
      set_tests_properties(sweep_${_mode} PROPERTIES TIMEOUT 900 LABELS sweep)
    endforeach()
    find_program(KS_BASH_SWEEP bash REQUIRED)
    add_test(NAME sweep_resume_after_kill
             COMMAND ${KS_BASH_SWEEP} ${CMAKE_SOURCE_DIR}/tests/sweep_resume.sh $<TARGET_FILE:ketasim_cli>
                     ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/sweep_test/resume)
    set_tests_properties(sweep_resume_after_kill PROPERTIES TIMEOUT 900 LABELS sweep)
  endif()
  return()
endif()

# ---- script mode ---------------------------------------------------------------------------
cmake_policy(SET CMP0007 NEW) # keep the empty fields of CSV rows in lists

function(fail msg)
  message(FATAL_ERROR "FAIL: ${msg}")
endfunction()

function(run_ks)
  execute_process(COMMAND ${KS} ${ARGN} --quiet RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("ketasim ${ARGN} exited ${rc}: ${err}")
  endif()
endfunction()

# Row ROW (1-based, after the header) of a CSV as a list; the header as <var>_HEAD.
function(csv_row file row var)
  file(STRINGS ${file} lines)
  list(GET lines 0 head)
  list(GET lines ${row} l)
  string(REPLACE "," ";" f "${l}")
  string(REPLACE "," ";" h "${head}")
  set(${var} "${f}" PARENT_SCOPE)
  set(${var}_HEAD "${h}" PARENT_SCOPE)
endfunction()

function(check_png file)
  if(NOT EXISTS ${file})
    fail("${file} missing")
  endif()
  file(READ ${file} magic LIMIT 8 HEX)
  if(NOT magic STREQUAL "89504e470d0a1a0a")
    fail("${file} is not a PNG")
  endif()
endfunction()

# The same number to 8 significant digits (printed forms, CMake has no floating point).
function(check_same what a b)
  string(SUBSTRING "${a}" 0 9 a9)
  string(SUBSTRING "${b}" 0 9 b9)
  if(NOT a9 STREQUAL b9)
    fail("${what}: ${a} differs from ${b}")
  endif()
endfunction()

set(SMALL ${SRC}/tests/data/sweep/optimize-small.yaml)
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})

if(MODE STREQUAL "optimize_rerun")
  run_ks(optimize ${SMALL} --out ${OUT}/t2 --threads 2)
  run_ks(optimize ${SMALL} --out ${OUT}/t1 --threads 1)
  file(READ ${OUT}/t1/regimens.csv a)
  file(READ ${OUT}/t2/regimens.csv b)
  if(NOT a STREQUAL b)
    fail("regimens.csv differs between --threads 1 and --threads 2")
  endif()
  csv_row(${OUT}/t2/regimens.csv 1 best)
  list(FIND best_HEAD "objective_change" io)
  list(FIND best_HEAD "feasible" ifz)
  list(FIND best_HEAD "cadss_p95" ic)
  list(FIND best_HEAD "visits" iv)
  list(GET best ${io} objective)
  list(GET best ${ifz} feasible)
  list(GET best ${ic} cadss)
  list(GET best ${iv} visits)
  if(NOT feasible EQUAL 1)
    fail("the best regimen is not feasible: ${best}")
  endif()
  if(cadss GREATER 60 OR visits GREATER 4)
    fail("the best regimen breaks a constraint (cadss_p95 ${cadss} > 60 or visits ${visits} > 4)")
  endif()
  if(NOT EXISTS ${OUT}/t2/best.yaml OR EXISTS ${OUT}/t2/.evaluations.log)
    fail("best.yaml missing, or the evaluation log left behind after success")
  endif()
  run_ks(run ${OUT}/t2/best.yaml --out ${OUT}/rerun)
  file(READ ${OUT}/rerun/summary.json js)
  string(JSON rerun GET "${js}" arms 0 change caps5 14 mean)
  check_same("the best regimen re-run by ketasim run" "${objective}" "${rerun}")
  check_png(${OUT}/t2/objective.png)
elseif(MODE STREQUAL "optimize_pareto")
  file(READ ${SMALL} text)
  string(REPLACE "  objective: {endpoint: change, goal: minimize}"
                 "  objective: {endpoint: change, goal: minimize}\n  second_objective: {endpoint: cadss_mean}\n  pareto_points: 2"
                 text "${text}")
  file(WRITE ${OUT}/pareto.yaml "${text}")
  run_ks(optimize ${OUT}/pareto.yaml --out ${OUT}/p)
  file(STRINGS ${OUT}/p/regimens.csv lines)
  list(GET lines 0 head)
  if(NOT head MATCHES "objective2_cadss_mean" OR NOT head MATCHES ",pareto$")
    fail("regimens.csv header lacks the second objective or the pareto column: ${head}")
  endif()
  set(front 0)
  foreach(l IN LISTS lines)
    if(l MATCHES ",1,1$")
      math(EXPR front "${front} + 1")
    endif()
  endforeach()
  if(front LESS 1)
    fail("no feasible regimen on the Pareto front")
  endif()
  check_png(${OUT}/p/pareto.png)
  check_png(${OUT}/p/objective.png)
elseif(MODE STREQUAL "sensitivity_sobol")
  file(WRITE ${OUT}/params.tsv "name\tlow\thigh\tunit\tsource\ndose\t0.2\t0.5\tmg/kg\ttest\ncaps5_mean\t35\t45\tpoints\ttest\n")
  run_ks(sensitivity ${SMALL} --method sobol --params ${OUT}/params.tsv --endpoint change --n 4 --out ${OUT}/s --plot
         --boot 200)
  file(STRINGS ${OUT}/s/evaluations.csv ev)
  list(LENGTH ev n_ev)
  if(NOT n_ev EQUAL 17)
    fail("evaluations.csv has ${n_ev} lines (expected a header and 4 x (2 + 2) = 16 trials)")
  endif()
  file(STRINGS ${OUT}/s/indices.csv ix)
  list(LENGTH ix n_ix)
  if(NOT n_ix EQUAL 3)
    fail("indices.csv has ${n_ix} lines (expected a header and 2 parameters)")
  endif()
  file(READ ${OUT}/s/indices.json js)
  foreach(p 0 1)
    string(JSON s1 GET "${js}" parameters ${p} S1)
    string(JSON lo GET "${js}" parameters ${p} S1_ci95_lo)
    string(JSON hi GET "${js}" parameters ${p} S1_ci95_hi)
    if(s1 LESS lo OR s1 GREATER hi)
      fail("parameter ${p}: S1 ${s1} outside its bootstrap interval [${lo}, ${hi}]")
    endif()
  endforeach()
  check_png(${OUT}/s/indices.png)
  run_ks(sensitivity ${SMALL} --covariates --patients 60 --out ${OUT}/c --plot --boot 200)
  file(STRINGS ${OUT}/c/indices.csv cv)
  list(LENGTH cv n_cv)
  if(NOT n_cv EQUAL 12)
    fail("covariate indices.csv has ${n_cv} lines (expected a header and 11 covariates)")
  endif()
  check_png(${OUT}/c/indices.png)
else()
  fail("unknown MODE ${MODE}")
endif()
