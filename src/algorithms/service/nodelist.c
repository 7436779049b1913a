#include "algorithms/service/nodelist.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read a non-negative decimal integer at *p, skipping blanks. */
static int number(const char **p, long *out) {
    while (isspace((unsigned char)**p))
        (*p)++;
    if (!isdigit((unsigned char)**p)) return -1;
    char *end;
    errno = 0;
    long v = strtol(*p, &end, 10);
    if (errno || v > (1L << 30)) return -1;
    *p = end;
    while (isspace((unsigned char)**p))
        (*p)++;
    *out = v;
    return 0;
}

/* n < 0: syntax only (member unused). */
static int parse(const char *text, int n, int *member, char *err, size_t errlen) {
    if (n > 0) memset(member, 0, (size_t)n * sizeof *member);
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '\0') return 0;
    int count = 0;
    for (;;) {
        const char *item = p;
        long a, b;
        if (number(&p, &a)) goto bad;
        b = a;
        if (*p == '-') {
            p++;
            if (number(&p, &b)) goto bad;
        }
        if (b < a) goto bad;
        if (n >= 0 && b >= n) {
            snprintf(err, errlen, "node %ld does not exist in a %d-node run", b, n);
            return -1;
        }
        for (long i = a; n >= 0 && i <= b; i++) {
            if (member[i]) {
                snprintf(err, errlen, "node %ld is listed twice", i);
                return -1;
            }
            member[i] = 1;
        }
        count += (int)(b - a + 1);
        if (*p == '\0') return count;
        if (*p != ',') goto bad;
        p++;
        continue;
    bad:;
        size_t len = strcspn(item, ",");
        snprintf(err, errlen, "'%.*s' is not a node index or range a-b (e.g. \"1, 2, 5-7\")",
                 (int)len, item);
        return -1;
    }
}

int nodelist_parse(const char *text, int n, int *member, char *err, size_t errlen) {
    return parse(text, n, member, err, errlen);
}

int nodelist_validate(const char *text, char *err, size_t errlen) {
    return parse(text, -1, NULL, err, errlen) < 0 ? -1 : 0;
}
