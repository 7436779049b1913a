"""Confidence intervals of means.

Over independent normal samples x_1..x_k the 1 - alpha interval of the
mean is mean +- t_{k-1, 1-alpha/2} s / sqrt(k), with s the sample standard
deviation (Student 1908; e.g. A. M. Law, *Simulation Modeling and
Analysis*, 5th ed., 4.5). The t quantile comes from GSL's
gsl_cdf_tdist_Pinv (the C library clocklab links, loaded through ctypes),
so no SciPy is needed.
"""

import ctypes
import ctypes.util
import math

import numpy as np

_gsl = None


def _gsl_lib():
    """The GSL shared library (loaded once)."""
    global _gsl
    if _gsl is None:
        name = ctypes.util.find_library("gsl") or "libgsl.so"
        _gsl = ctypes.CDLL(name)
        _gsl.gsl_cdf_tdist_Pinv.restype = ctypes.c_double
        _gsl.gsl_cdf_tdist_Pinv.argtypes = [ctypes.c_double, ctypes.c_double]
    return _gsl


def t_quantile(p, df):
    """The p-quantile of Student's t distribution with df degrees of freedom (GSL)."""
    return _gsl_lib().gsl_cdf_tdist_Pinv(float(p), float(df))


def mean_ci(values, level=0.95):
    """(mean, half-width) of the level confidence interval of the mean of
    independent normal values: t_{k-1, (1+level)/2} * s / sqrt(k).
    The half-width is NaN for fewer than two values."""
    v = np.asarray(values, float)
    k = len(v)
    if k < 2:
        return (float(v.mean()) if k else float("nan")), float("nan")
    half = t_quantile(0.5 + level / 2, k - 1) * v.std(ddof=1) / math.sqrt(k)
    return float(v.mean()), float(half)
