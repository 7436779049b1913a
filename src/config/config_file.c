/* Reading a configuration file from disk. See config.h, config_read_file. */
#include "config/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether st is /dev/null (docs/running.md, "What a run starts from": no file, the built-in
 * defaults). */
static int is_dev_null(const struct stat *st) {
    struct stat null;
    return S_ISCHR(st->st_mode) && stat("/dev/null", &null) == 0 && S_ISCHR(null.st_mode) &&
           st->st_rdev == null.st_rdev;
}

char *config_read_file(const char *path, long *len, char *err, size_t n) {
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, n, "cannot read configuration file '%s': %s", path, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, n, "configuration file '%s' is a directory", path);
        return NULL;
    }
    if (!S_ISREG(st.st_mode) && !is_dev_null(&st)) {
        snprintf(err, n, "configuration file '%s' is not a regular file (a FIFO, socket or device)",
                 path);
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || (!S_ISREG(st.st_mode) && !is_dev_null(&st))) {
        snprintf(err, n, "cannot read configuration file '%s': %s", path,
                 fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0) close(fd);
        return NULL;
    }
    size_t cap = 4096, used = 0;
    char *text = malloc(cap + 1);
    for (;;) {
        if (!text) break;
        if (used == cap) {
            if (cap >= CONFIG_MAX_BYTES) {
                snprintf(err, n, "configuration file '%s' is larger than %d MiB", path,
                         CONFIG_MAX_BYTES >> 20);
                free(text);
                close(fd);
                return NULL;
            }
            char *grown = realloc(text, 2 * cap + 1);
            if (!grown) {
                free(text);
                text = NULL;
                break;
            }
            text = grown;
            cap *= 2;
        }
        ssize_t k = read(fd, text + used, cap - used);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) {
            snprintf(err, n, "cannot read configuration file '%s': %s", path, strerror(errno));
            free(text);
            close(fd);
            return NULL;
        }
        if (k == 0) break;
        used += (size_t)k;
    }
    close(fd);
    if (!text) {
        snprintf(err, n, "cannot read configuration file '%s': out of memory", path);
        return NULL;
    }
    text[used] = '\0';
    *len = (long)used;
    return text;
}
