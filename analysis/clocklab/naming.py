"""Names for input files in outputs: summary/table rows and figure files.

Two inputs may share a file name (``a/run.h5`` and ``b/run.h5``); what is
written for one must not overwrite or be mistaken for what is written for
the other.
"""

import os


def display_names(paths):
    """The ``file`` column of each input (list of str, in order): its base
    name, or the path as given where two different inputs share a base name."""
    paths = [os.fspath(p) for p in paths]
    bases = [os.path.basename(p) for p in paths]
    shared = {b for b in bases if len({p for p, q in zip(paths, bases) if q == b}) > 1}
    return [p if b in shared else b for p, b in zip(paths, bases)]


def _parts(path):
    """The components of the absolute path without its extension, last first."""
    stem = os.path.splitext(os.path.abspath(os.fspath(path)))[0]
    return [p for p in reversed(stem.split(os.sep)) if p]


def figure_stems(paths):
    """One distinct stem per input (list of str, in order) for figure file names.

    The file name without its extension ("run" for ``a/run.h5``); where
    inputs share it, as many parent directories as tell them apart, joined
    by "_" ("a_run" and "b_run" for ``a/run.h5`` and ``b/run.h5``). An input
    given twice gets "-2", "-3", ... on its later copies, and so does any
    later input whose stem its directories cannot tell apart from an
    earlier one's (``a/b/run.h5`` beside ``a_b/run.h5``).
    """
    absolute = [os.path.abspath(os.fspath(p)) for p in paths]
    unique = list(dict.fromkeys(absolute))
    parts = [_parts(p) for p in unique]
    depth = [1] * len(parts)

    def names():
        return ["_".join(reversed(p[:d])) for p, d in zip(parts, depth)]

    while True:
        current = names()
        grow = [i for i, name in enumerate(current)
                if current.count(name) > 1 and depth[i] < len(parts[i])]
        if not grow:
            break
        for i in grow:
            depth[i] += 1
    stem_of = dict(zip(unique, names()))
    stems, used = [], set(stem_of.values())
    for path in absolute:
        name = stem_of[path]
        if name in stems:  # a later copy, or parents that cannot tell two apart
            copy = 2
            while f"{name}-{copy}" in used:
                copy += 1
            name = f"{name}-{copy}"
            used.add(name)
        stems.append(name)
    return stems
