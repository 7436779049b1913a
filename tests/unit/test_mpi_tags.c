/* The MPI tags of runtime/mpi_tags.h: two protocols that shared a tag could
 * take each other's messages, so every tag is distinct, and each is a valid
 * tag on every MPI library: 0 <= tag <= 32767, the smallest MPI_TAG_UB the
 * standard allows (MPI 4.0, section 3.2.3). */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on
#include "unit.h"

#include "runtime/mpi_tags.h"

#define TAG_VALUE(name, value, what) value,
#define TAG_NAME(name, value, what) #name,
static const int tags[] = {CLOCKLAB_MPI_TAGS(TAG_VALUE)};
static const char *names[] = {CLOCKLAB_MPI_TAGS(TAG_NAME)};
#define NTAGS (sizeof tags / sizeof tags[0])

static void tags_are_distinct(void **state) {
    (void)state;
    assert_true(NTAGS >= 6);
    for (size_t i = 0; i < NTAGS; i++)
        for (size_t j = i + 1; j < NTAGS; j++)
            if (tags[i] == tags[j])
                fail_msg("%s and %s are both MPI tag %d", names[i], names[j], tags[i]);
}

static void tags_are_valid_everywhere(void **state) {
    (void)state;
    for (size_t i = 0; i < NTAGS; i++)
        if (tags[i] < 0 || tags[i] > 32767)
            fail_msg("%s = %d is not in [0, 32767]", names[i], tags[i]);
}

/* The enum is the list: each name has the value the list gives it. */
static void enum_matches_list(void **state) {
    (void)state;
    enum mpi_tag e[] = {TAG_MESSAGE, TAG_REFTIME,    TAG_EVAL,
                        TAG_WINDOW,  TAG_CHECKPOINT, TAG_WARM_UP};
    assert_int_equal(sizeof e / sizeof e[0], NTAGS);
    for (size_t i = 0; i < NTAGS; i++)
        assert_int_equal(e[i], tags[i]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tags_are_distinct),
        cmocka_unit_test(tags_are_valid_everywhere),
        cmocka_unit_test(enum_matches_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
