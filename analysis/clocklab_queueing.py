"""clocklab.queueing (M/M/c theory, batch means) under its former module name."""

from clocklab.queueing import (batch_means, erlang_c, lag1_correlation, mean_ci, mmc_mean_sojourn,
                               mmc_sojourn_quantile, mmc_sojourn_sf, t_quantile, time_average)

__all__ = ["batch_means", "erlang_c", "lag1_correlation", "mean_ci", "mmc_mean_sojourn",
           "mmc_sojourn_quantile", "mmc_sojourn_sf", "t_quantile", "time_average"]
