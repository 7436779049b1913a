/* Test-only preload library: kill the process in the middle of writing its
 * result files. With CLOCKLAB_KILLSHIM_PREFIX=PATH, every write(2),
 * pwrite(2) or pwrite64 to a file whose name starts with PATH (the result
 * file, its shadow, checkpoint and temporary copies) is counted; with
 * CLOCKLAB_KILLSHIM_AT=K the process sends itself SIGKILL instead of making
 * the K-th one, so the files are left as they are between two writes of one
 * HDF5 operation or one copy. With K = 0 the count is printed at exit
 * ("killshim: N writes"). Not part of clocklab. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static long count_, at_ = -1;
static const char *prefix_;

static void init(void) {
    if (at_ >= 0) return;
    prefix_ = getenv("CLOCKLAB_KILLSHIM_PREFIX");
    const char *k = getenv("CLOCKLAB_KILLSHIM_AT");
    at_ = k ? atol(k) : 0;
}

/* Whether fd is one of the files under the prefix. */
static int watched(int fd) {
    init();
    if (!prefix_ || !prefix_[0]) return 0;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return 0;
    path[n] = '\0';
    return strncmp(path, prefix_, strlen(prefix_)) == 0;
}

static void count(int fd) {
    if (!watched(fd)) return;
    if (++count_ == at_) raise(SIGKILL);
}

ssize_t write(int fd, const void *buf, size_t n) {
    static ssize_t (*real)(int, const void *, size_t);
    if (!real) real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    count(fd);
    return real(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (!real) real = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
    count(fd);
    return real(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) {
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (!real) real = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite64");
    count(fd);
    return real(fd, buf, n, off);
}

__attribute__((destructor)) static void report(void) {
    if (at_ == 0 && count_ > 0) fprintf(stderr, "killshim: %ld writes\n", count_);
}
