/* How many algorithms one run can stack ("bully+berkeley"). */
#ifndef CLOCKLAB_LAYERS_H
#define CLOCKLAB_LAYERS_H

#define RUNTIME_MAX_LAYERS 4

#endif
