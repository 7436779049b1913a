/* Every MPI tag clocklab uses on its communicator, in one list, so that no
 * two protocols share one (tests/unit/test_mpi_tags.c checks that they are
 * distinct and within the MPI standard's smallest MPI_TAG_UB, 32767: MPI
 * 4.0, section 3.2.3). No MPI include: the list is plain integers. */
#ifndef CLOCKLAB_MPI_TAGS_H
#define CLOCKLAB_MPI_TAGS_H

/* X(name, value, what it carries) */
#define CLOCKLAB_MPI_TAGS(X)                                                                       \
    X(TAG_MESSAGE, 7001, "a node's message between ranks (real time)")                             \
    X(TAG_REFTIME, 7002, "the reference-time handshake of the ranks (reftime.c)")                  \
    X(TAG_EVAL, 7003, "rank 0's clock readings of the evaluator (evaluator.c)")                    \
    X(TAG_WINDOW, 7004, "a window's messages between ranks (virtual time, vengine.c)")             \
    X(TAG_CHECKPOINT, 7005, "a rank's checkpoint increment to rank 0 (checkpoint.c)")              \
    X(TAG_WARM_UP, 7006, "the checkpoint warm-up messages (checkpoint.c)")

#define CLOCKLAB_MPI_TAG_ENUM(name, value, what) name = value,
enum mpi_tag { CLOCKLAB_MPI_TAGS(CLOCKLAB_MPI_TAG_ENUM) };
#undef CLOCKLAB_MPI_TAG_ENUM

#endif
