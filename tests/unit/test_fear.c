#include "harness.h"
KS_TEST(placeholder) { KS_ASSERT_TRUE(1); }
KS_TEST_MAIN()
