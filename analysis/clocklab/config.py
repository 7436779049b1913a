"""A run's resolved configuration (its ``config`` attribute) as Python values.

Every run stores the INI text that reproduces it: each core section and
each algorithm's section with every key resolved. :func:`config_items`
flattens it to ``{"section.key": text}`` (the columns of ``clocklab
table``); :func:`seconds` and :func:`distribution` read the values in
clocklab's units (docs/configuration.md): times with s, ms, us or ns (a
bare 0 allowed), distributions constant(x), uniform(a, b),
exponential(mean), lognormal(median, sigma), values(v0, v1, ...).
"""

import configparser
import math
import re

from .reader import ClocklabError

UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def run_config(run):
    """The run's configuration as a :class:`configparser.ConfigParser`
    (``;`` comments allowed inline, keys as written). Raises
    :class:`ClocklabError` when the attribute does not parse."""
    parser = configparser.ConfigParser(inline_comment_prefixes=(";",), interpolation=None)
    parser.optionxform = str
    try:
        parser.read_string(run["attrs"].get("config", ""))
    except configparser.Error as exc:
        raise ClocklabError(f"{run.get('file', '?')} {run['name']}: the config attribute does "
                            f"not parse ({exc})") from None
    return parser


def config_items(run):
    """{"section.key": value text} of every key of the run's configuration,
    in file order."""
    parser = run_config(run)
    return {f"{section}.{key}": value for section in parser.sections()
            for key, value in parser[section].items()}


def config_value(run, section, key, default=None):
    """One value of the run's configuration (text), or ``default``."""
    parser = run_config(run)
    if parser.has_option(section, key):
        return parser[section][key]
    return default


def is_on(text):
    """A boolean key's value as the C parser reads it (on, true, yes, 1; any case)."""
    return str(text).strip().lower() in ("on", "true", "yes", "1")


def seconds(text):
    """A clocklab time in seconds: '1.5ms' -> 0.0015; a bare number (0) is
    taken as seconds. Raises ValueError for anything else."""
    m = re.fullmatch(rf"\s*({_NUMBER})\s*(s|ms|us|ns)?\s*", str(text))
    if not m:
        raise ValueError(f"not a time: {text!r}")
    return float(m.group(1)) * UNITS[m.group(2) or "s"]


def number(text):
    """A number or a time in seconds ('3', '0.5', '100ms'); ValueError otherwise."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return seconds(text)


def distribution(text):
    """``(name, [arguments])`` of a distribution value, arguments as numbers
    (times in s); a bare value is constant(value). ValueError otherwise."""
    m = re.fullmatch(r"\s*(\w+)\s*\((.*)\)\s*", str(text))
    if not m:
        return "constant", [number(text)]
    return m.group(1), [number(a) for a in m.group(2).split(",")]


def distribution_min(text):
    """The smallest value a distribution can draw (0 for exponential and lognormal)."""
    name, args = distribution(text)
    if name in ("constant", "uniform"):
        return args[0]
    if name == "values":
        return min(args)
    return 0.0


def distribution_mean(text):
    """The mean of a distribution: constant x, uniform (a+b)/2, exponential
    mean, lognormal median*exp(sigma^2/2), values their average."""
    name, args = distribution(text)
    if name == "constant":
        return args[0]
    if name == "uniform":
        return (args[0] + args[1]) / 2
    if name == "exponential":
        return args[0]
    if name == "lognormal":
        return args[0] * math.exp(args[1] ** 2 / 2)
    if name == "values":
        return sum(args) / len(args)
    raise ValueError(f"unknown distribution {name!r}")
