# SPDX-License-Identifier: MIT
# The whole-trial regression case, shared by tests/regression/run.sh and scripts/regen-regression.
KS_REGRESSION_SCENARIO=examples/feder2021.yaml
KS_REGRESSION_ARGS="--patients 12 --threads 2"
