/* Shared by the cmocka unit tests: cmocka's assert_float_equal compares
 * floats, too coarse for clock offsets; this compares doubles. */
#ifndef CLOCKLAB_TEST_UNIT_H
#define CLOCKLAB_TEST_UNIT_H

#include <math.h>

#define assert_near(a, b, eps)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (eps)))                                                             \
            fail_msg("%s = %.17g, expected %.17g within %g", #a, a_, b_, (double)(eps));           \
    } while (0)

#endif
