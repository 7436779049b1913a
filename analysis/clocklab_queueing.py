#!/usr/bin/env python3
"""Queueing theory and output analysis for clocklab's dispatch runs.

Theory (L. Kleinrock, *Queueing Systems, Vol. 1: Theory*, Wiley 1975):

* M/M/1 (section 3.2): with arrival rate lam and service rate mu < ... the
  sojourn time T (waiting + service) is exponential with rate mu - lam, so
  E[T] = 1/(mu - lam) and its p-quantile is -ln(1-p)/(mu - lam).
* M/M/c (section 3.5, "M/M/m"): with offered load a = lam/mu (Erlangs) and
  c servers, a < c, an arrival has to wait with probability given by
  Erlang's C formula

      C(c, a) = (a^c/c! * c/(c-a)) / (sum_{k=0}^{c-1} a^k/k! + a^c/c! * c/(c-a)),

  and then waits an exponential time of rate c*mu - lam; so
  E[T] = 1/mu + C(c, a)/(c*mu - lam), and T is the sum of that mixture
  and an exponential service time of rate mu (the survival function below).
* Little's law (J. D. C. Little, Operations Research 9(3), 1961; Kleinrock
  section 2.1): L = lam * W.

Output analysis: sojourn times of successive customers are correlated, so
the confidence interval of their mean uses non-overlapping batch means
(A. M. Law, *Simulation Modeling and Analysis*, 5th ed., section 9.5.3):
the series is cut into k batches, and the k batch means are treated as
independent normal samples, giving mean +- t_{k-1, 1-alpha/2} s/sqrt(k).
The t quantile comes from GSL (gsl_cdf_tdist_Pinv) through ctypes.
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


def erlang_c(c, a):
    """Erlang's C formula: probability that an arrival waits in M/M/c with
    offered load a = lam/mu Erlangs (Kleinrock vol. 1, section 3.5).
    Requires 0 <= a < c."""
    if not 0 <= a < c:
        raise ValueError(f"offered load {a} must be below the {c} servers")
    term, total = 1.0, 1.0  # a^k/k! for k = 0
    for k in range(1, c):
        term *= a / k
        total += term
    top = term * a / c * c / (c - a)  # a^c/c! * c/(c-a)
    return top / (total + top)


def mmc_mean_sojourn(lam, mu, c=1):
    """Mean sojourn time E[T] = 1/mu + C(c, a)/(c mu - lam) of M/M/c (s).
    For c = 1 this is 1/(mu - lam)."""
    return 1.0 / mu + erlang_c(c, lam / mu) / (c * mu - lam)


def mmc_sojourn_sf(t, lam, mu, c=1):
    """P(T > t) for the sojourn time T of M/M/c with FIFO service.

    T = Wq + S: Wq is 0 with probability 1 - C and otherwise exponential
    with rate theta = c mu - lam; S is exponential with rate mu; so
    P(T > t) = (1 - C) e^{-mu t} + C P(E_theta + E_mu > t), where the
    hypoexponential tail is (theta e^{-mu t} - mu e^{-theta t})/(theta - mu)
    (or (1 + mu t) e^{-mu t} when theta = mu)."""
    t = np.asarray(t, float)
    pw = erlang_c(c, lam / mu)
    theta = c * mu - lam
    if abs(theta - mu) < 1e-12 * mu:
        tail = (1 + mu * t) * np.exp(-mu * t)
    else:
        tail = (theta * np.exp(-mu * t) - mu * np.exp(-theta * t)) / (theta - mu)
    return (1 - pw) * np.exp(-mu * t) + pw * tail


def mmc_sojourn_quantile(p, lam, mu, c=1):
    """The p-quantile of the M/M/c sojourn time (s), by bisection on the
    survival function (exact for c = 1: -ln(1-p)/(mu - lam))."""
    if c == 1:
        return -math.log1p(-p) / (mu - lam)
    lo, hi = 0.0, 1.0 / mu
    while mmc_sojourn_sf(hi, lam, mu, c) > 1 - p:
        hi *= 2
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mmc_sojourn_sf(mid, lam, mu, c) > 1 - p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def batch_means(series, batches):
    """The means of `batches` equal, contiguous, non-overlapping batches of
    `series` (a leftover shorter than a batch at the end is dropped)."""
    x = np.asarray(series, float)
    size = len(x) // batches
    if size < 1:
        raise ValueError(f"{len(x)} values cannot fill {batches} batches")
    return x[:size * batches].reshape(batches, size).mean(axis=1)


def mean_ci(values, level=0.95):
    """(mean, half-width) of the level confidence interval of the mean of
    independent normal values: t_{k-1, (1+level)/2} * s / sqrt(k)."""
    v = np.asarray(values, float)
    k = len(v)
    half = t_quantile(0.5 + level / 2, k - 1) * v.std(ddof=1) / math.sqrt(k)
    return float(v.mean()), float(half)


def lag1_correlation(values):
    """Lag-1 autocorrelation of a series (batch means should be near 0)."""
    v = np.asarray(values, float) - np.mean(values)
    return float(np.dot(v[:-1], v[1:]) / np.dot(v, v))


def time_average(times, values, start, end):
    """Time average over [start, end] of the step function that takes
    values[i] from times[i] on (times sorted; before times[0] it is 0)."""
    t = np.asarray(times, float)
    v = np.asarray(values, float)
    keep = t < end
    t, v = t[keep], v[keep]
    edges = np.clip(np.append(t, end), start, end)
    return float(np.sum(v * np.diff(edges)) / (end - start))
