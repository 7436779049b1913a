#!/usr/bin/env python3
"""The offset figure shows what was measured: a skew panel on a log axis
whose data is max - min of the alive nodes' true offsets (computed here
from the file with h5py alone), and legends that match what is drawn.

Run:  PYTHONPATH=analysis /usr/bin/python3 -m unittest discover -s tests/analysis
"""

import os
import tempfile
import unittest

import h5py
import numpy as np
from matplotlib.colors import to_rgba

import clocklab
import synthetic as syn
from clocklab import offset
from real_output import output_dir


def skew_from_file(path, run="run000"):
    """(time [S] s, skew [S] s) straight from the file: max - min of
    clock/offset over the nodes up at each sample (down from crashed_at
    until a later recovered_at)."""
    with h5py.File(path, "r") as f:
        g = f["runs"][run]
        times = g["clock/time"][()]
        offsets = g["clock/offset"][()].reshape(len(times), -1)
        n = offsets.shape[1]
        crashed = g["nodes/crashed_at"][()]
        recovered = (g["nodes/recovered_at"][()] if "nodes/recovered_at" in g
                     else np.full(n, np.nan))
    skew = np.full(len(times), np.nan)
    for s, t in enumerate(times):
        values = [offsets[s, i] for i in range(n)
                  if np.isfinite(offsets[s, i])
                  and (not crashed[i] <= t or (recovered[i] <= t and recovered[i] >= crashed[i]))]
        if values:
            skew[s] = max(values) - min(values)
    return times, skew


def skew_axes(fig):
    return next(ax for ax in fig.axes if ax.get_label() == offset.SKEW_AXES)


class SkewPanel(unittest.TestCase):
    def check_panel(self, path, run_name="run000"):
        run = next(r for r in clocklab.read_files(path) if r["name"] == run_name)
        fig = offset.offset_figure(run, "x")
        ax = skew_axes(fig)
        self.assertEqual(ax.get_yscale(), "log")
        x, y = ax.lines[0].get_xdata(), ax.lines[0].get_ydata()
        times, skew = skew_from_file(path, run_name)
        drawn = np.isfinite(skew) & (skew > 0)
        np.testing.assert_allclose(x, times[drawn])
        np.testing.assert_allclose(y, skew[drawn] * 1e3, rtol=1e-12)  # ms
        return run, ax, skew

    def test_skew_panel_draws_the_skew_across_crash_and_recovery(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "sync.h5")
            syn.write_sync_file(path)
            _, _, skew = self.check_panel(path)
        self.assertAlmostEqual(skew[-1], syn.SYNC_FINAL_SKEW, places=12)

    @unittest.skipIf(output_dir() is None, "no clocklab binary to write the files")
    def test_berkeley_final_skew_is_visible(self):
        # experiments/berkeley.ini: offsets of up to 2 s at the start, about 1 ms at the end
        run, ax, skew = self.check_panel(os.path.join(output_dir(), "berkeley.h5"))
        final_ms = clocklab.final_skew(run) * 1e3
        self.assertAlmostEqual(skew[-1] * 1e3, final_ms)
        bottom, top = ax.get_ylim()
        self.assertLess(bottom, final_ms / 2)  # a decade or so below it, not squashed on 0
        self.assertGreater(top, final_ms * 100)


class LegendsMatchLines(unittest.TestCase):
    def check_markers(self, run):
        """Every dashed/dotted legend entry has a drawn line of its colour and
        style, and there is at least one such entry."""
        fig = offset.offset_figure(run, "x")
        checked = 0
        for ax in fig.axes:
            legend = ax.get_legend()
            if legend is None:
                continue
            drawn = {(to_rgba(line.get_color()), line.get_linestyle()) for line in ax.lines}
            handles = getattr(legend, "legend_handles", None) or legend.legendHandles
            for handle in handles:
                if getattr(handle, "get_linestyle", lambda: "-")() in ("--", ":"):
                    self.assertIn((to_rgba(handle.get_color()), handle.get_linestyle()), drawn,
                                  handle.get_label())
                    checked += 1
        self.assertGreater(checked, 0, "no crash/recover entry in any legend")
        return fig

    @unittest.skipIf(output_dir() is None, "no clocklab binary to write the files")
    def test_legend_marks_the_default_scenario_crash(self):
        # the default scenario: the coordinator (node 3 of 4) crashes at 1 s
        run = clocklab.read_files(os.path.join(output_dir(), "default.h5"))[0]
        fig = self.check_markers(run)
        texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        self.assertIn("node 3 crashes (1 s)", texts)

    def test_legend_marks_a_crash_and_recovery_with_their_lines(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "sync.h5")
            syn.write_sync_file(path)
            run = clocklab.read_files(path)[0]
        fig = self.check_markers(run)
        texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        self.assertIn("node 4 recovers (0.6 s)", texts)


if __name__ == "__main__":
    unittest.main()
