/* The one way the runtime and its engines end a whole job on an error no
 * rank can recover from (a bug in an algorithm or the runtime, or no
 * memory): one line "clocklab: TEXT" on stderr, then MPI_Abort on
 * MPI_COMM_WORLD with error code 1, which ends every rank of the job (MPI
 * 4.0, section 11.4: MPI_Abort "makes a best attempt to abort all MPI
 * processes in the group of comm"). Errors of the user's input never come
 * here: they are refused before the run starts (plan.c). */
#ifndef CLOCKLAB_FATAL_H
#define CLOCKLAB_FATAL_H

/* printf-style TEXT, without the trailing newline. Never returns. */
_Noreturn void rt_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* rt_fatal("out of memory"). */
_Noreturn void rt_out_of_memory(void);

#endif
