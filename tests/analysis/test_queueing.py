#!/usr/bin/env python3
"""clocklab.queueing and clocklab.stats against published numbers: Erlang's C
formula (Kleinrock vol. 1, 3.5: C(1, a) = a; C(2, 1) = 1/3; C(5, 4) =
0.5541, the value in Erlang C tables), M/M/1 sojourn times exponential with
rate mu - lam, the survival function integrating to the mean, and Student's
t quantiles from GSL against the printed table (t_{10, 0.975} = 2.228,
t_{19, 0.975} = 2.093)."""
import unittest

import numpy as np

from clocklab import queueing


class Theory(unittest.TestCase):
    def test_erlang_c_matches_tables(self):
        self.assertAlmostEqual(queueing.erlang_c(1, 0.7), 0.7)
        self.assertAlmostEqual(queueing.erlang_c(2, 1.0), 1.0 / 3.0)
        self.assertAlmostEqual(queueing.erlang_c(5, 4.0), 0.5541, places=4)
        with self.assertRaises(ValueError):
            queueing.erlang_c(2, 2.0)

    def test_mm1_sojourn_is_exponential_with_rate_mu_minus_lam(self):
        self.assertAlmostEqual(queueing.mmc_mean_sojourn(200.0, 250.0, 1), 1 / 50.0)
        self.assertAlmostEqual(queueing.mmc_sojourn_quantile(0.99, 200.0, 250.0, 1),
                               np.log(100) / 50.0)
        t = np.linspace(0, 0.2, 7)
        np.testing.assert_allclose(queueing.mmc_sojourn_sf(t, 200.0, 250.0, 1), np.exp(-50 * t))

    def test_mmc_sojourn_survival_integrates_to_the_mean(self):
        for c, lam, mu in ((2, 300.0, 250.0), (3, 100.0, 50.0), (4, 100.0, 100.0)):
            t = np.linspace(0, 2.0, 400001)
            sf = queueing.mmc_sojourn_sf(t, lam, mu, c)
            self.assertAlmostEqual(float(sf[0]), 1.0)
            mean = float(np.sum((sf[1:] + sf[:-1]) / 2 * np.diff(t)))
            self.assertAlmostEqual(mean, queueing.mmc_mean_sojourn(lam, mu, c), places=6)
            q = queueing.mmc_sojourn_quantile(0.9, lam, mu, c)
            self.assertAlmostEqual(float(queueing.mmc_sojourn_sf(q, lam, mu, c)), 0.1, places=9)

    def test_t_quantile_matches_the_printed_table(self):
        self.assertAlmostEqual(queueing.t_quantile(0.975, 10), 2.228, places=3)
        self.assertAlmostEqual(queueing.t_quantile(0.975, 19), 2.093, places=3)

    def test_batch_means_and_t_interval_match_hand_values(self):
        x = np.arange(10.0)
        np.testing.assert_allclose(queueing.batch_means(x, 3), [1.0, 4.0, 7.0])
        mean, half = queueing.mean_ci([1.0, 2.0, 3.0, 4.0], 0.95)
        self.assertAlmostEqual(mean, 2.5)
        self.assertAlmostEqual(half, 3.182 * np.std([1, 2, 3, 4], ddof=1) / 2, places=3)

    def test_time_average_weights_values_by_duration(self):
        # 0 until 1, then 2 until 3, then 1 until the end at 5: (0 + 4 + 2) / 5
        self.assertAlmostEqual(queueing.time_average([1.0, 3.0], [2, 1], 0.0, 5.0), 6.0 / 5.0)


if __name__ == "__main__":
    unittest.main()
